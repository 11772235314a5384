#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh WORK FRAG: the test suite behind "make check".
#
# Every assertion prints PASS or FAIL with its name; the last line is
# "N passed, N failed" and the exit status is non-zero on any failure.
# Builds are incremental and shared with "make": a rerun with nothing
# changed rebuilds nothing, and a boot whose kernel, initramfs, QEMU and
# command line are those of its last passing boot is not run again (its
# console log is checked again); CHECK_REBOOT=1 boots everything anyway.
set -uo pipefail

work=$(realpath -m "$1")
frag=$2
here=$(dirname "$(realpath "$0")")
top=$(dirname "$here")
wt=$work/src
pass=0
fail=0
[ "${CHECK_REBOOT:-0}" = 1 ] && export BOOT_REUSE=0 || export BOOT_REUSE=1

result() {	# result STATUS NAME [WHY]
	if [ "$1" = 0 ]; then
		echo "PASS  $2"; pass=$((pass + 1))
	else
		echo "FAIL  $2${3:+ ($3)}"; fail=$((fail + 1))
	fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}
has() { grep -qE "$1" <<<"$2"; }	# has REGEX TEXT
step() { "$here/step.sh" "$work/logs/$1.log" "$2"; }
# l2step SCENARIO KERNEL STEP: what STEP printed in the L2 guest that
# SCENARIO's "l2:KERNEL:..." step booted; exits with STEP's status.
l2step() { "$here/step.sh" <(step "$1" "l2:$2" | sed -n 's/^L2 //p') "$3"; }
# nested SCENARIO KERNEL: the L2 isa assertions shared by all scenarios.
nested() {
	local dt
	step "$1" "l2:$2" >/dev/null
	result $? "$1: L2 guest ($2 kernel) booted by Debian's riscv64 QEMU with KVM in L1"
	dt=$(l2step "$1" "$2" dt-isa)
	[ $? = 0 ] && has '^dt-isa i m a ' "$dt" && ! has ' (smnpm|ssnpm|svade|svadu)( |$)' "$dt"
	result $? "$1: L2 device tree isa has none of smnpm ssnpm svade svadu (ids 62..65 absent)" "$dt"
}
# scenario_cpu SCENARIO: its L1 -cpu value.
scenario_cpu() { awk -v n="$1" '$1 == n { print $4 }' "$here/scenarios"; }
# clock_ok SCENARIO KERNEL: rdtime and clock_gettime() work on both L2 harts.
clock_ok() {
	local c rc
	c=$(l2step "$1" "$2" clock-test); rc=$?
	[ $rc = 0 ] && has '^clock cpus=2$' "$c" &&
		[ "$(grep -cE '^clock cpu=[01] (rdtime|clock_gettime)=ok ' <<<"$c")" = 4 ]
	result $? "$3" "$(grep -v '=ok ' <<<"$c" | head -3 | xargs)"
}

echo "== series"
"$here/prepare-tree.sh" "$work" "$top/patches"
rc=$?
result $rc "the series applies with git am on the 6.12 base"
[ $rc = 0 ] || finish

patches=$(grep -v '^#' "$top/patches/series" | grep .)
# checkpatch PATCH DIR [--no-tree]: its --strict findings, run from DIR.
# A new file makes checkpatch ask "does MAINTAINERS need updating?".
# Answer it instead of ignoring it: the kernel's own MAINTAINERS must
# already send every new file to KVM/riscv. Whether an upstream commit id
# exists (UNKNOWN_COMMIT_ID) only a tree with mainline history can tell;
# the form of the reference (GIT_COMMIT_ID) is checked here. The system
# python3 runs scripts/spdxcheck.py (it needs Debian's python3-ply).
checkpatch() {
	local p=$1 dir=$2 out f m
	shift 2
	out=$(cd "$dir" && PATH=/usr/bin:$PATH "$wt/scripts/checkpatch.pl" --strict -q \
		--ignore UNKNOWN_COMMIT_ID "$@" "$top/patches/$p" 2>&1 |
		grep -E '^(ERROR|WARNING|CHECK|Traceback)' |
		grep -vx 'WARNING: added, moved or deleted file(s), does MAINTAINERS need updating?')
	for f in $(awk '/^diff --git /{f=$4; sub(/^b\//, "", f)} /^new file mode/{print f}' "$top/patches/$p"); do
		m=$(cd "$wt" && ./scripts/get_maintainer.pl --no-git --no-git-fallback -f "$f" 2>/dev/null)
		has 'kvm-riscv@lists.infradead.org' "$m" || out+="${out:+$'\n'}$f: not covered by the kernel's MAINTAINERS"
	done
	[ -z "$out" ] || { head -1 <<<"$out"; return 1; }
}
for p in $patches; do
	msg=$(checkpatch "$p" "$wt"); result $? "checkpatch --strict, in the tree: $p" "$msg"
	# From outside any git tree, as a tree with mainline history checks
	# the commit references (commit <sha> ("subject")).
	msg=$(checkpatch "$p" / --no-tree); result $? "checkpatch --strict --no-tree: $p" "$msg"
	n=$(grep -cE '^(commit [0-9a-f]{12,40} \(".+|This patch has no upstream counterpart)' "$top/patches/$p")
	[ "$n" -ge 1 ] && ! grep -qE '^Upstream:' "$top/patches/$p"
	result $? "$p names its origin (commit <sha> (\"subject\")) or says it has none"
