#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mainline.sh DIR: the mainline kernel make bench compares the series with,
# Debian's linux-source-7.2 (suite unstable), downloaded through a private
# apt configuration under DIR/apt (the host's apt setup is neither read nor
# changed; nothing is installed) and unpacked into DIR/linux, with its
# package version in DIR/linux/.debian-version. A benchmark input only:
# make check never fetches or builds it. The Makefile runs it once (the
# target DIR/linux/.debian-version).
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 1 1 "DIR" "$@"

dir=$(realpath -m "$1")
pkg=${MAINLINE_PACKAGE:-linux-source-7.2}
mirror=${MAINLINE_MIRROR:-http://deb.debian.org/debian}


papt "$dir/apt" amd64 \
	"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror unstable main"
echo "  MAINLINE $pkg from unstable (private apt: $dir/apt)"
"${aptc[@]}" update >"$dir/apt.log" 2>&1 || die "apt-get update for unstable failed (log: $dir/apt.log)"
"${aptc[@]}" install -y -d "$pkg" >>"$dir/apt.log" 2>&1 ||
	die "downloading $pkg failed (log: $dir/apt.log)"
deb=$(ls "$dir"/apt/cache/archives/"${pkg}"_*.deb | tail -1)
rm -rf "$dir/linux" "$dir/linux.tmp" && mkdir -p "$dir/linux.tmp"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
	tar -C "$dir/linux.tmp" -xJ --strip-components=1
dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb" >"$dir/linux.tmp/.debian-version"
mv "$dir/linux.tmp" "$dir/linux"
echo "  MAINLINE $dir/linux: $(cat "$dir/linux/.debian-version")"
