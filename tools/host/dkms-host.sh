#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-host.sh DIR ROOT DEBIAN DEB [OLD_DEB]
# SVT_AUTOPKGTEST=DSC dkms-host.sh ...: then also the package's autopkgtest
#
# svvptc-kvm-dkms (DEB, from deb.sh) through a Debian 13 host's apt life,
# in a copy of the trixie build root ROOT (trixie-root.sh) that takes
# riscv64 as a foreign architecture: Debian's riscv64 kernels (DEBIAN is
# vmm.sh's DIR/debian: its version is N, the newest 6.12; N-1 is the one
# before it in trixie(-security)) and linux-source-6.12 come from the
# archive through the root's own apt, so that every kernel, source and
# package postinst, dpkg trigger and dkms hook runs as on a host. Only
# the kernels' riscv64 header packages are unpacked by hand: they depend
# on gcc-14 of riscv64, which an amd64 root cannot install; dkms builds
# with Debian 13's cross compiler, which the riscv64 headers name (make
# package tries the native build on a riscv64 root: native-host.sh).
#
# The cases, one after the other, each an apt (or dpkg) run, then what an
# operator would look at:
#
#   fresh            apt install ./DEB on kernel N-1 (its source installed)
#   remove           apt remove svvptc-kvm-dkms
#   previous         apt install ./OLD_DEB (the package's previous version)
#   package-upgrade  apt install ./DEB over it
#   source-late-kernel  kernel N alone, with linux-source-6.12 N-1 (a
#                    mirror that has the kernel before its source)
#   revision         a linux-source-6.12 of N's upstream version but
#                    Debian revision -2 (kernel N is -1) arrives
#   drift            kernel N reinstalled on a linux-source-6.12 N whose
#                    mmu.c no longer takes patch 0004
#   applied          a linux-source-6.12 N that already has 0004 arrives
#   source-late      Debian's linux-source-6.12 N arrives
#   kernel-upgrade   kernel N and linux-source-6.12 N in one apt run (N
#                    and its module removed first)
#   amd64            a 6.12 amd64 kernel and its headers installed
#   purge            apt purge svvptc-kvm-dkms
#
# For each case NAME, in DIR/cases/NAME/: rc (apt's exit status), audit
# (dpkg --audit), said (the lines starting "svvptc-kvm:" that the operator
# saw), kvm (per kernel: the kvm.ko modprobe finds), dkms (dkms status),
# cache (the source versions kept), out (all apt printed), order (for
# kernel-upgrade: which of source and image dpkg unpacked first).
#
# Also in DIR: the .debs, lintian.txt (--pedantic), kvm.ko (the module
# dkms installed for N), kvm-debian.ko (Debian's), modules-debian/ and
# modules-package/ (N's /lib/modules as Debian's packages and as the
# package leave it: kvm, its lists), facts.txt ("NAME: VALUE" lines), and
# times.txt (seconds per case).
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin
. "$(dirname "$(realpath "$0")")/lib.sh" && args 4 5 "DIR ROOT DEBIAN DEB [OLD_DEB]" "$@"

dir=$(realpath -m "$1")
base=$(realpath "$2")
debian=$(realpath "$3")
deb=$(realpath "$4")
old=${5:+$(realpath "$5")}
archives=$(dirname "$base")/archives     # downloads kept across runs
root=$dir/root

