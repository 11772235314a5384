#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# step.sh LOG STEP: print what STEP printed on a guest console (between
# /init's SVT-BEGIN and SVT-END lines) and exit with the step's status;
# 125 when the step never ran or never ended.
awk -v s="$2" '
	$0 == "SVT-BEGIN " s   { on = 1; seen = 1; next }
	on && index($0, "SVT-END " s " rc=") == 1 { rc = substr($0, length("SVT-END " s " rc=") + 1); on = 0; done = 1; next }
	on                     { print }
	END                    { exit done ? rc : 125 }
' "$1"
