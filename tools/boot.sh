#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh WORK NAME: boot one scenario of tools/scenarios under
# qemu-system-riscv64 and keep its console in WORK/logs/NAME.log.
#
# A scenario whose l2 column names kernels boots the L1 guest with a
# larger initramfs: its own, plus the VMM (tools/vmm.sh) and, under /l2/,
# those kernels' Images and the L2 initramfs, so that the l2 step
# (tools/l2.c) can boot an L2 guest; the L2 console lines (prefixed "L2 "
# in the L1 console) are also kept in WORK/logs/NAME.l2.log.
#
# QEMU runs with the fence-count plugin (tools/plugin.sh builds it); its
# counts go to WORK/logs/NAME.log.fences, read with tools/fences.py.
#
# Prints the QEMU command line first (paste it to reproduce the boot by
# hand). Exits 0 when /init got through all its steps (SVT-DONE) and the
# console has no BUG:/WARNING:/Oops/KASAN/UBSAN/panic line; otherwise says
# why and where the console log is, and exits 1.
set -euo pipefail

work=$(realpath -m "$1")
name=$2
here=$(dirname "$(realpath "$0")")
fw=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin

read -r _ kernel timeout cpu smp l2 steps < <(awk -v n="$name" '$1 == n' "$here/scenarios") ||
	{ echo "boot: no scenario '$name' in $here/scenarios" >&2; exit 1; }
# By hand (make boot): RUN= other steps, CPU= other L1 -cpu properties,
# DRY_RUN=1 prepares the boot and prints its command line only.
steps=${RUN:-$steps}
cpu=${CPU:-$cpu}
img=$work/img/$kernel
[ -f "$img/built" ] || { echo "boot: $img not built (run make first)" >&2; exit 1; }
mkdir -p "$work/logs"
log=$work/logs/$name.log
# A boot with other steps or CPU keeps its console apart from the
# scenario's own (which make check judges and reuses).
[ -z "${RUN:-}${CPU:-}" ] || log=$work/logs/$name.byhand.log
initrd=$img/initramfs.cpio.gz

# l2_image NAME: the Image of an L2 kernel: one of ours (WORK/img/NAME),
# or "debian", Debian 13's own riscv64 kernel (tools/vmm.sh).
l2_image() {
	local f=$work/img/$1/Image
	[ "$1" = debian ] && f=$(dirname "$work")/vmm/debian/Image
	[ -f "$f" ] && echo "$f"
}

inputs=("$img/Image" "$img/initramfs.cpio.gz" "$fw")
if [ "$l2" != - ]; then
	vmm=$(dirname "$work")/vmm/vmm.cpio.gz
	[ -f "$vmm" ] || { echo "boot: $vmm missing (run make first)" >&2; exit 1; }
	inputs+=("$vmm" "$work/img/l2-initramfs.cpio.gz")
	for k in ${l2//+/ }; do
		l2img=$(l2_image "$k") || { echo "boot: no L2 kernel '$k' (run make first)" >&2; exit 1; }
		inputs+=("$l2img")
	done
	initrd=$work/nested/$name.cpio.gz
fi

# Every boot counts the TLB fences it executes, per step (tools/fences.py).
plugin=$(dirname "$work")/plugin/fence-count.so
[ -f "$plugin" ] || { echo "boot: $plugin missing (run make first)" >&2; exit 1; }
inputs+=("$plugin")
cmd=(qemu-system-riscv64 -M virt -cpu "$cpu" -smp "$smp" -m 2G -nographic -no-reboot
     -bios "$fw" -kernel "$img/Image" -initrd "$initrd"
     -append "console=ttyS0 panic=-1 svt.run=$steps"
     -plugin "$plugin" -d plugin -D "$log.fences")

# BOOT_REUSE=1 (make check, unless CHECK_REBOOT=1): a boot with exactly the
# inputs and command line of the last boot of NAME that passed is not run
# again; its console log stands.
key=$({ printf '%s\n' "$timeout" "${cmd[@]}"; qemu-system-riscv64 --version | head -1
	sha1sum "${inputs[@]}" | cut -d' ' -f1; } | sha1sum | cut -d' ' -f1)
if [ "${BOOT_REUSE:-0}" = 1 ] && [ -f "$log" ] && [ "$(cat "$log.pass" 2>/dev/null)" = "$key" ]; then
	echo "  REUSE   $name: same kernel, initramfs, QEMU and command line as its last passing boot ($log)"
	exit 0
fi
[ "${DRY_RUN:-0}" != 0 ] || rm -f "$log.pass"

if [ "$l2" != - ]; then
	stage=$work/nested/$name
	rm -rf "$stage" && mkdir -p "$stage/l2"
	cp "$work/img/l2-initramfs.cpio.gz" "$stage/l2/initramfs.cpio.gz"
	for k in ${l2//+/ }; do
		mkdir -p "$stage/l2/$k" && cp "$(l2_image "$k")" "$stage/l2/$k/Image"
	done
	{ cat "$img/initramfs.cpio.gz" "$vmm"
	  (cd "$stage" && find l2 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1)
	} >"$initrd"
	rm -rf "$stage"
fi
echo "  BOOT    $name: $(printf '%q ' "${cmd[@]}")"
[ "${DRY_RUN:-0}" = 0 ] || exit 0
rc=0
timeout -k 5 "$timeout" "${cmd[@]}" </dev/null 2>&1 | tr -d '\r' >"$log" || rc=$?
if [ "$l2" != - ]; then
	sed -n 's/^L2 //p' "$log" >"${log%.log}.l2.log"
fi

why=
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	why="timed out after ${timeout}s"
elif ! grep -q '^SVT-DONE' "$log"; then
	why="guest did not finish its steps (qemu rc=$rc)"
fi
bad=$(grep -nE 'BUG:|WARNING:|Oops|KASAN|UBSAN|Kernel panic' "$log" | head -3 || true)
[ -z "$bad" ] || why="${why:+$why; }console: $bad"
if [ -n "$why" ]; then
	echo "boot: $name FAILED: $why" >&2
	echo "boot: console log: $log" >&2
	[ "$l2" = - ] || echo "boot: L2 console log: ${log%.log}.l2.log" >&2
	exit 1
fi
[ -n "${RUN:-}${CPU:-}" ] || echo "$key" >"$log.pass"	# by hand: nothing to reuse
exit 0
