#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmm.sh DIR: what the L1 guest needs to boot its own (L2) guests, from
# Debian 13 "trixie" riscv64, downloaded through a private apt
# configuration under DIR/apt (own sources list, state and cache; the
# host's apt setup is neither read nor changed) and unpacked with dpkg-deb
# (no maintainer scripts):
#
#   DIR/vmm/          the VMM: bin/qemu-system-riscv64, bin/kmod and the shared
#                     objects they need, lib/ld-linux-riscv64-lp64d.so.1,
#                     libc.so.6, ... (trixie's own), and bin/busybox
#                     (busybox-static: the shell of the kit's boots) and
#                     bin/bash and bin/timeout (trixie's bash and
#                     coreutils' timeout, with their libraries: root's
#                     shell and the timeout the kernel's run_kselftest.sh
#                     calls as /usr/bin/timeout --foreground, in the LAVA
#                     job's board ramdisk); the runner packs it as /vmm
#                     of the L1 initramfs
#   DIR/debian/Image  the distribution guest: the kernel of the newest
#                     linux-image-6.12.*-riscv64 package, unmodified
#                     (its /boot/vmlinux-*, which QEMU boots directly),
#   DIR/debian/config its config, DIR/debian/version its package version,
#   DIR/debian/modules/  of that package's /lib/modules/ABI: KVM (Debian's
#                     kvm.ko.xz) and the lists depmod reads,
#   DIR/debian/debs/  that kernel's riscv64 header packages, for the
#                     module build of dkms-host.sh.
#
# The kernel is the newest 6.12 whose image, headers and source
# (linux-source-6.12 of the same version) are all published in trixie or
# trixie-security: the same one is Debian's guest and Debian's host in
# every scenario.
#
# Run the VMM inside a guest as
#   /vmm/lib/ld-linux-riscv64-lp64d.so.1 --library-path /vmm/lib /vmm/bin/qemu-system-riscv64
# so that it never mixes with the initramfs' own (bookworm) libc.
# Every run fetches anew; the runner runs it when DIR is not fresh.
#
# The suites are tried by their codename (trixie and trixie-security),
# then by their alias (stable and stable-security): a mirror caught
# between two syncs can serve a Packages index that no longer matches one
# of the two Release files ("File has unexpected size"). Whatever name
# answers, its Release file must say Codename: trixie.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 1 1 "DIR" "$@"

