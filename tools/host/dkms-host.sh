#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-host.sh DIR ROOT DEBIAN PATCH...
#
# The svvptc-kvm-dkms package (tools/dkms/), built, linted, installed and
# removed as a Debian 13 host does it, in the trixie build root ROOT
# (trixie-root.sh), for Debian's riscv64 kernel of DEBIAN (vmm.sh's
# DIR/debian: its version, modules and header packages):
#
#   1. the kernel's headers (Debian's riscv64 packages, unpacked), its
#      modules as vmm.sh took them, and from trixie(-security) the amd64
#      linux-kbuild and linux-source-6.12 of that exact version;
#   2. the package: tools/dkms/ with the PATCH files, in their order (the
#      runner picks the host half of the series: build.host_half()), built
#      with dpkg-buildpackage, checked by lintian;
#   3. apt-get install ./svvptc-kvm-dkms_*.deb: dkms builds kvm.ko with the
#      package's own command, in the environment ARCH=riscv
#      CROSS_COMPILE=riscv64-linux-gnu- (what differs from a riscv64 host:
#      the build root is amd64), and installs it under updates/dkms;
#   4. bad input: the package's build command for a kernel that is not
#      6.12.y, with a source of another version, with a patch that no
#      longer applies;
#   5. apt-get remove: Debian's kvm.ko is the one modprobe finds again.
#
# Results in DIR: svvptc-kvm-dkms_*.deb, kvm.ko (what dkms installed),
# kvm-debian.ko (Debian's, decompressed), lintian.txt, facts.txt (the
# lines make check asserts: "NAME: VALUE"), bad-*.err and the logs.
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin
. "$(dirname "$(realpath "$0")")/lib.sh" && args 4 - "DIR ROOT DEBIAN PATCH..." "$@"

dir=$(realpath -m "$1")
root=$(realpath "$2")
deb=$(realpath "$3")
shift 3
patches=()
for p in "$@"; do patches+=("$(realpath "$p")"); done
pkgsrc=$(realpath "$here/../dkms")
inroot() { "$here/in-root.sh" "$root" "$@"; }

read -r kpkg kver <"$deb/version"
abi=${kpkg#linux-image-}
pver=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$pkgsrc/debian/changelog")
rm -rf "$dir" && mkdir -p "$dir"
facts=$dir/facts.txt
: >"$facts"
fact() { echo "$1: $2" >>"$facts"; }

# 1. The kernel, as a Debian 13 riscv64 host has it installed; nothing
#    left of an earlier run that stopped half-way.
echo "  DKMS    $abi ($kver) in $root (logs: $dir)" >&2
inroot sh -c 'if dpkg -s svvptc-kvm-dkms >/dev/null 2>&1; then apt-get -q purge -y svvptc-kvm-dkms; fi' \
	>"$dir/purge.log" 2>&1 || die "purging an earlier svvptc-kvm-dkms failed (log: $dir/purge.log)"
rm -rf "$root/var/lib/dkms/svvptc-kvm"
for d in "$deb"/debs/*.deb; do dpkg-deb -x "$d" "$root"; done
mods=$root/usr/lib/modules/$abi
rm -rf "$mods/kernel" "$mods/updates" && mkdir -p "$mods"
cp -a "$deb/modules/." "$mods/"
[ -e "$mods/build/.config" ] || die "no $abi headers in $deb/debs"
inroot sh -c "apt-get -q update && apt-get -q install -y linux-kbuild-${abi%-riscv64} linux-source-6.12=$kver" \
	>"$dir/apt-kernel.log" 2>&1 ||
	die "installing linux-kbuild-${abi%-riscv64} and linux-source-6.12=$kver failed (log: $dir/apt-kernel.log)"
inroot depmod "$abi"
# The tree as Debian's packages leave it (the stock host's /lib/modules).
rsync -a --exclude=/build --exclude=/source "$mods/" "$dir/modules-debian/"
xz -dc "$mods/kernel/arch/riscv/kvm/kvm.ko.xz" >"$dir/kvm-debian.ko"

# 2. The package.
rm -rf "$root/build" && mkdir -p "$root/build/svvptc-kvm-$pver/patches"
cp -a "$pkgsrc/." "$root/build/svvptc-kvm-$pver/"
rm -f "$root/build/svvptc-kvm-$pver/README"
for p in "${patches[@]}"; do
	cp "$p" "$root/build/svvptc-kvm-$pver/patches/"
	basename "$p" >>"$root/build/svvptc-kvm-$pver/patches/series"
done
fact patches "$(tr '\n' ' ' <"$root/build/svvptc-kvm-$pver/patches/series")"
inroot sh -c "cd /build/svvptc-kvm-$pver && dpkg-buildpackage -us -uc -b" >"$dir/build.log" 2>&1 ||
	{ tail -5 "$dir/build.log" >&2; die "dpkg-buildpackage failed (log: $dir/build.log)"; }
pkg=svvptc-kvm-dkms_${pver}_all.deb
cp "$root/build/$pkg" "$dir/"
inroot lintian "/build/$pkg" >"$dir/lintian.txt" 2>&1 && fact lintian "rc=0" ||
	fact lintian "rc=$?"

# 3. Installed as on a host (the dkms build log is kept whatever happens),
#    which also has an older 6.12 kernel whose source is not installed
#    (as after a kernel upgrade): dkms must skip that one, not fail.
old=$root/usr/lib/modules/6.12.1+deb13-riscv64
rm -rf "$old" && mkdir -p "$old" && ln -s "/usr/src/linux-headers-$abi" "$old/build"
SVT_ROOT_ENV="ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-" "$here/in-root.sh" "$root" apt-get -q install -y "/build/$pkg" \
	>"$dir/install.log" 2>&1 && fact install rc=0 || fact install "rc=$?"
cat "$root"/var/lib/dkms/svvptc-kvm/"$pver"/{build,"$abi"/*/log}/make.log >"$dir/make.log" 2>/dev/null || true
fact dkms-status "$(inroot dkms status svvptc-kvm | tr '\n' ' ')"
grep -q 'BUILD_EXCLUSIVE directive' "$dir/install.log" && fact older-kernel skipped ||
	fact older-kernel "not skipped"