read -r kpkg nver <"$debian/version"
nabi=${kpkg#linux-image-}
rm -rf "$dir" && mkdir -p "$dir/cases" "$archives"
facts=$dir/facts.txt
: >"$facts"
fact() { echo "$1: $2" >>"$facts"; }
# Debian's riscv64 headers name the cross compiler themselves
# (.kernelvariables: ARCH, CROSS_COMPILE, CC), so dkms's build needs
# nothing of the environment an amd64 root differs by; their own
# DEBIAN_KERNEL_USE_CCACHE puts ccache in front of it, which makes a
# rebuild of the same sources for the same kernel cheap (the cases build
# kvm.ko for N-1 and for N more than once).
inroot() {
	SVT_ROOT_ENV="DEBIAN_KERNEL_USE_CCACHE=1 CCACHE_DIR=/var/cache/svt-ccache" "$here/in-root.sh" "$root" "$@"
}
apt_() { inroot apt-get -q -y -o Dpkg::Use-Pty=0 "$@"; }

echo "  DKMS    lifecycle of $(basename "$deb") in a copy of $base (logs: $dir)" >&2
cp -a "$base" "$root"
cp -al "$archives/." "$root/var/cache/apt/archives/" 2>/dev/null || true
trap 'cp -nl "$root"/var/cache/apt/archives/*.deb "$archives/" 2>/dev/null || true; [ -n "${SVT_KEEP_ROOT:-}" ] || rm -rf "$root"' EXIT
inroot dpkg --add-architecture riscv64
apt_ update >"$dir/apt-update.log" 2>&1 || die "apt-get update in the root failed (log: $dir/apt-update.log)"

# N-1: the newest 6.12 before N whose image and source are published.
pver() { inroot apt-cache madison "$1" | awk -v p="$1" '$1 == p { print $3 }'; }
srcs=$(pver linux-source-6.12)
prev=
for v in $(printf '%s\n' $srcs | sort -rV); do
	dpkg --compare-versions "$v" lt "$nver" || continue
	a=$(echo "$v" | sed 's/-[^-]*$//')+deb13-riscv64
	if pver "linux-image-$a:riscv64" | grep -qxF "$v"; then
		prev=$v
		pabi=$a
		break
	fi
done
[ -n "$prev" ] || die "no 6.12 kernel before $nver with its source in trixie(-security)"
fact versions "$prev $nver"
echo "  DKMS    kernels $pabi ($prev) and $nabi ($nver)" >&2

# kernel ABI VERSION: apt-get arguments for a kernel's packages that an
# amd64 root can install, after its riscv64 headers are unpacked by hand.
kernel() {
	local abi=$1 v=$2
	inroot sh -c "cd /var/cache/apt/archives && apt-get -q download linux-headers-$abi:riscv64=$v" \
		>>"$dir/download.log" 2>&1 || die "downloading linux-headers-$abi $v failed (log: $dir/download.log)"
	dpkg-deb -x "$root"/var/cache/apt/archives/linux-headers-"$abi"_"$v"_riscv64.deb "$root"
	echo "linux-image-$abi:riscv64=$v linux-kbuild-${abi%-riscv64}=$v linux-headers-${abi%-riscv64}-common=$v"
}

# record NAME: what the operator and the host show after a case.
record() {
	local c=$dir/cases/$1 k
	mkdir -p "$c"
	grep -E '^svvptc-kvm: ' "$c/out" | sort -u >"$c/said" || true
	inroot dpkg --audit >"$c/audit" 2>&1 || true
	inroot dkms status svvptc-kvm >"$c/dkms" 2>&1 || true
	: >"$c/kvm"
	for k in $(ls "$root/usr/lib/modules"); do
		echo "$k $(inroot modprobe -S "$k" -n -v kvm 2>&1 | grep -o '/[^ ]*kvm\.ko[^ ]*' | tail -1 |
			sed "s|^/lib/modules/$k/||; s|^/usr/lib/modules/$k/||")" >>"$c/kvm"
	done
	ls "$root/var/lib/svvptc-kvm" 2>/dev/null | tr '\n' ' ' >"$c/cache" || true
	echo "  DKMS    $1: apt exit $(cat "$c/rc"), $(tr '\n' ' ' <"$c/kvm")" >&2
}

# run NAME COMMAND...: one case's apt or dpkg run, recorded.
run() {
	local name=$1 t0=$SECONDS
	shift
	mkdir -p "$dir/cases/$name"
	"$@" >"$dir/cases/$name/out" 2>&1 && echo 0 >"$dir/cases/$name/rc" ||
		echo $? >"$dir/cases/$name/rc"
	echo "$name $((SECONDS - t0))" >>"$dir/times.txt"
	record "$name"
}

