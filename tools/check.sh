#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh WORK FRAG: the test suite behind "make check".
#
# Prints KTAP on stdout (progress goes to stderr): a plan, then one subtest
# per group of static checks and one per scenario of tools/scenarios/
# (suites main and check), each with a test per assertion. The document is
# kept in WORK/check.ktap; the kernel's own tools/testing/kunit/kunit.py
# parse must read it and count the same totals. The last line is
# "N passed, N failed"; the exit status is non-zero on any failure.
#
# Builds are incremental and shared with "make": a rerun with nothing
# changed rebuilds nothing, and a boot whose kernel, initramfs, QEMU and
# command line are those of its last clean boot is not run again (its
# console is judged again); CHECK_REBOOT=1 boots everything anyway.
set -uo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 2 2 "WORK FRAGMENT" "$@"

work=$(realpath -m "$1")
frag=$2
top=$(dirname "$here")
wt=$work/src
[ "${CHECK_REBOOT:-0}" = 1 ] && export BOOT_REUSE=0 || export BOOT_REUSE=1
mkdir -p "$work"
doc=$work/check.ktap
has() { grep -qE "$1" <<<"$2"; }	# has REGEX TEXT
series_patches() { grep -v '^#' "$top/patches/series" | grep .; }

# ---- the groups of static checks: each prints a KTAP document ----

series() {
	"$here/prepare-tree.sh" "$work" "$top/patches" >&2
	ktap_result $? "the series applies with git am on the 6.12 base"
	git -C "$wt" grep -q 'RISCV_ISA_EXT_SVVPTC' "$(sed -n 1p "$work/src.stamp")" -- \
		arch/riscv/include/asm/pgtable.h arch/riscv/mm/pgtable.c
	ktap_result $? "6.12 already has the Svvptc fast path for user PTEs (update_mmu_cache_range, ptep_set_access_flags)"
	ktap_end
}

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

patches() {
	local p msg
	for p in $(series_patches); do
		msg=$(checkpatch "$p" "$wt"); ktap_result $? "checkpatch --strict, in the tree: $p" "$msg"
		# From outside any git tree, as a tree with mainline history
		# checks the commit references (commit <sha> ("subject")).
		msg=$(checkpatch "$p" / --no-tree); ktap_result $? "checkpatch --strict --no-tree: $p" "$msg"
		grep -qE '^(commit [0-9a-f]{12,40} \(".+|This patch has no upstream counterpart)' "$top/patches/$p" &&
			! grep -qE '^Upstream:' "$top/patches/$p"
		ktap_result $? "$p names its origin (commit <sha> (\"subject\")) or says it has none"
	done
	ktap_end
}

maintainers() {
	local f m
	for f in $(cat "$top"/patches/0*.patch | sed -n 's|^+++ b/||p' | sort -u); do
		m=$(cd "$wt" && ./scripts/get_maintainer.pl --mpath "$top/MAINTAINERS" --no-git \
			--no-git-fallback --no-rolestats -f "$f" 2>/dev/null)
		has 'maintainers@users.noreply' "$m"; ktap_result $? "MAINTAINERS covers $f (get_maintainer.pl)"
	done
	ktap_end
}

builds() {
	local base c tree
	"$here/build-series.sh" "$work" "$frag" all >&2
	base=$(sed -n 1p "$work/src.stamp")
	for c in "$base" $(git -C "$wt" rev-list --reverse "$base..$(cat "$work/src.tip")"); do
		tree=$(git -C "$wt" rev-parse "$c^{tree}")
		[ -f "$work/img/$tree/built" ]
		ktap_result $? "builds (Image, KVM selftests, initramfs): $(git -C "$wt" log -1 --format='%h %s' "$c")"
	done
	"$here/build-sanitized.sh" "$work" "$frag" "$(dirname "$frag")/svvptc_kvm_sanitizers.config" >&2
	ktap_result $? "the tip builds with KASAN and UBSAN (svvptc_kvm_sanitizers.config)"
	grep -q '^CONFIG_KASAN_GENERIC=y' "$work/out/sanitizers/.config" &&
		grep -q '^CONFIG_UBSAN_BOUNDS=y' "$work/out/sanitizers/.config"
	ktap_result $? "the sanitizer kernel's .config has KASAN_GENERIC and UBSAN_BOUNDS"
	ktap_end
}

