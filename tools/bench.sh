#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh WORK [ROUNDS]: "make bench". Boots each group of bench
# scenarios of tools/scenarios/ (the hosts of one comparison) one after the
# other, rotating which goes first, ROUNDS times (default 5), and the
# scaling scenarios (fence counts only) in the first round; keeps every
# console and fence count under WORK/bench/,
# then writes the report (medians, the spread of the per-round ratios,
# fences per operation) and the chart into Documentation/.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 1 2 "WORK [ROUNDS]" "$@"

work=$(realpath -m "$1")
rounds=${2:-5}
groups=$(python3 "$here/bench-report.py" --groups)
once=$(python3 "$here/bench-report.py" --once)

rm -rf "$work/bench" && mkdir -p "$work/bench"
for r in $(seq 1 "$rounds"); do
	for group in $groups $( ((r == 1)) && echo "$once"); do
		# Round r starts with the (r-1)-th scenario of the group.
		set -- ${group//:/ }
		shift $(( (r - 1) % $# )) || true
		order="$* ${group//:/ }"
		for s in $(printf '%s\n' $order | awk '!seen[$0]++'); do
			echo "  ROUND   $r/$rounds $s"
			python3 "$here/svt.py" boot "$work" "$s" 2>/dev/null ||
				die "boot $s failed (console: $work/logs/$s.log)"
			cp "$work/logs/$s.log" "$work/bench/$s.$r.log"
			cp "$work/logs/$s.log.fences" "$work/bench/$s.$r.log.fences"
		done
	done
done
python3 "$here/bench-report.py" "$work/bench" "$(dirname "$here")/Documentation"
