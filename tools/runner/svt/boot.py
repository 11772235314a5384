# SPDX-License-Identifier: GPL-2.0
"""Boot a scenario: its inputs built, the QEMU command line printed, QEMU
run with the scenario's timeout, the console kept as WORK/logs/NAME.log
(the L2 part also as NAME.l2.log), the fence counts beside it
(NAME.log.fences). A scenario with "kit yes" has the kit (kit.py) in its
L1 initramfs. A scenario of Debian's own kernel as L1 (kernel debian)
has its /lib/modules as the modules line says: as Debian's packages leave
it, or as svvptc-kvm-dkms's dkms install leaves it.

Reuse: with reuse=True (make check), a boot whose inputs (kernel,
initramfs parts, firmware, plugin, the L2 images), QEMU version, timeout
and command line have the key stored after its last clean boot
(NAME.log.key, the one freshness rule of state.py) is not run again: its
console stands. A failed boot has no key, so it always runs again.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from typing import TYPE_CHECKING

from . import initramfs, kit, state
from .console import TIMEOUT, boot_problem
from .state import FIRMWARE

if TYPE_CHECKING:
    from .build import Builder
    from .scenario import Scenario


def l2_part(builder: Builder, sc: Scenario, out: str) -> None:
    """OUT: the L2 part of a nested boot's initramfs: the L2 initramfs and
    the Image of every L2 kernel SC's steps name, under /l2/."""
    entries: list[initramfs.Entry] = [("l2", None),
                                      ("l2/initramfs.cpio.gz", builder.l2_initramfs())]
    for k in sc.l2_kernels():
        entries += [(f"l2/{k}", None), (f"l2/{k}/Image", builder.l2_image(k))]
    initramfs.write(out, entries)


def inputs(builder: Builder, sc: Scenario) -> tuple[str, str, list[str], list[str]]:
    """(kernel, L1 initramfs, [every input file], [the parts of a nested
    or Debian-host initramfs after the L1 one]) of SC, built as needed."""
    kernel, initrd = builder.kernel_named(sc["kernel"])
    files = [kernel, initrd, FIRMWARE, builder.plugin()]
    parts: list[str] = []
    if sc.l2_kernels() or sc["modules"] or sc["kit"] == "yes":
        parts.append(os.path.join(builder.vmm(), "vmm.cpio.gz"))
    if sc.sid_qemu():
        parts.append(builder.vmm_sid())
    if sc.l2_kernels():
        files += [builder.l2_initramfs()] + [builder.l2_image(k) for k in sc.l2_kernels()]
    if sc["modules"]:
        parts.append(builder.modules(sc["modules"]))
    if sc["kit"] == "yes":
        parts.append(kit.part(builder))
    return kernel, initrd, files + parts, parts


def command(sc: Scenario, kernel: str, initrd: str, plugin: str, log: str,
            steps: str | None = None, cpu: str | None = None) -> list[str]:
    return ["qemu-system-riscv64", "-M", sc["machine"], "-cpu", cpu or sc["cpu"], "-smp", sc["smp"],
            "-m", sc["mem"], "-nographic", "-no-reboot", "-bios", FIRMWARE,
            "-kernel", kernel, "-initrd", initrd, "-append", sc.cmdline(steps),
            "-plugin", plugin, "-d", "plugin", "-D", log + ".fences"]


def boot(builder: Builder, sc: Scenario, steps: str | None = None, cpu: str | None = None,
         dry_run: bool = False, reuse: bool = False) -> str | None:
    """Boot SC; returns its console log's path (None for a dry run). A boot
    by hand (STEPS or CPU given) keeps its console apart, as
    NAME.byhand.log, and is never reused."""
    p = builder.p
    byhand = bool(steps or cpu)
    log = p.log(sc.name, byhand)
    kernel, l1_initrd, files, parts = inputs(builder, sc)
    initrd = l1_initrd
    if parts:
        initrd = os.path.join(p.nested, sc.name + ".cpio.gz")
    cmd = command(sc, kernel, initrd, builder.plugin(), log, steps, cpu)
    t = state.Target(log, sc["timeout"], *cmd, state.version("qemu-system-riscv64", "--version"),
                     *map(state.File, files))
    if reuse and not (byhand or dry_run) and t.fresh():
        print(f"  REUSE   {sc.name}: same kernel, initramfs, QEMU and command line "
              f"as its last clean boot ({log})", file=sys.stderr)
        return log
    if parts:
        os.makedirs(os.path.dirname(initrd), exist_ok=True)
        l2 = [initrd + ".l2"] if sc.l2_kernels() else []
        if l2:
            l2_part(builder, sc, l2[0])
        initramfs.concat(initrd, [l1_initrd] + parts + l2)
        for part in l2:
            os.unlink(part)
    print(f"  BOOT    {sc.name}: {shlex.join(cmd)}", file=sys.stderr)
    if dry_run:
        return None
    os.makedirs(p.logs, exist_ok=True)
    t.stale()
    timeout = int(sc["timeout"])
    with open(log + ".raw", "wb") as raw:
        try:
            subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=raw, stderr=subprocess.STDOUT,
                           timeout=timeout)
            killed = False
        except subprocess.TimeoutExpired:
            killed = True
    with open(log + ".raw", "rb") as raw:
        text = raw.read().decode(errors="replace").replace("\r", "")
    os.unlink(log + ".raw")
    if killed:
        text += ("" if text.endswith("\n") or not text else "\n") + TIMEOUT.format(timeout) + "\n"
    with open(log, "w") as f:
        f.write(text)
    if sc.l2_kernels():
        with open(log[:-len(".log")] + ".l2.log", "w") as f:
            f.writelines(ln[3:] + "\n" for ln in text.splitlines() if ln.startswith("L2 "))
    why = boot_problem(text.splitlines())
    if why:
        print(f"boot: {sc.name} FAILED: {why}\nboot: console log: {log}", file=sys.stderr)
    elif byhand:
        print(f"  LOG     {log}", file=sys.stderr)
    else:
        t.done()
    return log
