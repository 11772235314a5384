#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh WORK FRAG: the test suite behind "make check".
#
# Every assertion prints PASS or FAIL with its name; the last line is
# "N passed, N failed" and the exit status is non-zero on any failure.
# Builds are incremental and shared with "make": a rerun with nothing
# changed rebuilds nothing and only boots the scenarios again.
set -uo pipefail

work=$(realpath -m "$1")
frag=$2
here=$(dirname "$(realpath "$0")")
top=$(dirname "$here")
wt=$work/src
pass=0
fail=0

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

echo "== series"
"$here/prepare-tree.sh" "$work" "$top/patches"
rc=$?
result $rc "the series applies with git am on the 6.12 base"
[ $rc = 0 ] || finish

patches=$(grep -v '^#' "$top/patches/series" | grep .)
for p in $patches; do
	out=$(cd "$wt" && ./scripts/checkpatch.pl --strict -q "$top/patches/$p" 2>&1)
	result $? "checkpatch --strict: $p" "$(grep -m1 -E '^(ERROR|WARNING|CHECK)' <<<"$out")"
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

echo "== boots (tools/scenarios)"
for s in patched patched-off base; do
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

echo "== bad input"
while read -r st name; do
	result "$st" "$name"
done < <("$here/check-input.sh" "$work" "$top/patches")

finish
