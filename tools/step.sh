#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# step.sh LOG STEP: print what STEP printed on a guest console (between
# /init's SVT-BEGIN and SVT-END lines) and exit with the step's status;
# 125 when the step never ran or never ended. STEP is a program name: it
# also matches the step run with arguments ("NAME:-a:1").
awk -v s="$2" '
	function is(line, tag) { return line == tag " " s || index(line, tag " " s ":") == 1 }
	is($0, "SVT-BEGIN")  { on = 1; next }
	on && $1 == "SVT-END" && $3 ~ /^rc=/ && is($1 " " $2, "SVT-END") {
		rc = substr($3, 4); on = 0; done = 1; next
	}
	on                   { print }
	END                  { exit done ? rc : 125 }
' "$1"
