#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh WORK [ROUNDS]: "make bench". Boots each pair of bench scenarios
# of tools/scenarios side by side, alternating which goes first, ROUNDS
# times (default 5), keeps every console and fence count under WORK/bench/,
# then writes the report (medians, the spread of the per-round ratios,
# fences per operation) and the chart into Documentation/.
set -euo pipefail

work=$(realpath -m "$1")
rounds=${2:-5}
here=$(dirname "$(realpath "$0")")
pairs=$(python3 "$here/bench-report.py" --pairs)

rm -rf "$work/bench" && mkdir -p "$work/bench"
for r in $(seq 1 "$rounds"); do
	for pair in $pairs; do
		a=${pair%%:*} b=${pair##*:}
		[ $((r % 2)) = 1 ] && order="$a $b" || order="$b $a"
		for s in $order; do
			echo "  ROUND   $r/$rounds $s"
			"$here/boot.sh" "$work" "$s" >/dev/null
			cp "$work/logs/$s.log" "$work/bench/$s.$r.log"
			cp "$work/logs/$s.log.fences" "$work/bench/$s.$r.log.fences"
		done
	done
done
python3 "$here/bench-report.py" "$work/bench" "$(dirname "$here")/Documentation"
