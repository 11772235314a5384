#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# trixie-root.sh DIR: a Debian 13 "trixie" amd64 root in DIR/root, made
# with debootstrap, with Debian 13's toolchain for the riscv64 kernel
# (riscv64-linux-gnu-gcc-14, binutils 2.44: what Debian builds its 6.12
# kernel with), dkms, initramfs-tools, lintian and ccache, and
# binutils-multiarch: dkms strips the module's debug information with the
# root's own strip, as a riscv64 host's strip does. The root's own apt
# reads trixie and trixie-security; the host's apt setup is neither read
# nor changed. dkms-host.sh installs the kernels and the package in a
# copy of it; this root stays as made.
#
# Every run makes the root anew (the runner runs it when DIR is not
# fresh); progress goes to stderr, the logs to DIR/*.log.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 1 1 "DIR" "$@"

dir=$(realpath -m "$1")
mirror=${TRIXIE_MIRROR:-http://deb.debian.org}
root=$dir/root
pkgs=(build-essential gcc-riscv64-linux-gnu binutils-multiarch make patch xz-utils kmod dkms lintian
      openssl ccache initramfs-tools rsync)

[ "$(id -u)" = 0 ] || die "debootstrap and chroot need root"
command -v debootstrap >/dev/null || die "debootstrap missing: run 'make deps'"
mkdir -p "$dir"
rm -rf "$root"
echo "  ROOT    debootstrap trixie amd64 -> $root (log: $dir/debootstrap.log)" >&2
debootstrap --variant=minbase --arch=amd64 trixie "$root" "$mirror/debian" \
	>"$dir/debootstrap.log" 2>&1 ||
	{ tail -5 "$dir/debootstrap.log" >&2; die "debootstrap trixie failed (log: $dir/debootstrap.log)"; }
cat >"$root/etc/apt/sources.list" <<-EOF
	deb $mirror/debian trixie main
	deb $mirror/debian-security trixie-security main
EOF
echo 'APT::Install-Recommends "0";' >"$root/etc/apt/apt.conf.d/99svt"
# The kernels' initramfs images are made (their postinst hooks run as on
# a host) but never booted: the modules an initramfs-tools host lists
# (MODULES=list, initramfs.conf(5)) instead of most of them, 4 s instead
# of 13 s per kernel.
mkdir -p "$root/etc/initramfs-tools/conf.d"
echo MODULES=list >"$root/etc/initramfs-tools/conf.d/svt-modules"
echo "  ROOT    apt-get install ${pkgs[*]} (log: $dir/apt.log)" >&2
"$here/in-root.sh" "$root" sh -c "apt-get -q update && apt-get -q install -y ${pkgs[*]} && apt-get clean" \
	>"$dir/apt.log" 2>&1 ||
	{ tail -5 "$dir/apt.log" >&2; die "installing the toolchain in $root failed (log: $dir/apt.log)"; }
"$here/in-root.sh" "$root" riscv64-linux-gnu-gcc --version | head -1 >&2
