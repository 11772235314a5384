#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-series.sh WORK FRAGMENT [all|mainline]
#
# Build the test artifacts for the tip of WORK/src (the series applied by
# prepare-tree.sh), or with "all" for every commit from the base up to the
# tip, so each patch is shown to build on its own, or with "mainline" for
# the mainline kernel tools/mainline.sh unpacked (make bench only).
#
# Artifacts of a commit go to WORK/img/<tree id>/: Image, uapi headers,
# selftests (kernel.built), and initramfs.cpio.gz (our /init and programs,
# the riscv KVM selftests and the riscv64 loader and libc they link
# against; built). They are keyed by the tree id, so a commit whose tree was
# built before is never rebuilt, and a change to a guest program rebuilds
# only the initramfs. All builds share one incremental object tree,
# WORK/out/kernel. WORK/img/tip and WORK/img/base point at the artifacts of
# the tip and of the base; with "all", WORK/img/NNNN at those of the tree
# after patch NNNN.
# WORK/img/l2-initramfs.cpio.gz is the (kernel-independent) initramfs of
# the L2 guests that tools/l2.c boots.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 2 3 "WORK FRAGMENT [all|mainline]" "$@"

work=$(realpath -m "$1")
frag=$(realpath "$2")
mode=${3:-tip}
wt=$work/src
out=$work/out/kernel
sysroot=/usr/riscv64-linux-gnu

tip=$(git -C "$wt" rev-parse HEAD)
base=$(sed -n 1p "$work/src.stamp")
if [ "$mode" = all ]; then
	commits="$base $(git -C "$wt" rev-list --reverse "$base..$tip")"
else
	commits=$tip
fi

# The guest programs: tools/NAME.c, built for the L1 initramfs, and for
# the L2 initramfs too when marked "+l2". A new program is its file and
# an entry here; the scenarios run it as a step (tools/scenarios/).
progs="init+l2 clock-test+l2 pf-bench+l2 onereg-probe onereg-sweep l2"
l1_progs=$(printf '%s\n' $progs | sed 's/+l2$//')
l2_progs=$(printf '%s\n' $progs | sed -n 's/+l2$//p')
l1_src=("$here/guest.h" $(printf "$here/%s.c " $l1_progs))
l2_src=("$here/guest.h" $(printf "$here/%s.c " $l2_progs))

# Kernel side of a commit: Image, uapi headers and KVM selftests, kept in
# DST. Rebuilt only when missing or when the config fragment changed.
build_kernel() {
	local c=$1 dst=$2
	if [ -f "$dst/kernel.built" ] && [ "$dst/kernel.built" -nt "$frag" ]; then
		return 0
	fi
	echo "  BUILD   $(git -C "$wt" log -1 --format='%h %s' "$c")"
	[ "$(git -C "$wt" rev-parse HEAD)" = "$c" ] || git -C "$wt" checkout -q --detach "$c"
	keep_kernel "$wt" "$out" "$dst" "$(git -C "$wt" log -1 --format='%H %s' "$c")" "$frag"
}

# keep_kernel SRC OUT DST WHAT FRAGMENT...: build SRC into OUT and keep
# the Image, uapi headers and KVM selftests in DST.
keep_kernel() {
	local src=$1 o=$2 dst=$3 what=$4

	shift 4
	"$here/build-kernel.sh" "$src" "$o" "$@"
	rm -rf "$dst" && mkdir -p "$dst/ksft"
	cp "$o/arch/riscv/boot/Image" "$dst/Image"
	cp -r "$o/usr/include" "$dst/include"
	find "$o/kselftest/kvm" -maxdepth 2 -type f -perm -u+x ! -name '*.sh' \
		-exec cp {} "$dst/ksft/" \;
	echo "$what" >"$dst/commit"
	touch "$dst/kernel.built"
}

