#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# verdict.sh LOG: the short verdict of the main job, read from the console
# of the "main" boot (L1 CPU with svvptc and ztso). Exits 0 only when
# KVM offers Svvptc and Ztso to a vCPU, get-reg-list passes for both with
# no failing config, and the reserved ids 62..65 read as absent.
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

if [ $ok = 1 ]; then
	echo "VERDICT: PASS - KVM on this 6.12 kernel offers Svvptc and Ztso to guests"
	exit 0
fi
echo "VERDICT: FAIL - console log: $log"
exit 1
