#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vmm-sid.sh DIR: the newest riscv64 QEMU in Debian's archive, from
# Debian unstable ("sid"), for the migration checks: Debian 13's QEMU
# 10.0 neither migrates a vCPU's run state (KVM_GET/SET_MP_STATE: a
# secondary vCPU stays stopped on the destination) nor its privilege
# mode, and a migrated 2-vCPU guest stalls (Documentation/testing.rst).
# Downloaded through a private apt configuration under DIR/apt and
# unpacked with dpkg-deb: nothing of sid is ever installed, the host's
# apt setup is neither read nor changed.
#
#   DIR/vmm-sid/      bin/qemu-system-riscv64, sid's loader and the closure
#                     of its libraries (lib/); the runner packs it as
#                     /vmm-sid of the L1 initramfs, beside trixie's /vmm
#   DIR/version       "qemu-system-riscv VERSION"
#
# Every run fetches anew; the runner runs it when DIR is not fresh.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 1 1 "DIR" "$@"

dir=$(realpath -m "$1")
mirror=${VMM_MIRROR:-http://deb.debian.org/debian}
apt=$dir/apt
papt "$apt" riscv64 \
	"deb [arch=riscv64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror sid main"
echo "  VMM     sid riscv64 qemu-system-riscv (private apt: $apt)"
"${aptc[@]}" update >"$dir/apt.log" 2>&1 ||
	{ tail -5 "$dir/apt.log" >&2; die "apt-get update for sid riscv64 failed (log: $dir/apt.log)"; }
grep -qx "Codename: sid" "$apt"/state/lists/*_InRelease ||
	die "the index from $mirror is not sid's (log: $dir/apt.log)"
rm -f "$apt"/cache/archives/*.deb
"${aptc[@]}" install -y -d qemu-system-riscv >>"$dir/apt.log" 2>&1 ||
	{ tail -5 "$dir/apt.log" >&2; die "downloading sid riscv64 qemu-system-riscv failed (log: $dir/apt.log)"; }

root=$dir/root
rm -rf "$root" && mkdir -p "$root"
for deb in "$apt"/cache/archives/*.deb; do
	dpkg-deb -x "$deb" "$root"
done
qemu=$root/usr/bin/qemu-system-riscv64
[ -x "$qemu" ] || die "no usr/bin/qemu-system-riscv64 in sid's qemu-system-riscv"
stage_closure "$root" "$dir/vmm-sid" "$qemu"
dpkg-deb -W --showformat='${Package} ${Version}\n' "$apt"/cache/archives/qemu-system-riscv_*.deb \
	>"$dir/version"
echo "  VMM     $dir/vmm-sid: $(cat "$dir/version"), $(find "$dir/vmm-sid/lib" -type f | wc -l) libraries"
rm -rf "$root"