fact older-kernel-modules "$(cd "$old" && find . -name 'kvm.ko*' | tr '\n' ' ')"
rm -rf "$old"
ko=$(ls "$mods"/updates/dkms/kvm.ko* 2>/dev/null | head -1) || true
if [ -n "$ko" ]; then
	fact installed "${ko#"$root"}"
	case "$ko" in *.xz) xz -dc "$ko" >"$dir/kvm.ko" ;; *) cp "$ko" "$dir/kvm.ko" ;; esac
	cp "$dir/kvm.ko" "$dir/kvm-debian.ko" "$root/build/"
	fact vermagic "$(inroot modinfo -F vermagic /build/kvm.ko)"
	fact debian-vermagic "$(inroot modinfo -F vermagic /build/kvm-debian.ko)"
	fact machine "$(inroot readelf -h /build/kvm.ko | sed -n 's/^ *Machine: *//p')"
	fact signer "$(inroot modinfo -F signer /build/kvm.ko)"
	# The tree as dkms leaves it (the patched host's /lib/modules).
	rsync -a --exclude=/build --exclude=/source "$mods/" "$dir/modules-package/"
fi
fact modprobe-finds "$(inroot modprobe -S "$abi" -n -v kvm 2>&1 | tr '\n' ' ')"

# 4. Bad input, with the package's build command as dkms runs it; the
#    modules tree must not change.
before=$(cd "$mods" && find . -type f | sort | xargs sha1sum)
# bad NAME KERNELVER [VAR=VALUE]: the build command, in a copy of the
# installed package's source, as dkms runs it for KERNELVER.
bad() {
	rm -rf "$root/build/bad" && cp -a "$root/usr/src/svvptc-kvm-$pver" "$root/build/bad"
	inroot sh -c "cd /build/bad && env ${3:-} ./svvptc-kvm-build $2 /usr/lib/modules/$abi/build" \
		>"$dir/bad-$1.out" 2>"$dir/bad-$1.err" && fact "bad-$1" rc=0 || fact "bad-$1" "rc=$?"
}
bad kernel 6.13.5+deb13-riscv64
# A Linux source of another version (Debian's, SUBLEVEL changed), and one
# that the series' G-stage fix (0004) no longer applies to.
mkdir -p "$root/build/other"
tar -C "$root/build/other" -xJf "$root/usr/src/linux-source-6.12.tar.xz" \
	linux-source-6.12/Makefile linux-source-6.12/arch/riscv/kvm linux-source-6.12/virt/kvm \
	linux-source-6.12/arch/riscv/include/uapi/asm/kvm.h
cp -a "$root/build/other" "$root/build/changed"
sed -i 's/^SUBLEVEL = .*/SUBLEVEL = 1/' "$root/build/other/linux-source-6.12/Makefile"
sed -i 's/goto next;/goto skip;/' "$root/build/changed/linux-source-6.12/arch/riscv/kvm/mmu.c"
tar -C "$root/build/other" -cJf "$root/build/other.tar.xz" linux-source-6.12
tar -C "$root/build/changed" -cJf "$root/build/changed.tar.xz" linux-source-6.12
bad source "$abi" SVVPTC_KVM_SOURCE=/build/other.tar.xz
bad patch "$abi" SVVPTC_KVM_SOURCE=/build/changed.tar.xz
after=$(cd "$mods" && find . -type f | sort | xargs sha1sum)
[ "$before" = "$after" ] && fact bad-modules unchanged || fact bad-modules changed
rm -rf "$root/build/bad" "$root/build/other" "$root/build/changed" "$root"/build/*.tar.xz

# 5. Removed: Debian's module is the one found again.
inroot apt-get -q remove -y svvptc-kvm-dkms >"$dir/remove.log" 2>&1 && fact remove rc=0 ||
	fact remove "rc=$?"
fact removed-left "$(cd "$mods" && find updates -name 'kvm.ko*' 2>/dev/null | tr '\n' ' ')"
fact removed-modprobe-finds "$(inroot modprobe -S "$abi" -n -v kvm 2>&1 | tr '\n' ' ')"
fact removed-debian "$(cd "$mods" && ls kernel/arch/riscv/kvm/)"
echo "  DKMS    $(grep -E '^(installed|vermagic|install|remove):' "$facts" | tr '\n' ' ')" >&2
