# SPDX-License-Identifier: GPL-2.0
"""Guests, the part of the Builder that makes what a test kernel boots
into: the guest programs (tools/guest/, built by its Makefile) and the
initramfs images of an L1 kernel and of the L2 guests."""
from __future__ import annotations

import glob
import os
import shutil
import sys
import tempfile

from . import initramfs, state
from .proc import run
from .series import files_under
from .state import GUEST, File


class Guests(state.Part):
    """The guest programs and the initramfs images (initramfs.py)."""

    def guest_parts(self, *extra: str) -> tuple[str, ...]:
        """The key parts of what the guest programs are built from."""
        return ("guest", *[File(f) for f in files_under(GUEST) if os.path.basename(f) != "README"],
                self.gcc,
                *[File(os.path.join(initramfs.SYSROOT, n)) for n in initramfs.LIBC], *extra)

    def programs(self, target: str, khdr: str | None = None) -> tuple[str, dict[str, str]]:
        """The guest programs of TARGET (l1, l2), built in a scratch
        directory: {name: path} (the caller packs them before it goes)."""
        tmp = tempfile.mkdtemp(prefix="svt-guest-")
        run(["make", "-s", "-B", "-C", GUEST, f"O={tmp}", f"KHDR={khdr or ''}", target])
        return tmp, {n: os.path.join(tmp, n) for n in os.listdir(tmp)}

    def initramfs(self, art: str) -> str:
        """ART/initramfs.cpio.gz: the guest programs built against ART's
        uapi headers, its KVM selftests, the loader and libc."""
        out = os.path.join(art, "initramfs.cpio.gz")

        def build():
            print(f"  INITRD  {out}", file=sys.stderr)
            tmp, progs = self.programs("l1", os.path.join(art, "include"))
            initramfs.guest(out, progs, glob.glob(os.path.join(art, "ksft", "*")))
            shutil.rmtree(tmp)
        return state.Target(out, *self.guest_parts(state.made(art))).make(build)

    def l2_initramfs(self) -> str:
        """The L2 guests' initramfs: the +l2 programs (no kernel headers)."""
        out = self.p.l2_initramfs

        def build():
            print(f"  INITRD  {out}", file=sys.stderr)
            os.makedirs(self.p.img, exist_ok=True)
            tmp, progs = self.programs("l2")
            initramfs.guest(out, progs)
            shutil.rmtree(tmp)
        return state.Target(out, *self.guest_parts()).make(build)
