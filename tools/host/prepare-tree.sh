#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# prepare-tree.sh WORK PATCHES
#
# Give the harness a 6.12 source tree with the series applied, without
# touching anybody's checked-out branch:
#
#   base    KERNEL_SRC (a git tree of the user's) if set, otherwise Debian's
#           linux-source-6.12 unpacked once into WORK/linux and committed
#           there as the tag "base".
#   WORK/src  a detached git worktree of the base. The series is applied
#           there with "git am", one patch at a time. The worktree is reused
#           between runs (git only rewrites files that change, so the kernel
#           build stays incremental).
#
# Progress goes to stderr; on success the last line on stdout is
#   base=<commit> tip=<commit> version=<x.y.z>
# (the runner keeps them as named state). On a patch that does not apply:
# names it, runs "git am --abort", removes the worktree (the base
# repository is left as it was) and exits 1. Every run applies the series
# anew: whether that is needed is the caller's question (the runner asks
# it with its one freshness rule).
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 2 2 "WORK PATCHES" "$@"

work=$(realpath -m "$1")
patches=$(realpath "$2")
wt=$work/src

mkdir -p "$work"

if [ -n "${KERNEL_SRC:-}" ]; then
	[ -d "$KERNEL_SRC" ] || die "KERNEL_SRC=$KERNEL_SRC: no such directory"
	origin=$(realpath "$KERNEL_SRC")
	git -C "$origin" rev-parse --git-dir >/dev/null 2>&1 ||
		die "KERNEL_SRC=$origin is not a git tree (the series is applied with git am)"
	base=$(git -C "$origin" rev-parse --verify -q HEAD) ||
		die "KERNEL_SRC=$origin has no commit checked out"
else
	origin=$work/linux
	if ! git -C "$origin" rev-parse -q --verify base >/dev/null 2>&1; then
		tarball=/usr/src/linux-source-6.12.tar.xz
		[ -f "$tarball" ] ||
			die "$tarball missing: run 'make deps' (package linux-source-6.12)"
		echo "  UNPACK  $tarball -> $origin" >&2
		rm -rf "$origin" "$origin.tmp"
		mkdir -p "$origin.tmp"
		tar -C "$origin.tmp" --strip-components=1 -xJf "$tarball"
		ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || echo unknown)
		git -C "$origin.tmp" init -q
		# No "git gc --auto" repacking ~80000 loose objects in the
		# background while the kernel builds.
		git -C "$origin.tmp" config gc.auto 0
		git -C "$origin.tmp" add -A -f  # Debian's .gitignore ignores "/*"
		git -C "$origin.tmp" -c user.name=svvptc-harness -c user.email=harness@localhost \
			commit -q -m "Debian linux-source-6.12 $ver (unpacked base)"
		git -C "$origin.tmp" tag base
		mv "$origin.tmp" "$origin"
	fi
	base=$(git -C "$origin" rev-parse base)
fi

# The tree must be 6.12.y: the series is written for it.
mk=$(git -C "$origin" show "$base:Makefile" 2>/dev/null) ||
	die "$origin: no top-level Makefile at $base (not a kernel tree)"
ver=$(printf '%s\n' "$mk" | awk -F' = ' '/^VERSION/{v=$2} /^PATCHLEVEL/{p=$2} /^SUBLEVEL/{s=$2} END{print v "." p "." s}')
case "$ver" in
6.12.*) ;;
*) die "$origin is Linux $ver at ${base:0:12}; the series is for 6.12.y" ;;
esac

# A worktree of another origin (KERNEL_SRC changed): start over.
if [ -e "$wt/.git" ]; then
	common=$(git -C "$wt" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo /nonexistent)
	if [ "$common" != "$(git -C "$origin" rev-parse --path-format=absolute --git-common-dir)" ]; then
		rm -rf "$wt"
	fi
fi
git -C "$origin" worktree prune
if [ ! -e "$wt/.git" ]; then
	rm -rf "$wt"
	git -C "$origin" worktree add -q --detach "$wt" "$base"
fi

git -C "$wt" am --abort >/dev/null 2>&1 || true
git -C "$wt" checkout -q --force --detach "$base"
n=0
while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	# Deterministic commit ids for the same base and series.
	if ! GIT_COMMITTER_NAME=svvptc-harness GIT_COMMITTER_EMAIL=harness@localhost \
	     git -C "$wt" am -q --committer-date-is-author-date "$patches/$p" >"$work/am.log" 2>&1; then
		echo "prepare-tree: patch $p does not apply to $origin (${base:0:12}, Linux $ver):" >&2
		sed 's/^/  /' "$work/am.log" >&2
		git -C "$wt" am --abort >/dev/null 2>&1 || true
		git -C "$origin" worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
		git -C "$origin" worktree prune
		echo "prepare-tree: git am --abort done; $origin is unchanged" >&2
		exit 1
	fi
	n=$((n + 1))
done <"$patches/series"

echo "  TREE    $wt: $n patches applied on ${base:0:12} ($ver)" >&2
echo "base=$base tip=$(git -C "$wt" rev-parse HEAD) version=$ver"