# source VARIANT: a linux-source-6.12 package of N made from Debian's, as
# a local admin or a later upload could have it: drift (0004's context
# in mmu.c changed), applied (0004 already in), revision (Debian revision
# -2). Its tarball holds what the package reads, from Debian's of N.
source_variant() {
	local v=$1 s=$dir/src-$1 ver=$nver ndeb=$root/var/cache/apt/archives/linux-source-6.12_${nver}_all.deb
	if [ ! -d "$dir/src-debian" ]; then
		[ -f "$ndeb" ] || inroot sh -c "cd /var/cache/apt/archives && apt-get -q download linux-source-6.12=$nver" \
			>>"$dir/download.log" 2>&1 || die "downloading linux-source-6.12 $nver failed (log: $dir/download.log)"
		mkdir -p "$dir/src-debian"
		dpkg-deb --fsys-tarfile "$ndeb" | tar -xO ./usr/src/linux-source-6.12.tar.xz |
			tar -C "$dir/src-debian" -xJ linux-source-6.12/Makefile linux-source-6.12/arch/riscv/kvm \
				linux-source-6.12/virt/kvm linux-source-6.12/arch/riscv/include/uapi/asm/kvm.h
	fi
	rm -rf "$s" && mkdir -p "$s/pkg/DEBIAN" "$s/pkg/usr/src"
	cp -a "$dir/src-debian" "$s/x"
	case $v in
	drift) sed -i 's/goto next;/goto skip;/' "$s/x/linux-source-6.12/arch/riscv/kvm/mmu.c" ;;
	applied) patch -s -d "$s/x/linux-source-6.12" -p1 <"$(ls "$root"/usr/src/svvptc-kvm-*/patches/0004-*)" ;;
	revision) ver=${nver%-*}-2 ;;
	esac
	tar -C "$s/x" -cJf "$s/pkg/usr/src/linux-source-6.12.tar.xz" linux-source-6.12
	dpkg-deb -f "$ndeb" | sed "s/^Version: .*/Version: $ver/; /^Installed-Size:/d" >"$s/pkg/DEBIAN/control"
	dpkg-deb -Zxz -b "$s/pkg" "$root/build/linux-source-6.12_${ver}_$v.deb" >/dev/null
	echo "/build/linux-source-6.12_${ver}_$v.deb"
}

fact package "$(dpkg-deb -f "$deb" Version)"
fact patches "$(dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/svvptc-kvm-*/patches/series' |
	tr '\n' ' ')"
mkdir -p "$root/build"
cp "$deb" "$root/build/"
[ -z "$old" ] || cp "$old" "$root/build/"
inroot lintian --pedantic "/build/$(basename "$deb")" >"$dir/lintian.txt" 2>&1 && fact lintian "rc=0" ||
	fact lintian "rc=$?"

# Kernel N-1 and its source, as a host had them before the package.
t0=$SECONDS
apt_ install --allow-downgrades $(kernel "$pabi" "$prev") "linux-source-6.12=$prev" >"$dir/setup.log" 2>&1 ||
	{ tail -5 "$dir/setup.log" >&2; die "installing kernel $prev failed (log: $dir/setup.log)"; }
echo "setup $((SECONDS - t0))" >>"$dir/times.txt"

run fresh apt_ install "/build/$(basename "$deb")"
run remove apt_ remove svvptc-kvm-dkms
if [ -n "$old" ]; then
	run previous apt_ install "/build/$(basename "$old")"
	run package-upgrade apt_ install "/build/$(basename "$deb")"
else
	run package-upgrade apt_ install "/build/$(basename "$deb")"
fi

# Kernel N before its source (a mirror that has the kernel first): dkms
# skips it; Debian's kvm.ko is the one of N until the source arrives.
nargs=$(kernel "$nabi" "$nver")
mods=$root/usr/lib/modules/$nabi
filt=(--include='/modules.*' --include='/kernel/' --include='/kernel/arch/' --include='/kernel/arch/riscv/'
      --include='/kernel/arch/riscv/kvm/***' --include='/updates/***' --exclude='*')
run source-late-kernel apt_ install $nargs "linux-source-6.12=$prev"
# Kernel N as Debian's packages leave it, for the scenarios.
rsync -a "${filt[@]}" "$mods/" "$dir/modules-debian/"

