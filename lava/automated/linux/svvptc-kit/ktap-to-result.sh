#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ktap-to-result.sh RESULTS.KTAP: the svvptc kit's KTAP document as the
# lines of output/result.txt (sh-test-lib's format: "NAME RESULT" or
# "NAME RESULT MEASUREMENT UNITS"). A case per result: a group as GROUP,
# each of its tests as GROUP.TEST, the names lowercased and every run of
# characters other than a-z, 0-9, '_' and '.' made one '-', so that the
# same check has the same name in every lab and on every host. A skipped
# group is one skipped case; a figure ("ok N TEST # VALUE UNITS", KTAP's
# diagnostic data) keeps its value and units as the case's measurement.
if [ $# != 1 ] || [ ! -r "$1" ]; then
	echo "usage: ktap-to-result.sh RESULTS.KTAP (a readable file)" >&2
	exit 2
fi
# The KTAP document: top-level "ok N GROUP" or "not ok N GROUP", with
# "# SKIP WHY" for a skipped group; a group's tests four spaces in.
awk '
function slug(s) {
	s = tolower(s)
	gsub(/[^a-z0-9_.]+/, "-", s)
	gsub(/^-+|-+$/, "", s)
	return substr(s, 1, 100)
}
function line(l, prefix,   r, name, figure) {
	r = (l ~ /^not ok /) ? "fail" : "pass"
	sub(/^(not )?ok [0-9]+ */, "", l)
	name = l
	sub(/ *#.*$/, "", name)
	figure = ""
	if (l ~ /# SKIP/) {
		r = "skip"
	} else if (match(l, /# [0-9][0-9.]* [^ ]+$/)) {
		figure = " " substr(l, RSTART + 2)
	}
	print prefix slug(name) " " r figure
}
/^    # Subtest: / { group = slug(substr($0, 16)); next }
/^    (not )?ok [0-9]+/ { line(substr($0, 5), group "."); next }
/^(not )?ok [0-9]+/ { line($0, ""); group = "" }
' "$1"