# initramfs OUT PROGS [IMG]: an initramfs of /init and the guest programs
# PROGS, the riscv64 loader and libc they link against and, with IMG (an
# artifact directory), the commit's KVM selftests, the programs then built
# against its uapi headers. Linked dynamically like the selftests:
# bookworm's riscv64 binutils 2.40 segfaults on -static and its cross libc
# has no rcrt1.o for -static-pie.
initramfs() {
	local out=$1 progs=$2 img=${3:-} stage=$1.root prog inc=()
	echo "  INITRD  $out"
	[ -z "$img" ] || inc=(-isystem "$img/include")
	rm -rf "$stage" && mkdir -p "$stage"/{bin,lib,proc,sys,dev,tmp}
	for prog in $progs; do
		riscv64-linux-gnu-gcc -O2 -Wall -Werror "${inc[@]}" -o "$stage/bin/$prog" "$here/$prog.c"
	done
	mv "$stage/bin/init" "$stage/init"
	[ -z "$img" ] || cp "$img"/ksft/* "$stage/bin/"
	cp "$sysroot/lib/ld-linux-riscv64-lp64d.so.1" "$sysroot/lib/libc.so.6" "$stage/lib/"
	pack "$stage" >"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$stage"
}

# Guest side of a commit: rebuilt when a program changed, without touching
# the kernel build.
build_initramfs() {
	fresh "$1/built" "$1/kernel.built" "${l1_src[@]}" && return 0
	initramfs "$1/initramfs.cpio.gz" "$l1_progs" "$1"
	touch "$1/built"
}

# The L2 guest's initramfs: one for every kernel (nothing in it depends on
# the kernel's headers).
build_l2_initramfs() {
	local dst=$work/img/l2-initramfs.cpio.gz
	fresh "$dst" "${l2_src[@]}" || initramfs "$dst" "$l2_progs"
}

build_one() {
	local c=$1 dst
	dst=$work/img/$(git -C "$wt" rev-parse "$c^{tree}")
	build_kernel "$c" "$dst"
	build_initramfs "$dst"
	echo "  READY   $(git -C "$wt" log -1 --format='%h %s' "$c")"
}

mkdir -p "$work/img"
build_l2_initramfs

# "mainline": the mainline kernel of tools/mainline.sh, for make bench,
# as WORK/img/mainline, with the same fragment (and what mainline needs
# on top of it, svvptc_kvm_mainline.config).
if [ "$mode" = mainline ]; then
	src=$(dirname "$work")/mainline/linux
	dst=$work/img/mainline
	mfrag=$(dirname "$frag")/svvptc_kvm_mainline.config
	if [ ! -f "$dst/kernel.built" ] || [ "$frag" -nt "$dst/kernel.built" ] ||
	   [ "$mfrag" -nt "$dst/kernel.built" ]; then
		echo "  BUILD   $(cat "$src/.debian-version")"
		# Only the selftests make bench runs: others of 7.2 do not
		# build with Debian 12's cross compiler (memslot_perf_test:
		# "atomic bool is not lockless").
		KSFT_PROGS="kvm_page_table_test demand_paging_test" \
			keep_kernel "$src" "$work/out/mainline" "$dst" "$(cat "$src/.debian-version")" \
			"$frag" "$mfrag"
	fi
	build_initramfs "$dst"
	echo "  READY   $(cat "$dst/commit")"
	exit 0
fi

i=0
for c in $commits; do
	build_one "$c"
	# WORK/img/NNNN: the tree after patch NNNN of the series (0000: base).
	[ "$mode" = all ] && ln -sfn "$(git -C "$wt" rev-parse "$c^{tree}")" "$work/img/$(printf %04d $i)"
	i=$((i + 1))
done
[ "$(git -C "$wt" rev-parse HEAD)" = "$tip" ] || git -C "$wt" checkout -q --detach "$tip"

mkdir -p "$work/img"
ln -sfn "$(git -C "$wt" rev-parse "$tip^{tree}")" "$work/img/tip"
[ "$mode" = all ] && ln -sfn "$(git -C "$wt" rev-parse "$base^{tree}")" "$work/img/base"
exit 0