# Sources of N that the patches do not fit, arriving after the kernel
# (the trigger asks dkms again): another Debian revision; 0004's context
# changed (then the kernel reinstalled too, as an upgrade meets it); 0004
# already in. The revision comes first: no sources of N are kept yet.
src=$(source_variant revision)
run revision inroot dpkg -i "$src"
src=$(source_variant drift)
inroot dpkg -i "$src" >"$dir/drift-source.log" 2>&1 || die "dpkg -i $src failed (log: $dir/drift-source.log)"
# apt upgrades every installed binary of src:linux with the kernel
# (Upgrade-By-Source-Package): held, the drifted source stays, as if it
# were the archive's.
inroot apt-mark hold linux-source-6.12 >/dev/null
run drift apt_ install --reinstall "linux-image-$nabi:riscv64"
inroot apt-mark unhold linux-source-6.12 >/dev/null
src=$(source_variant applied)
run applied inroot dpkg -i "$src"

# Then Debian's own source of N arrives: the trigger builds N's module.
run source-late apt_ install --allow-downgrades "linux-source-6.12=$nver"
# Debian's and the package's module for N, for the scenarios and the facts.
ko=$(ls "$mods"/updates/dkms/kvm.ko* 2>/dev/null | head -1) || true
if [ -n "$ko" ]; then
	fact installed "${ko#"$root"}"
	xz -dc "$ko" >"$dir/kvm.ko" 2>/dev/null || cp "$ko" "$dir/kvm.ko"
	xz -dc "$dir/modules-debian/kernel/arch/riscv/kvm/kvm.ko.xz" >"$dir/kvm-debian.ko"
	cp "$dir/kvm.ko" "$dir/kvm-debian.ko" "$root/build/"
	fact vermagic "$(inroot modinfo -F vermagic /build/kvm.ko)"
	fact debian-vermagic "$(inroot modinfo -F vermagic /build/kvm-debian.ko)"
	fact machine "$(inroot readelf -h /build/kvm.ko | sed -n 's/^ *Machine: *//p')"
	fact signer "$(inroot modinfo -F signer /build/kvm.ko)"
	# The tree the deb-host scenarios load from: kvm and the lists.
	rsync -a "${filt[@]}" "$mods/" "$dir/modules-package/"
fi

# The one transaction of a security upgrade: kernel N and its source.
apt_ purge "linux-image-$nabi:riscv64" >"$dir/reset.log" 2>&1 || die "purging $nabi failed (log: $dir/reset.log)"
apt_ install --allow-downgrades "linux-source-6.12=$prev" >>"$dir/reset.log" 2>&1 ||
	die "linux-source-6.12=$prev failed (log: $dir/reset.log)"
nargs=$(kernel "$nabi" "$nver")
run kernel-upgrade apt_ install $nargs "linux-source-6.12=$nver"
sed -n "s/^Unpacking \(linux-source-6.12\|linux-image-$nabi\(:riscv64\)\?\) .*/\1/p" \
	"$dir/cases/kernel-upgrade/out" | tr '\n' ' ' >"$dir/cases/kernel-upgrade/order"

run amd64 apt_ install "linux-image-${nabi%-riscv64}-amd64" "linux-headers-${nabi%-riscv64}-amd64"
run purge apt_ purge svvptc-kvm-dkms
fact purge-left "$(ls -d "$root/var/lib/svvptc-kvm" 2>/dev/null)"

# make package: the package's own Testsuite (autopkgtest-pkg-dkms) with
# Debian's autopkgtest on this root (null testbed), every kernel above
# installed: autodep8's dkms test installs the package and builds it for
# each kernel with headers.
if [ -n "${SVT_AUTOPKGTEST:-}" ]; then
	dsc=$(realpath "$SVT_AUTOPKGTEST")
	cp "$dsc" "$(dirname "$dsc")"/svvptc-kvm_*.tar.xz "$root/build/"
	apt_ install autopkgtest autodep8 >"$dir/autopkgtest-install.log" 2>&1 ||
		die "installing autopkgtest failed (log: $dir/autopkgtest-install.log)"
	# autodep8's test says breaks-testbed, which a null testbed cannot
	# revert: this copy of the root is thrown away after it.
	run autopkgtest inroot autopkgtest --ignore-restrictions=breaks-testbed --output-dir /build/autopkgtest \
		"/build/$(basename "$dsc")" "/build/$(basename "$deb")" -- null
	cp "$root/build/autopkgtest/summary" "$dir/autopkgtest-summary" 2>/dev/null || true
fi