done

files=$(cat "$top"/patches/0*.patch | sed -n 's|^+++ b/||p' | sort -u)
for f in $files; do
	m=$(cd "$wt" && ./scripts/get_maintainer.pl --mpath "$top/MAINTAINERS" --no-git \
		--no-git-fallback --no-rolestats -f "$f" 2>/dev/null)
	has 'maintainers@users.noreply' "$m"; result $? "MAINTAINERS covers $f (get_maintainer.pl)"
done

echo "== every patch builds (Image + KVM selftests)"
"$here/build-series.sh" "$work" "$frag" all
base=$(sed -n 1p "$work/src.stamp")
for c in "$base" $(git -C "$wt" rev-list --reverse "$base..$(cat "$work/src.tip")"); do
	tree=$(git -C "$wt" rev-parse "$c^{tree}")
	result "$([ -f "$work/img/$tree/built" ]; echo $?)" \
		"builds: $(git -C "$wt" log -1 --format='%h %s' "$c")"
done

echo "== every patch compiles in a distribution build (Debian 13's config, W=1, sparse)"
"$here/vmm.sh" "$(dirname "$work")/vmm"
result $? "Debian trixie's riscv64 qemu-system-riscv64, its libraries and linux-image-6.12, fetched with a private apt config"
distro=$(dirname "$work")/vmm/debian
out=$("$here/distro-build.sh" "$work" "$distro/config"); rc=$?
result $rc "the base and every patch compile with Debian 13's riscv64 config (KVM=m)"
while IFS=$'\t' read -r st subject new; do
	result "$st" "Debian config, W=1 C=1, no warning the base does not have: $subject" "$new"
done < <(grep . <<<"$out")

echo "== the fence-count QEMU plugin"
"$here/plugin.sh" "$(dirname "$work")/plugin"
result $? "the fence-count plugin builds against the installed QEMU's plugin API (qemu-plugin.h of its Debian source)"

echo "== the series on Debian's newest 6.12.y (apply only)"
newer=$("$here/newer-base.sh" "$(dirname "$work")/newer" "$top/patches") &&
	KERNEL_SRC=$newer "$here/prepare-tree.sh" "$work/newer" "$top/patches" >/dev/null
result $? "the series applies with git am on $(basename "${newer:-linux-source-6.12 (not fetched)}")"

echo "== the KASAN + UBSAN variant of the tip"
"$here/build-sanitized.sh" "$work" "$frag" "$(dirname "$frag")/svvptc_kvm_sanitizers.config"
result $? "the tip builds with KASAN and UBSAN (svvptc_kvm_sanitizers.config)"
grep -q '^CONFIG_KASAN_GENERIC=y' "$work/out/sanitizers/.config" &&
	grep -q '^CONFIG_UBSAN_BOUNDS=y' "$work/out/sanitizers/.config"
result $? "the sanitizer kernel's .config has KASAN_GENERIC and UBSAN_BOUNDS"

echo "== boots (tools/scenarios)"
for s in patched patched-off sanitizers base patched-pmu base-pmu; do
	"$here/boot.sh" "$work" "$s"
	result $? "boot $s: /init ran every step, console clean"
done

echo "== patched kernel, L1 CPU svvptc=true,ztso=true"
grl=$(step patched get-reg-list); rc=$?
result $rc "get-reg-list exits 0" "exit $rc"
has '^svvptc: PASS$' "$grl"; result $? "get-reg-list: svvptc: PASS"
has '^ztso: PASS$' "$grl"; result $? "get-reg-list: ztso: PASS"
[ $rc = 0 ] && ! has 'Test Assertion Failure' "$grl"; result $? "get-reg-list: no config FAILs"
probe=$(step patched onereg-probe)
for id in 62 63 64 65; do
	has "^isa-ext $id get=ENOENT set=ENOENT clear=- listed=0$" "$probe"
	result $? "reserved id $id absent: GET/SET ENOENT, not in KVM_GET_REG_LIST" \
		"$(grep "^isa-ext $id " <<<"$probe")"
