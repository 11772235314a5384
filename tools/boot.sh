#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh WORK NAME: boot one scenario of tools/scenarios under
# qemu-system-riscv64 and keep its console in WORK/logs/NAME.log.
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

read -r _ kernel timeout cpu steps < <(awk -v n="$name" '$1 == n' "$here/scenarios") ||
	{ echo "boot: no scenario '$name' in $here/scenarios" >&2; exit 1; }
img=$work/img/$kernel
[ -f "$img/built" ] || { echo "boot: $img not built (run make first)" >&2; exit 1; }
mkdir -p "$work/logs"
log=$work/logs/$name.log

cmd=(qemu-system-riscv64 -M virt -cpu "$cpu" -smp 2 -m 2G -nographic -no-reboot
     -bios "$fw" -kernel "$img/Image" -initrd "$img/initramfs.cpio.gz"
     -append "console=ttyS0 panic=-1 svt.run=$steps")
echo "  BOOT    $name: $(printf '%q ' "${cmd[@]}")"
rc=0
timeout -k 5 "$timeout" "${cmd[@]}" </dev/null 2>&1 | tr -d '\r' >"$log" || rc=$?

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
	exit 1
fi
exit 0
