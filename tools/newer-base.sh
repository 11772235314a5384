#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# newer-base.sh DIR PATCHES: a git tree of Debian's newest 6.12.y source,
# to show that the series also applies there (make check runs
# prepare-tree.sh on it as a user's KERNEL_SRC; apply only, no build).
#
# The newest linux-source-6.12 of trixie-security and trixie (an
# architecture-independent package) is downloaded through a private apt
# configuration under DIR/apt, and only the top-level Makefile and the
# files the series touches are unpacked from it and committed in
# DIR/linux-<version>. Prints that path. Done once per version.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 2 2 "DIR PATCHES" "$@"

dir=$(realpath -m "$1")
patches=$(realpath "$2")
mirror=${NEWER_MIRROR:-http://deb.debian.org}

papt "$dir/apt" amd64 \
	"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror/debian trixie main" \
	"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror/debian-security trixie-security main"
# Either index may be caught between two mirror syncs; one answering is
# enough, the policy below picks the newest version they offer.
"${aptc[@]}" update >"$dir/apt.log" 2>&1 || true
ver=$("${aptc[@]/#apt-get/apt-cache}" policy linux-source-6.12 2>>"$dir/apt.log" |
	sed -n 's/^ *Candidate: //p')
case "$ver" in
''|'(none)') die "no linux-source-6.12 in trixie or trixie-security (log: $dir/apt.log)" ;;
esac
tree=$dir/linux-$ver
if git -C "$tree" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	echo "$tree"
	exit 0
fi

echo "  NEWER   linux-source-6.12 $ver (private apt: $dir/apt)" >&2
rm -f "$dir"/apt/cache/archives/linux-source-6.12_*.deb
"${aptc[@]}" install -y -d "linux-source-6.12=$ver" >>"$dir/apt.log" 2>&1 ||
	die "downloading linux-source-6.12 $ver failed (log: $dir/apt.log)"
deb=$(ls "$dir"/apt/cache/archives/linux-source-6.12_*.deb)
files=$(cat "$patches"/0*.patch | sed -n 's|^--- a/||p' | sort -u)
rm -rf "$tree" "$tree.tmp" && mkdir -p "$tree.tmp"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.12.tar.xz |
	tar -C "$tree.tmp" -xJ --strip-components=1 \
		linux-source-6.12/Makefile $(sed 's|^|linux-source-6.12/|' <<<"$files")
git -C "$tree.tmp" init -q
git -C "$tree.tmp" add -A -f
git -C "$tree.tmp" -c user.name=svvptc-harness -c user.email=harness@localhost \
	commit -q -m "Debian linux-source-6.12 $ver (the files the series touches)"
mv "$tree.tmp" "$tree"
echo "$tree"