done
has '^isa-ext 66 get=1 set=ok clear=EINVAL listed=1$' "$probe"
result $? "id 66 (SVVPTC) present, listed, cannot be disabled" "$(grep '^isa-ext 66 ' <<<"$probe")"
has '^isa-ext 52 get=1 set=ok clear=EINVAL listed=1$' "$probe"
result $? "id 52 (ZTSO) present, listed, cannot be disabled" "$(grep '^isa-ext 52 ' <<<"$probe")"
isa=$(step patched cpuinfo)
has '[_a-z]svvptc(_|$)' "$isa"; result $? "guest /proc/cpuinfo isa has svvptc" "$isa"
has '_ztso(_|$)' "$isa"; result $? "guest /proc/cpuinfo isa has ztso" "$isa"

mm_tests="dirty_log_test set_memory_region_test kvm_page_table_test demand_paging_test"
for t in $mm_tests; do
	step patched "$t" >/dev/null; rc=$?
	result $rc "svvptc=true: $t passes (G-stage mapping)" "exit $rc"
done
t=$(step patched isa_ext_reg_test); rc=$?
[ $rc = 0 ] && has '^# Totals: pass:10 fail:0 xfail:0 xpass:0 skip:0 error:0$' "$t"
result $? "isa_ext_reg_test: all 10 tests pass, none skipped" "$(grep -m1 -E '^(not ok|# Totals)' <<<"$t")"
t=$(step patched onereg-sweep); rc=$?
[ $rc = 0 ] && has '^onereg-sweep seed=[0-9]+ n=[0-9]+$' "$t"
result $? "onereg-sweep: random ONE_REG ids leave the vCPU's registers and ids 62..65 as they were" \
	"$(grep -m2 -E '^onereg-sweep' <<<"$t" | xargs)"
nested patched tip
isa=$(l2step patched tip cpuinfo)
has '[_a-z]svvptc(_|$)' "$isa"; result $? "L2 /proc/cpuinfo isa has svvptc (a real VMM passes it on)" "$isa"
has '_ztso(_|$)' "$isa"; result $? "L2 /proc/cpuinfo isa has ztso" "$isa"
clock_ok patched tip "no sscofpmf on L1: L2 userspace rdtime and clock_gettime() work on both harts"

echo "== patched kernel, L1 CPU svvptc=false,ztso=false"
grl=$(step patched-off get-reg-list); rc=$?
result $rc "get-reg-list exits 0" "exit $rc"
has 'svvptc not available, skipping' "$grl"; result $? "get-reg-list: svvptc: SKIP"
has 'ztso not available, skipping' "$grl"; result $? "get-reg-list: ztso: SKIP"
[ $rc = 0 ] && ! has 'Test Assertion Failure' "$grl"; result $? "get-reg-list: no config FAILs"
has '^isa-ext 66 get=ENOENT set=ENOENT clear=- listed=0$' "$(step patched-off onereg-probe)"
result $? "id 66 absent when the host has no Svvptc"
for t in $mm_tests; do
	step patched-off "$t" >/dev/null; rc=$?
	result $rc "svvptc=false: $t passes (G-stage mapping)" "exit $rc"
done
t=$(step patched-off isa_ext_reg_test); rc=$?
[ $rc = 0 ] && has '^# Totals: pass:6 fail:0 xfail:0 xpass:0 skip:4 error:0$' "$t" &&
	[ "$(grep -cE '^ok [0-9]+ isa_ext\.(svvptc|ztso)_[a-z_]+ # SKIP' <<<"$t")" = 4 ]
result $? "isa_ext_reg_test passes; only its 4 Svvptc and Ztso tests skip" "$(grep -m1 -E '^(not ok|# Totals)' <<<"$t")"
nested patched-off tip
isa=$(l2step patched-off tip cpuinfo)
[ $? = 0 ] && ! has 'svvptc' "$isa"; result $? "L1 svvptc=false: L2 isa has no svvptc" "$isa"
clock_ok patched-off tip "sscofpmf on L1: L2 userspace rdtime and clock_gettime() still work"

echo "== KASAN + UBSAN tip kernel, L1 CPU svvptc=true,ztso=true"
grep -qE '^ +kasan +: 0x' "$work/logs/sanitizers.log"
result $? "the booted kernel has KASAN (its memory layout has a kasan region)"
for t in isa_ext_reg_test get-reg-list onereg-sweep; do
	step sanitizers "$t" >/dev/null; rc=$?
	result $rc "$t passes under KASAN + UBSAN (the boot above found no report)" "exit $rc"
