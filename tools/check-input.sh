#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-input.sh WORK PATCHES: how prepare-tree.sh treats a user's tree
# (KERNEL_SRC), as KTAP (tools/lib.sh), one test per assertion.
#
# The user trees are small git repositories holding the files the series
# touches, copied from the 6.12 base, so no kernel is checked out twice.
set -uo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 2 2 "WORK PATCHES" "$@"

work=$(realpath -m "$1")
patches=$(realpath "$2")
base_repo=$work/linux
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
ktap_begin

# state REPO: everything a user would notice changing in their repository.
state() {
	git -C "$1" symbolic-ref -q HEAD
	git -C "$1" rev-parse HEAD
	git -C "$1" status --porcelain
	git -C "$1" for-each-ref
	git -C "$1" worktree list --porcelain
	git -C "$1" stash list
}
# prepare NAME: run prepare-tree.sh on KERNEL_SRC with a scratch WORK;
# sets out (its stderr) and rc.
prepare() {
	rc=0
	out=$(KERNEL_SRC=$1 "$here/prepare-tree.sh" "$scratch/work-$2" "$patches" 2>&1 >/dev/null) || rc=$?
}

# A small "user tree": the series' files at base, on the user's branch,
# with uncommitted work of their own.
mktree() {
	local t=$scratch/$1 f
	mkdir -p "$t"
	git -C "$t" init -q -b my-feature
	for f in Makefile $(cat "$patches"/0*.patch | sed -n 's|^+++ b/||p' | sort -u); do
		# (a file the series creates is not in the base, nor here)
		git -C "$base_repo" cat-file -e "base:$f" 2>/dev/null || continue
		mkdir -p "$t/$(dirname "$f")"
		git -C "$base_repo" show "base:$f" >"$t/$f"
	done
	git -C "$t" add -A
	git -C "$t" -c user.name=u -c user.email=u@localhost commit -q -m "user base"
	echo "work in progress" >"$t/NOTES"
	echo "$t"
}

rc=0
out=$("$here/prepare-tree.sh" 2>&1 >/dev/null) || rc=$?
ktap_result "$([ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q '^prepare-tree.sh: usage: ' <<<"$out"; echo $?)" \
	"a script run without its arguments: its usage in one line, non-zero exit"

prepare /nonexistent/linux nodir
ktap_result "$([ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q KERNEL_SRC <<<"$out"; echo $?)" \
	"KERNEL_SRC that does not exist: one-line error, non-zero exit"

mkdir -p "$scratch/notgit"
prepare "$scratch/notgit" notgit
ktap_result "$([ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q 'not a git tree' <<<"$out"; echo $?)" \
	"KERNEL_SRC that is not a git tree: one-line error, non-zero exit"

t=$(mktree old)
sed -i 's/^PATCHLEVEL = 12$/PATCHLEVEL = 6/' "$t/Makefile"
git -C "$t" -c user.name=u -c user.email=u@localhost commit -q -am "6.6"
prepare "$t" old
ktap_result "$([ $rc != 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q 'series is for 6.12.y' <<<"$out"; echo $?)" \
	"KERNEL_SRC that is not 6.12.y: one-line error, non-zero exit"

# Patch 2 cannot apply: the user's tree already lists SVNAPOT differently.
t=$(mktree conflict)
sed -i 's/^\tcase KVM_RISCV_ISA_EXT_SVNAPOT:$/\tcase KVM_RISCV_ISA_EXT_SVNAPOT: \/* local change *\//' \
	"$t/arch/riscv/kvm/vcpu_onereg.c"
git -C "$t" -c user.name=u -c user.email=u@localhost commit -q -am "local change"
before=$(state "$t")
prepare "$t" conflict
second=$(grep -v '^#' "$patches/series" | sed -n 2p)
ktap_result "$([ $rc != 0 ] && grep -q "patch $second does not apply" <<<"$out"; echo $?)" \
	"a patch that does not apply is named and the run fails"
ktap_result "$(grep -q 'git am --abort done' <<<"$out"; echo $?)" \
	"after a failed patch, git am --abort runs"
ktap_result "$([ "$before" = "$(state "$t")" ]; echo $?)" \
	"after a failed patch, the user's branch, HEAD, files, refs and worktrees are as they were"

t=$(mktree good)
before=$(state "$t")
prepare "$t" good
wt=$scratch/work-good/src
n=$(grep -vc '^#' "$patches/series")
ktap_result "$([ $rc = 0 ] && [ "$(git -C "$wt" rev-list --count HEAD ^"$(git -C "$t" rev-parse HEAD)")" = "$n" ]; echo $?)" \
	"a 6.12.y KERNEL_SRC gets the series in a worktree of its own ($n commits)"
ktap_result "$([ "$(git -C "$t" symbolic-ref HEAD)" = refs/heads/my-feature ] &&
       [ "$(git -C "$t" status --porcelain)" = "?? NOTES" ] &&
       [ "$(git -C "$t" for-each-ref)" = "$(grep '^[0-9a-f]* commit' <<<"$before")" ]; echo $?)" \
	"a KERNEL_SRC run leaves the user's branch, HEAD and files alone"
ktap_end
