#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmm.sh DIR: the VMM the L1 guest uses to boot its own (L2) guest.
#
# Debian 13 "trixie" riscv64 qemu-system-riscv, downloaded through a private
# apt configuration under DIR/apt (own sources list, state and cache;
# the host's apt setup is neither read nor changed), unpacked with dpkg-deb
# (no maintainer scripts), reduced to qemu-system-riscv64 and the shared
# objects it needs, and packed as DIR/vmm.cpio.gz:
#
#   /vmm/bin/qemu-system-riscv64
#   /vmm/lib/ld-linux-riscv64-lp64d.so.1, libc.so.6, ... (trixie's own)
#
# Run it inside a guest as
#   /vmm/lib/ld-linux-riscv64-lp64d.so.1 --library-path /vmm/lib /vmm/bin/qemu-system-riscv64
# so that it never mixes with the initramfs' own (bookworm) libc.
# Done once: a later run with DIR/vmm.cpio.gz present does nothing.
#
# The suite is tried by its codename, then by its alias "stable": a mirror
# caught between two syncs can serve a Packages index that no longer
# matches one of the two Release files ("File has unexpected size").
# Whatever name answers, its Release file must say Codename: trixie.
set -euo pipefail

dir=$(realpath -m "$1")
out=$dir/vmm.cpio.gz
codename=${VMM_SUITE:-trixie}
mirror=${VMM_MIRROR:-http://deb.debian.org/debian}
die() { echo "vmm: $*" >&2; exit 1; }

[ -f "$out" ] && exit 0

apt=$dir/apt
mkdir -p "$apt"/{etc/sources.list.d,etc/preferences.d,state/lists/partial,cache/archives/partial}
: >"$apt/state/status"
aptc=(apt-get -q -o Dir::Etc="$apt/etc" -o Dir::Etc::SourceList="$apt/etc/sources.list"
      -o Dir::Etc::SourceParts="$apt/etc/sources.list.d"
      -o Dir::Etc::Preferences="$apt/etc/preferences" -o Dir::Etc::PreferencesParts="$apt/etc/preferences.d"
      -o Dir::State="$apt/state" -o Dir::State::status="$apt/state/status"
      -o Dir::Cache="$apt/cache" -o APT::Architecture=riscv64 -o APT::Architectures::=riscv64
      -o APT::Sandbox::User=root -o Debug::NoLocking=1 -o APT::Install-Recommends=0)

# update SUITE: a complete, signed index of SUITE whose codename is ours.
update() {
	rm -rf "$apt/state/lists" && mkdir -p "$apt/state/lists/partial"
	echo "deb [arch=riscv64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $1 main" \
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
"${aptc[@]}" install -y -d qemu-system-riscv >>"$dir/apt.log" 2>&1 ||
	{ tail -5 "$dir/apt.log" >&2; die "downloading $codename riscv64 qemu-system-riscv failed (log: $dir/apt.log)"; }

root=$dir/root
rm -rf "$root" && mkdir -p "$root"
for deb in "$apt"/cache/archives/*.deb; do
	dpkg-deb -x "$deb" "$root"
done
qemu=$root/usr/bin/qemu-system-riscv64
[ -x "$qemu" ] || die "no usr/bin/qemu-system-riscv64 in the downloaded packages"

# The binary and the closure of its DT_NEEDED libraries, trixie's loader first.
stage=$dir/stage
rm -rf "$stage" && mkdir -p "$stage/vmm/bin" "$stage/vmm/lib"
cp "$qemu" "$stage/vmm/bin/"
find_lib() {
	local d
	for d in lib/riscv64-linux-gnu usr/lib/riscv64-linux-gnu lib usr/lib; do
		[ -e "$root/$d/$1" ] && { echo "$root/$d/$1"; return 0; }
	done
	return 1
}
cp -L "$(find_lib ld-linux-riscv64-lp64d.so.1)" "$stage/vmm/lib/"
todo=("$qemu")
while [ ${#todo[@]} -gt 0 ]; do
	f=${todo[0]}
	todo=("${todo[@]:1}")
	for n in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -e "$stage/vmm/lib/$n" ] && continue
		lib=$(find_lib "$n") || die "$n (needed by $(basename "$f")) not in the packages"
		cp -L "$lib" "$stage/vmm/lib/$n"
		todo+=("$stage/vmm/lib/$n")
	done
done
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
echo "  VMM     $out: $(find "$stage/vmm/lib" -type f | wc -l) libraries, $(du -sm "$stage" | cut -f1) MB"
rm -rf "$root" "$stage"
