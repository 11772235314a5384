#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh WORK [ROUNDS]: "make bench". Boots each pair of bench scenarios
# of tools/scenarios side by side, alternating which goes first, ROUNDS
# times (default 3), keeps every console under WORK/bench/, then writes the
# report (medians and ratios) and the chart into Documentation/.
set -euo pipefail

work=$(realpath -m "$1")
rounds=${2:-3}
here=$(dirname "$(realpath "$0")")
pairs="bench-gs-0004:bench-gs-0003 bench-pf-on:bench-pf-off bench-l2-tip:bench-l2-base"

rm -rf "$work/bench" && mkdir -p "$work/bench"
for r in $(seq 1 "$rounds"); do
	for pair in $pairs; do
		a=${pair%%:*} b=${pair##*:}
		[ $((r % 2)) = 1 ] && order="$a $b" || order="$b $a"
		for s in $order; do
			echo "  ROUND   $r/$rounds $s"
			"$here/boot.sh" "$work" "$s" >/dev/null
			cp "$work/logs/$s.log" "$work/bench/$s.$r.log"
		done
	done
done
python3 "$here/bench-report.py" "$work/bench" "$(dirname "$here")/Documentation"
