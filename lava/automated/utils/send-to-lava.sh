#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# send-to-lava.sh RESULT_FILE: each line of RESULT_FILE ("NAME RESULT",
# or "NAME RESULT MEASUREMENT UNITS") as a LAVA test case, through
# lava-test-case inside a lava-test-shell; outside LAVA (no lava-test-case
# in PATH) the test-case signal lines LAVA would read are printed. A line
# of another shape is shown and skipped. Test definitions of Linaro's
# layout end with it (their step: ../../utils/send-to-lava.sh
# ./output/result.txt).
if [ $# != 1 ] || [ ! -r "$1" ]; then
	echo "usage: send-to-lava.sh RESULT_FILE (a readable file)" >&2
	exit 2
fi
if command -v lava-test-case >/dev/null 2>&1; then
	in_lava=yes
else
	in_lava=
fi
while read -r name result value units rest; do
	case $result in
	pass|fail|skip|unknown) ;;
	*)	echo "send-to-lava.sh: not a result line: $name $result $value $units $rest" >&2
		continue ;;
	esac
	if [ -n "$rest" ] || { [ -n "$value" ] && [ -z "$units" ]; }; then
		echo "send-to-lava.sh: not a result line: $name $result $value $units $rest" >&2
		continue
	fi
	if [ -n "$in_lava" ]; then
		if [ -n "$value" ]; then
			lava-test-case "$name" --result "$result" --measurement "$value" --units "$units"
		else
			lava-test-case "$name" --result "$result"
		fi
	elif [ -n "$value" ]; then
		echo "<TEST_CASE_ID=$name RESULT=$result MEASUREMENT=$value UNITS=$units>"
	else
		echo "<TEST_CASE_ID=$name RESULT=$result>"
	fi
done <"$1"
