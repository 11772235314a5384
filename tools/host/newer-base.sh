#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# newer-base.sh DIR
# newer-base.sh DIR VERSION FILE...
#
# Debian's newest 6.12.y source, to show that the series also applies
# there (make check applies it as a user's KERNEL_SRC; no build).
#
# With DIR alone: prints the newest version of linux-source-6.12 (an
# architecture-independent package) that trixie-security and trixie
# offer, read through a private apt configuration under DIR/apt.
# With VERSION and FILEs: downloads that version there and unpacks only
# the top-level Makefile and FILEs (the files the series touches) into the
# git tree DIR/linux-VERSION, committed; prints its path.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 1 - "DIR [VERSION FILE...]" "$@"

dir=$(realpath -m "$1")
mirror=${NEWER_MIRROR:-http://deb.debian.org}

papt "$dir/apt" amd64 \
	"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror/debian trixie main" \
	"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror/debian-security trixie-security main"
if [ $# = 1 ]; then
	# Either index may be caught between two mirror syncs; one answering
	# is enough, the policy picks the newest version they offer.
	"${aptc[@]}" update >"$dir/apt.log" 2>&1 || true
	ver=$("${aptc[@]/#apt-get/apt-cache}" policy linux-source-6.12 2>>"$dir/apt.log" |
		sed -n 's/^ *Candidate: //p')
	case "$ver" in
	''|'(none)') die "no linux-source-6.12 in trixie or trixie-security (log: $dir/apt.log)" ;;
	esac
	echo "$ver"
	exit 0
fi
ver=$2
shift 2
tree=$dir/linux-$ver
echo "  NEWER   linux-source-6.12 $ver (private apt: $dir/apt)" >&2
rm -f "$dir"/apt/cache/archives/linux-source-6.12_*.deb
"${aptc[@]}" install -y -d "linux-source-6.12=$ver" >>"$dir/apt.log" 2>&1 ||
	die "downloading linux-source-6.12 $ver failed (log: $dir/apt.log)"
deb=$(ls "$dir"/apt/cache/archives/linux-source-6.12_*.deb)
rm -rf "$tree" "$tree.tmp" && mkdir -p "$tree.tmp"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.12.tar.xz |
	tar -C "$tree.tmp" -xJ --strip-components=1 \
		linux-source-6.12/Makefile $(printf 'linux-source-6.12/%s\n' "$@")
git -C "$tree.tmp" init -q
git -C "$tree.tmp" add -A -f
git -C "$tree.tmp" -c user.name=svvptc-harness -c user.email=harness@localhost \
	commit -q -m "Debian linux-source-6.12 $ver (the files the series touches)"
rm -rf "$tree"
mv "$tree.tmp" "$tree"
echo "$tree"