done

echo "== unpatched 6.12 base, L1 CPU svvptc=true,ztso=true"
grl=$(step base get-reg-list); rc=$?
[ $rc = 0 ] && ! has 'svvptc' "$grl"
result $? "base get-reg-list ran and has no svvptc config (the series adds it)"
has '^ztso: PASS$' "$grl"; result $? "base get-reg-list: ztso: PASS (6.12 already has Ztso)"
probe=$(step base onereg-probe)
has '^isa-ext 66 get=ENOENT' "$probe"
result $? "base: id 66 absent although the host has Svvptc (the defect)"
has '^isa-ext [0-9]+ get=1 set=ok clear=EINVAL listed=1$' "$probe"
result $? "base: the probe sees present extensions (it can tell present from absent)"
has '[_a-z]svvptc(_|$)' "$(step base cpuinfo)"
result $? "base: L1 kernel itself sees svvptc (6.12 parses it)"
git -C "$wt" grep -q 'RISCV_ISA_EXT_SVVPTC' "$base" -- arch/riscv/include/asm/pgtable.h arch/riscv/mm/pgtable.c
result $? "base: 6.12 already has the Svvptc fast path (update_mmu_cache_range, ptep_set_access_flags)"
nested base base
isa=$(l2step base base cpuinfo)
[ $? = 0 ] && ! has 'svvptc' "$isa"
result $? "base host: L2 isa has no svvptc although L1 has it (the defect)" "$isa"
has '_ztso(_|$)' "$isa"; result $? "base host: L2 isa still has ztso" "$isa"
c=$(l2step base base clock-test)
has '^clock cpu=0 rdtime=SIGILL$' "$c" && has '^clock cpu=0 clock_gettime=SIGILL$' "$c"
result $? "base L2, no sscofpmf: rdtime and clock_gettime() die with SIGILL on the boot hart" \
	"$(grep '^clock cpu=0' <<<"$c" | xargs)"

echo "== TLB fences executed, counted by the fence-count QEMU plugin (per step)"
while read -r st name; do
	result "$st" "$name"
done < <("$here/fence-checks.sh" "$work" patched patched-off base)

echo "== Debian 13's own riscv64 kernel, unmodified, as the L2 guest"
for s in patched patched-pmu base base-pmu; do
	isa=$(l2step "$s" debian cpuinfo)
	dt=$(l2step "$s" debian dt-isa)
	what="$s ($(scenario_cpu "$s" | sed 's/^rv64,h=true,//'))"
	if [[ $s = patched* ]]; then
		has '_svvptc(_|$)' "$isa" && has '_ztso(_|$)' "$isa" &&
			has ' svvptc( |$)' "$dt" && has ' ztso( |$)' "$dt"
		result $? "$what: the Debian guest's cpuinfo isa and device tree have svvptc and ztso" "$isa"
	else
		has '_ztso(_|$)' "$isa" && ! has 'svvptc' "$isa$dt"
		result $? "$what, stock 6.12 host: the Debian guest has ztso but no svvptc" "$isa"
	fi
	! has '(smnpm|ssnpm|svade|svadu)' "$isa$dt" && has '^dt-isa i m a ' "$dt"
	result $? "$what: the Debian guest sees none of smnpm ssnpm svade svadu" "$dt"
done
# clock SCENARIO: "cpu=N METHOD STATUS" for each hart and clock read of
# the Debian guest's clock-test.
clock() {
	l2step "$1" debian clock-test |
		sed -nE 's/^clock (cpu=[0-9]+) (rdtime|clock_gettime)=([A-Za-z]+).*/\1 \2 \3/p'
}
for pair in patched:base patched-pmu:base-pmu; do
	p=${pair%:*} b=${pair#*:}
	stock=$(clock "$b")
	lost=$(awk 'NR == FNR { if ($3 == "ok") want[$1 " " $2] = 1; next }
		$3 == "ok" { delete want[$1 " " $2] }
		END { for (k in want) print k }' <(echo "$stock") <(clock "$p") | sort | xargs)
	[ -n "$stock" ] && [ -z "$lost" ]
	result $? "L1 $(scenario_cpu "$p" | sed 's/^rv64,h=true,//'): every hart and clock read that works in the Debian guest on the stock host works on the patched host" \
		"lost on the patched host: $lost; stock host: $(xargs <<<"$stock")"
done

echo "== bad input"
while read -r st name; do
	result "$st" "$name"
done < <("$here/check-input.sh" "$work" "$top/patches")

finish
