#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh OUTDIR: build OUTDIR/fence-count.so, the QEMU TCG plugin of
# fence-count.c beside it, for the installed qemu-system-riscv64. Use it as
#
#   qemu-system-riscv64 ... -plugin OUTDIR/fence-count.so -d plugin -D FILE
#
# Debian ships no qemu-plugin.h, so it is taken from the orig tarball of
# Debian's qemu source package of exactly the installed version, fetched
# through a private apt configuration under OUTDIR/apt (own sources list,
# state and cache; the host's apt setup is neither read nor changed), from
# the suite that version comes from (bookworm-backports for ~bpo12, else
# this machine's codename). Only include/qemu/qemu-plugin.h is kept, as
# OUTDIR/include/<version>/qemu-plugin.h. The header includes <glib.h> for two types
# (GArray, GByteArray) that it only names through pointers and that the
# plugin does not use, so OUTDIR/include/glib.h declares just those two:
# no glib development package is needed.
#
# The runner runs it when fence-count.c, this script or the installed QEMU
# changed; the header is fetched once per QEMU version.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/../host/lib.sh" && args 1 1 "OUTDIR" "$@"

dir=$(realpath -m "$1")
src=$here/fence-count.c
so=$dir/fence-count.so
mirror=${PLUGIN_MIRROR:-http://deb.debian.org/debian}


# The installed QEMU: its source package's version (1:10.0.2+ds-2+deb13u1~bpo12+1)
# and upstream version (10.0.2), which the binary must report too.
command -v qemu-system-riscv64 >/dev/null || die "qemu-system-riscv64 is not installed (make deps)"
bin=$(dpkg-query -S "$(realpath "$(command -v qemu-system-riscv64)")" 2>/dev/null | cut -d: -f1) ||
	die "qemu-system-riscv64 belongs to no Debian package"
read -r srcpkg srcver < <(dpkg-query -W -f='${source:Package} ${source:Version}\n' "$bin") ||
	die "dpkg-query $bin failed"
upver=${srcver#*:}
upver=${upver%-*}
origver=$upver
upver=${upver%+ds*}
inc=$dir/include/$srcver
hdr=$inc/qemu-plugin.h
mkdir -p "$inc"
qemuver=$(qemu-system-riscv64 --version | sed -n '1s/^QEMU emulator version \([0-9.]*\).*/\1/p')
[ "$qemuver" = "$upver" ] ||
	die "qemu-system-riscv64 says version '$qemuver', its package $bin $srcver"

if [ ! -f "$hdr" ]; then
	case $srcver in
	*~bpo11*) suite=bullseye-backports ;;
	*~bpo12*) suite=bookworm-backports ;;
	*~bpo13*) suite=trixie-backports ;;
	*~bpo14*) suite=forky-backports ;;
	*) suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}") ;;
	esac
	[ -n "$suite" ] || die "cannot tell the Debian suite of $srcpkg $srcver"

	apt=$dir/apt
	log=$dir/apt.log
	papt "$apt" "$(dpkg --print-architecture)" \
		"deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main"
	mkdir -p "$apt/src"
	tarball=$apt/src/${srcpkg}_$origver.orig.tar.xz
	echo "  PLUGIN  qemu-plugin.h from $srcpkg $srcver ($suite, private apt: $apt)"
	if [ ! -f "$tarball" ]; then
		: >"$log"
		"${aptc[@]}" update >>"$log" 2>&1 && compgen -G "$apt/state/lists/*_Sources*" >/dev/null ||
			die "no $suite source index from $mirror (log: $log)"
		# The .dsc and .debian.tar.xz of a backport can be gone from the
		# mirror (404) while the orig tarball is still there, and apt
		# checks what it does download against the signed Sources index:
		# an error is fine as long as the tarball came.
		(cd "$apt/src" && "${aptc[@]}" source --download-only "$srcpkg=$srcver") >>"$log" 2>&1 || true
		[ -f "$tarball" ] ||
			die "$(basename "$tarball") not downloaded from $suite (log: $log)"
	fi
	rm -rf "$dir/tmp" && mkdir -p "$dir/tmp"
	tar -xJf "$tarball" -C "$dir/tmp" "qemu-$upver/include/qemu/qemu-plugin.h" 2>>"$dir/apt.log" ||
		die "no qemu-$upver/include/qemu/qemu-plugin.h in $(basename "$tarball")"
	mv "$dir/tmp/qemu-$upver/include/qemu/qemu-plugin.h" "$hdr"
	rm -rf "$dir/tmp"
fi

cat >"$inc/glib.h" <<-EOF
	/* The two glib types qemu-plugin.h names, as pointers only (see tools/plugin/build.sh). */
	typedef struct _GArray GArray;
	typedef struct _GByteArray GByteArray;
EOF
echo "  PLUGIN  $so"
gcc -shared -fPIC -O2 -Wall -Werror -fvisibility=hidden -I"$inc" -o "$so.tmp" "$src" 2>"$dir/gcc.log" ||
	die "gcc $(basename "$src") failed: $(grep -m1 'error' "$dir/gcc.log" || head -1 "$dir/gcc.log")"
mv "$so.tmp" "$so"