# What the boots need besides our kernels (make targets: make knows when
# they are up to date), and the series on Debian's newest 6.12.y.
inputs() {
	local newer
	make -s -C "$top" build/vmm/vmm.cpio.gz >&2
	ktap_result $? "Debian trixie's riscv64 qemu-system-riscv64, its libraries and linux-image-6.12, fetched with a private apt config"
	make -s -C "$top" build/plugin/fence-count.so >&2
	ktap_result $? "the fence-count plugin builds against the installed QEMU's plugin API (qemu-plugin.h of its Debian source)"
	newer=$("$here/newer-base.sh" "$(dirname "$work")/newer" "$top/patches") &&
		KERNEL_SRC=$newer "$here/prepare-tree.sh" "$work/newer" "$top/patches" >&2
	ktap_result $? "the series applies with git am on $(basename "${newer:-linux-source-6.12 (not fetched)}")"
	ktap_end
}

distro() {
	local out rc st subject new
	out=$("$here/distro-build.sh" "$work" "$(dirname "$work")/vmm/debian/config"); rc=$?
	ktap_result $rc "the base and every patch compile with Debian 13's riscv64 config (KVM=m)"
	while IFS=$'\t' read -r st subject new; do
		ktap_result "$st" "Debian config, W=1 C=1, no warning the base does not have: $subject" "$new"
	done < <(grep . <<<"$out")
	ktap_end
}

scenario() {
	python3 "$here/svt.py" judge "$work" "$1"
}

harness() {
	python3 "$here/selftest.py" "$wt/tools/testing/kunit/kunit.py"
}

# ---- the document ----

scenarios=$(python3 "$here/svt.py" list main,check) || exit 1
groups=(series patches maintainers builds inputs distro $scenarios check-input harness)
pass=0 fail=0 skip=0 n=0 stop= booted=
{ echo "KTAP version 1"; echo "1..${#groups[@]}"; } | tee "$doc"

# group NAME COMMAND...: the KTAP document COMMAND prints, as subtest NAME.
group() {
	local name=$1 out p f s ok=ok
	shift
	n=$((n + 1))
	if [ -n "$stop" ]; then
		echo "ok $n $name # SKIP $stop" | tee -a "$doc"
		skip=$((skip + 1))
		return
	fi
	out=$(ktap_begin; "$@")
	p=$(grep -E '^ok [0-9]+ ' <<<"$out" | grep -vc ' # SKIP')
	s=$(grep -cE '^ok [0-9]+ .* # SKIP' <<<"$out")
	f=$(grep -cE '^not ok [0-9]+ ' <<<"$out")
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	[ "$f" = 0 ] && [ $((p + s)) -gt 0 ] || ok="not ok"	# a group that ran nothing failed
	{ sed -e 's/^/    /' -e "1a\\    # Subtest: $name" <<<"$out"; echo "$ok $n $name"; } | tee -a "$doc"
	[ "$ok" = ok ] || [ "$name" != series ] || stop="the series does not apply"
}

for g in "${groups[@]}"; do
	case $g in
	series|patches|maintainers|builds|inputs|distro) group "$g" "$g" ;;
	check-input) group "bad input" "$here/check-input.sh" "$work" "$top/patches" ;;
	harness) group "harness selftest (recorded consoles, no boot)" harness ;;
	*)	# the scenarios: all booted, then each judged
		if [ -z "$stop$booted" ]; then
			for s in $scenarios; do
				python3 "$here/svt.py" boot "$work" "$s" >&2
			done
			booted=1
		fi
		group "scenario $g" scenario "$g" ;;
	esac
done

# The kernel's KTAP parser must read the document and count what we did.
got=$(python3 "$here/svt.py" kunit "$wt/tools/testing/kunit/kunit.py" "$doc" 2>&1)
want="$((pass + fail + skip)) tests: $pass passed, $fail failed, $skip skipped, 0 errors"
if [ "$got" = "$want" ]; then
	echo "# kunit.py parse $doc: the same totals ($want)"
else
	echo "# kunit.py parse $doc disagrees: it counts $got, this run $want"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
