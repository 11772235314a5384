#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# native-host.sh DIR DEB DEBIAN CROSS_KO
#
# svvptc-kvm-dkms (DEB) on a Debian 13 riscv64 root, as on a riscv64 host:
# the root is debootstrapped for riscv64 (--foreign, then its second stage
# chrooted through qemu-user's binfmt_misc handler); everything in it
# (apt, dpkg, dkms, Debian's riscv64 gcc-14) runs as riscv64 code under
# qemu-user. The root is kept in DIR/root, made again only when its
# recipe (suite, mirror, packages) changes. DEBIAN is vmm.sh's DIR/debian
# (kernel N); N-1 is the 6.12 before it in trixie(-security). In a copy
# of the root:
#
#   install   kernel N-1 (image and headers through apt, as a host has
#             them) and linux-source-6.12 N-1, then apt install ./DEB:
#             dkms builds kvm.ko natively for N-1
#   upgrade   apt install of kernel N, its headers and linux-source-6.12 N
#             in one run: dkms builds kvm.ko natively for N
#
# Then the module built for N is compared with CROSS_KO, the one the
# amd64 root's cross compiler built for N (dkms-host.sh): the contents of
# every executable section must be the same.
#
# Results in DIR: facts.txt ("NAME: VALUE": each case's apt exit status
# and seconds, the sections compared), the logs, kvm-native.ko.
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin
. "$(dirname "$(realpath "$0")")/lib.sh" && args 4 4 "DIR DEB DEBIAN CROSS_KO" "$@"

mirror=${TRIXIE_MIRROR:-http://deb.debian.org}
dir=$(realpath -m "$1")
deb=$(realpath "$2")
debian=$(realpath "$3")
cross=$(realpath "$4")
base=$dir/root
root=$dir/work
[ "$(id -u)" = 0 ] || die "debootstrap and chroot need root"
command -v debootstrap >/dev/null || die "debootstrap missing: run 'make deps'"
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-riscv64 ]; then
	[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
		die "binfmt_misc cannot be mounted here"
	update-binfmts --enable qemu-riscv64 >/dev/null 2>&1 ||
		die "no binfmt_misc handler for riscv64 (tools/host/deps.sh native installs qemu-user-static, binfmt-support)"
fi
read -r kpkg nver <"$debian/version"
nabi=${kpkg#linux-image-}
inroot() { "$here/in-root.sh" "$root" "$@"; }
apt_() { inroot apt-get -q -y -o Dpkg::Use-Pty=0 "$@"; }

# The root, made again only when what makes it changes: the suite, the
# mirror, the packages (the key below).
pkgs="dkms gcc-14 make openssl"
key=$(echo "trixie riscv64 minbase $mirror $pkgs" | sha1sum)
stamp=$base/.svt-native
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$key" ]; then
	rm -rf "$base" && mkdir -p "$dir"
	echo "  NATIVE  debootstrap --foreign trixie riscv64 -> $base (log: $dir/debootstrap.log)" >&2
	debootstrap --foreign --variant=minbase --arch=riscv64 trixie "$base" "$mirror/debian" \
		>"$dir/debootstrap.log" 2>&1 &&
		chroot "$base" /debootstrap/debootstrap --second-stage >>"$dir/debootstrap.log" 2>&1 ||
		{ tail -5 "$dir/debootstrap.log" >&2; die "debootstrap riscv64 failed (log: $dir/debootstrap.log)"; }
	printf '%s\n' "deb $mirror/debian trixie main" "deb $mirror/debian-security trixie-security main" \
		>"$base/etc/apt/sources.list"
	echo 'APT::Install-Recommends "0";' >"$base/etc/apt/apt.conf.d/99svt"
	"$here/in-root.sh" "$base" sh -c "apt-get -q update && apt-get -q -y install $pkgs && apt-get clean" \
		>"$dir/apt.log" 2>&1 || { tail -5 "$dir/apt.log" >&2; die "apt in $base failed (log: $dir/apt.log)"; }
	echo "$key" >"$stamp"
fi

rm -rf "$root"
cp -a "$base" "$root"
trap 'rm -rf "$root"' EXIT
: >"$dir/facts.txt"
fact() { echo "$1: $2" >>"$dir/facts.txt"; }
apt_ update >"$dir/update.log" 2>&1 || die "apt-get update failed (log: $dir/update.log)"
prev=$(inroot apt-cache madison linux-source-6.12 | awk '{ print $3 }' | sort -rV |
	while read -r v; do dpkg --compare-versions "$v" lt "$nver" && { echo "$v"; break; }; done)
[ -n "$prev" ] || die "no linux-source-6.12 before $nver in trixie(-security)"
pabi=${prev%-*}+deb13-riscv64
fact versions "$prev $nver"
mkdir -p "$root/build"
cp "$deb" "$root/build/"

# case NAME COMMAND...: one apt run, timed, its exit status and the
# kvm.ko modprobe finds for each kernel recorded.
case_() {
	local name=$1 t0=$SECONDS rc=0
	shift
	echo "  NATIVE  $name" >&2
	"$@" >"$dir/$name.log" 2>&1 || rc=$?
	fact "$name" "rc=$rc seconds=$((SECONDS - t0)) audit=$(inroot dpkg --audit | wc -l)"
	for k in $(ls "$root/usr/lib/modules"); do
		fact "$name-kvm-$k" "$(inroot modprobe -S "$k" -n -v kvm 2>&1 | grep -o '[^/ ]*/[^ ]*kvm\.ko[^ ]*' | tail -1)"
	done
}

apt_ install "linux-image-$pabi=$prev" "linux-headers-$pabi=$prev" "linux-source-6.12=$prev" \
	>"$dir/setup.log" 2>&1 || { tail -5 "$dir/setup.log" >&2; die "installing kernel $prev failed (log: $dir/setup.log)"; }
case_ install apt_ install "/build/$(basename "$deb")"
case_ upgrade apt_ install "linux-image-$nabi=$nver" "linux-headers-$nabi=$nver" "linux-source-6.12=$nver"

ko=$(ls "$root/usr/lib/modules/$nabi"/updates/dkms/kvm.ko* 2>/dev/null | head -1) ||
	die "dkms installed no kvm.ko for $nabi (logs: $dir/upgrade.log)"
xz -dc "$ko" >"$dir/kvm-native.ko"
# sections FILE: "NAME SHA1" of every executable section of a module.
sections() {
	riscv64-linux-gnu-readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] \(\.[^ ]*\) .* AX .*/\1/p' | sort |
		while read -r s; do
			echo "$s $(riscv64-linux-gnu-objcopy -O binary --only-section="$s" "$1" /dev/stdout | sha1sum | cut -d' ' -f1)"
		done
}
sections "$dir/kvm-native.ko" >"$dir/sections-native.txt"
sections "$cross" >"$dir/sections-cross.txt"
fact sections "$(wc -l <"$dir/sections-native.txt")"
if cmp -s "$dir/sections-native.txt" "$dir/sections-cross.txt"; then
	fact code equal
else
	fact code "differ: $(diff "$dir/sections-cross.txt" "$dir/sections-native.txt" | grep '^[<>]' | head -3 | tr '\n' ' ')"
fi
echo "  NATIVE  $(tr '\n' ' ' <"$dir/facts.txt")" >&2
