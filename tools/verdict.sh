#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# verdict.sh LOG: the short verdict of the main job, read from the console
# of the "main" boot (L1 CPU with svvptc and ztso). Exits 0 only when
# KVM offers Svvptc and Ztso to a vCPU, get-reg-list passes for both with
# no failing config, the reserved ids 62..65 read as absent, and an L2
# guest booted by a real VMM (Debian's QEMU, KVM) sees svvptc and ztso and
# can read the clock from userspace. Also prints the L2 page-fault rate
# (one short run: a figure, not a benchmark; see make bench).
set -uo pipefail

log=$1
here=$(dirname "$(realpath "$0")")
ok=1
say() { printf '  %-14s %s\n' "$1" "$2"; }

grl=$("$here/step.sh" "$log" get-reg-list)
grl_rc=$?
npass=$(grep -c ': PASS$' <<<"$grl")
nskip=$(grep -c 'not available, skipping tests' <<<"$grl")
nfail=$(grep -c 'Test Assertion Failure' <<<"$grl")
for ext in svvptc ztso; do
	if grep -qx "$ext: PASS" <<<"$grl"; then
		say "$ext" "get-reg-list: PASS"
	else
		say "$ext" "get-reg-list: NOT PASS"; ok=0
	fi
done
say get-reg-list "$npass configs PASS, $nskip SKIP, $nfail FAIL (exit $grl_rc)"
[ "$grl_rc" = 0 ] && [ "$nfail" = 0 ] || ok=0

probe=$("$here/step.sh" "$log" onereg-probe)
reserved=$(grep -cE '^isa-ext (62|63|64|65) get=ENOENT set=ENOENT clear=- listed=0$' <<<"$probe")
say "ids 62..65" "$reserved of 4 absent (ENOENT, not listed)"
[ "$reserved" = 4 ] || ok=0
say "id 66" "$(grep -E '^isa-ext 66 ' <<<"$probe" | cut -d' ' -f3-)"
grep -qE '^isa-ext 66 get=1 set=ok clear=EINVAL listed=1$' <<<"$probe" || ok=0

say "guest isa" "$("$here/step.sh" "$log" cpuinfo | sed -n 's/^cpuinfo isa[[:space:]]*: //p')"

l2=$("$here/step.sh" "$log" l2:tip | sed -n 's/^L2 //p')
l2step() { "$here/step.sh" <(printf '%s\n' "$l2") "$1"; }
l2isa=$(l2step cpuinfo | sed -n 's/^cpuinfo isa[[:space:]]*: //p')
say "L2 guest isa" "${l2isa:-(none: the L2 guest did not boot)}"
grep -qE '[_a-z]svvptc(_|$)' <<<"$l2isa" && grep -qE '_ztso(_|$)' <<<"$l2isa" || ok=0
clock=$(l2step clock-test); clock_rc=$?
say "L2 clock" "$(grep -c '=ok ' <<<"$clock") of 4 reads ok (rdtime, clock_gettime on 2 harts)"
[ "$clock_rc" = 0 ] || ok=0
say "L2 page faults" "$(l2step pf-bench | sed -n 's/^pf-bench .*faults_per_sec=\([0-9]*\).*/\1 faults\/s (svvptc fast path in L2)/p')"

if [ $ok = 1 ]; then
	echo "VERDICT: PASS - KVM on this 6.12 kernel offers Svvptc and Ztso to guests, and a real VMM passes them on"
	exit 0
fi
echo "VERDICT: FAIL - console log: $log"
exit 1