dir=$(realpath -m "$1")
codename=${VMM_SUITE:-trixie}
mirror=${VMM_MIRROR:-http://deb.debian.org/debian}


apt=$dir/apt
papt "$apt" riscv64

# update SUITE: a complete, signed index of SUITE whose codename is ours.
update() {
	rm -rf "$apt/state/lists" && mkdir -p "$apt/state/lists/partial"
	local sb="deb [arch=riscv64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"
	printf '%s\n' "$sb $mirror $1 main" "$sb ${mirror%/debian}/debian-security $1-security main" \
		>"$apt/etc/sources.list"
	echo "== apt-get update ($1)" >>"$dir/apt.log"
	"${aptc[@]}" update >>"$dir/apt.log" 2>&1 &&
		grep -qx "Codename: $codename" "$apt"/state/lists/*_InRelease && return 0
	echo "  VMM     no usable $1 index from $mirror (log: $dir/apt.log)"
	return 1
}

echo "  VMM     $codename riscv64 qemu-system-riscv (private apt: $apt)"
: >"$dir/apt.log"
update "$codename" || update stable ||
	{ tail -5 "$dir/apt.log" >&2; die "apt-get update for $codename riscv64 failed (log: $dir/apt.log)"; }
# The newest 6.12 riscv64 kernel whose image, headers and source are all
# published (a security upload can reach the mirror one package at a time).
cache=("${aptc[@]/#apt-get/apt-cache}")
version_of() { "${cache[@]}" show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p'; }
srcs=$("${cache[@]}" madison linux-source-6.12 2>>"$dir/apt.log" | awk '{print $3}')
kpkg=
for p in $("${cache[@]}" pkgnames linux-image-6.12. 2>>"$dir/apt.log" |
	   grep -E '^linux-image-6\.12\.[0-9]+.*-riscv64$' | sort -rV); do
	v=$(version_of "$p")
	h=${p/linux-image-/linux-headers-}
	if [ -n "$v" ] && [ "$(version_of "$h")" = "$v" ] && printf '%s\n' $srcs | grep -qxF "$v"; then
		kpkg=$p
		break
	fi
	echo "  VMM     $p $v: headers or linux-source-6.12 $v not published, not taken"
done
[ -n "$kpkg" ] || die "no linux-image-6.12.*-riscv64 with its headers and source in $codename riscv64 (log: $dir/apt.log)"
hpkg=${kpkg/linux-image-/linux-headers-}
rm -f "$apt"/cache/archives/*.deb
"${aptc[@]}" install -y -d qemu-system-riscv kmod busybox-static bash coreutils "$kpkg" "$hpkg" >>"$dir/apt.log" 2>&1 ||
	{ tail -5 "$dir/apt.log" >&2; die "downloading $codename riscv64 qemu-system-riscv, kmod, busybox-static, bash, coreutils, $kpkg and $hpkg failed (log: $dir/apt.log)"; }

root=$dir/root
rm -rf "$root" && mkdir -p "$root"
for deb in "$apt"/cache/archives/*.deb; do
	case "$(basename "$deb")" in
	"${kpkg}_"*)	# /boot, and of the modules KVM and depmod's lists
		dpkg-deb --fsys-tarfile "$deb" | tar -C "$root" -x --wildcards './boot/*' \
			'./lib/modules/*/modules.order' './lib/modules/*/modules.builtin' \
			'./lib/modules/*/modules.builtin.modinfo' './lib/modules/*/kernel/arch/riscv/kvm/*' \
			'./usr/lib/modules/*/modules.order' './usr/lib/modules/*/modules.builtin' \
			'./usr/lib/modules/*/modules.builtin.modinfo' \
			'./usr/lib/modules/*/kernel/arch/riscv/kvm/*' 2>/dev/null || true ;;
	linux-headers-*|linux-kbuild-*)
		;;
	*)	dpkg-deb -x "$deb" "$root" ;;
	esac
done
kimg=$(ls "$root"/boot/vmlinux-* 2>/dev/null | head -1)
[ -n "$kimg" ] || die "no /boot/vmlinux-* in $kpkg"
rm -rf "$dir/debian" && mkdir -p "$dir/debian"
cp "$kimg" "$dir/debian/Image"
cp "$root/boot/config-${kimg##*/vmlinux-}" "$dir/debian/config"
dpkg-deb -W --showformat='${Package} ${Version}\n' "$apt/cache/archives/${kpkg}_"*.deb >"$dir/debian/version"
abi=${kimg##*/vmlinux-}
mods=$root/usr/lib/modules/$abi
[ -d "$mods" ] || mods=$root/lib/modules/$abi
[ -f "$mods/kernel/arch/riscv/kvm/kvm.ko.xz" ] || die "no kernel/arch/riscv/kvm/kvm.ko.xz in $kpkg"
cp -a "$mods" "$dir/debian/modules"
mkdir -p "$dir/debian/debs"
cp "$apt"/cache/archives/linux-headers-*.deb "$dir/debian/debs/"
echo "  VMM     $dir/debian: $(cat "$dir/debian/version")"
qemu=$root/usr/bin/qemu-system-riscv64
[ -x "$qemu" ] || die "no usr/bin/qemu-system-riscv64 in the downloaded packages"

# The binary and the closure of its DT_NEEDED libraries, trixie's loader first.
stage=$dir/vmm
bash=$root/usr/bin/bash
[ -x "$bash" ] || bash=$root/bin/bash
[ -x "$bash" ] || die "no bash in the bash package"
stage_closure "$root" "$stage" "$qemu" "$root/usr/bin/kmod" "$bash" "$root/usr/bin/timeout"
busybox=
for f in "$root/usr/bin/busybox" "$root/bin/busybox"; do
	[ -x "$f" ] && { busybox=$f; break; }
done
[ -n "$busybox" ] || die "no busybox in busybox-static"
if readelf -d "$busybox" | grep -q NEEDED; then
	die "busybox-static's busybox is not static"
fi
cp "$busybox" "$stage/bin/"
echo "  VMM     $stage: $(find "$stage/lib" -type f | wc -l) libraries, $(du -sm "$stage" | cut -f1) MB"
rm -rf "$root"
