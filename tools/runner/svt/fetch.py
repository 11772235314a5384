# SPDX-License-Identifier: GPL-2.0
"""Fetched, the part of the Builder that takes from Debian's archive
and the host scripts what is fetched or built once: Debian 13's riscv64
QEMU and kernel (vmm.sh), Debian unstable's QEMU (vmm-sid.sh), the
fence-count plugin, the Debian 13 build root (trixie-root.sh), Debian's
newest 6.12.y (newer-base.sh) and the series compiled with Debian's
config (distro-build.sh)."""
from __future__ import annotations

import os
import subprocess

from . import initramfs, state
from .proc import git, run
from .series import touched
from .state import GUEST, HOST, PATCHES, PLUGIN, File


class Fetched(state.Part):
    """BUILD/vmm, BUILD/vmm-sid, BUILD/plugin, BUILD/trixie, WORK/newer,
    the distro build."""

    def vmm(self) -> str:
        """BUILD/vmm: Debian 13's riscv64 QEMU (vmm/) and kernel (debian/),
        and vmm.cpio.gz, the QEMU as /vmm of an initramfs."""
        d = self.p.vmm

        def build():
            run([os.path.join(HOST, "vmm.sh"), d])
            initramfs.write(os.path.join(d, "vmm.cpio.gz"),
                            initramfs.tree(os.path.join(d, "vmm"), "vmm"))
        return state.Target(d, "vmm", File(os.path.join(HOST, "vmm.sh")),
                            File(os.path.join(HOST, "lib.sh")),
                            os.environ.get("VMM_SUITE", ""),
                            os.environ.get("VMM_MIRROR", "")).make(build)

    def vmm_sid(self) -> str:
        """BUILD/vmm-sid: Debian unstable's riscv64 QEMU (vmm-sid/, version)
        and vmm-sid.cpio.gz, that QEMU as /vmm-sid of an initramfs: the
        VMM of a migrate step that names sid."""
        d = self.p.vmm_sid

        def build():
            run([os.path.join(HOST, "vmm-sid.sh"), d])
            initramfs.write(os.path.join(d, "vmm-sid.cpio.gz"),
                            initramfs.tree(os.path.join(d, "vmm-sid"), "vmm-sid"))
        state.Target(d, "vmm-sid", File(os.path.join(HOST, "vmm-sid.sh")),
                     File(os.path.join(HOST, "lib.sh")),
                     os.environ.get("VMM_MIRROR", "")).make(build)
        return os.path.join(d, "vmm-sid.cpio.gz")

    def plugin(self) -> str:
        """The fence-count plugin, for the QEMU installed now."""
        so = self.p.plugin
        qemu = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "qemu-system-misc"],
                              capture_output=True, text=True).stdout
        return state.Target(so, "plugin", File(os.path.join(PLUGIN, "fence-count.c")),
                            File(os.path.join(PLUGIN, "build.sh")),
                            File(os.path.join(GUEST, "protocol.h")), qemu,
                            state.version("qemu-system-riscv64", "--version")).make(
            lambda: run([os.path.join(PLUGIN, "build.sh"), os.path.dirname(so)]))

    def trixie_root(self) -> str:
        """BUILD/trixie/root: a Debian 13 amd64 build root with Debian 13's
        riscv64 toolchain, dkms, debhelper and lintian (trixie-root.sh)."""
        d = self.p.trixie
        state.Target(d, "trixie-root", File(os.path.join(HOST, "trixie-root.sh")),
                     File(os.path.join(HOST, "in-root.sh"))).make(
            lambda: run([os.path.join(HOST, "trixie-root.sh"), d]))
        return os.path.join(d, "root")

    def newer(self) -> str:
        """Debian's newest 6.12.y: a git tree of the files the series
        touches (and the Makefile), and the series applied to it as a
        user's KERNEL_SRC under WORK/newer. Returns the tree."""
        script = os.path.join(HOST, "newer-base.sh")
        ver = run([script, self.p.newer], capture=True).strip()
        files = touched(new=False)
        tree = os.path.join(self.p.newer, f"linux-{ver}")
        state.Target(tree, "newer", ver, *files).make(
            lambda: run([script, self.p.newer, ver, *files], capture=True))
        run([os.path.join(HOST, "prepare-tree.sh"), self.p.newer_work, PATCHES],
            env={"KERNEL_SRC": tree}, capture=True)
        return tree

    def distro(self) -> str:
        """distro-build.sh's lines: "STATUS<tab>SUBJECT<tab>NEW WARNINGS"
        per commit of the series (Debian 13's config, W=1, sparse)."""
        config = os.path.join(self.vmm(), "debian", "config")
        out = self.p.obj("distro")
        result = os.path.join(out, "result")
        script = os.path.join(HOST, "distro-build.sh")
        base, tip = self.state.get("base"), self.state.get("tip")

        def build():
            os.makedirs(out, exist_ok=True)
            kconf = state.Target(os.path.join(out, ".config"), "config", File(config))
            env = {"CONFIGURE": "0" if kconf.fresh() else "1"}
            text = run([script, self.p.src, out, config, base, tip], env=env, capture=True)
            kconf.done()
            with open(result, "w") as f:
                f.write(text)
        # Trees and subjects: what the result says; a reworded message
        # alone compiles nothing again.
        commits = [(self.tree_id(c), git(self.p.src, "log", "-1", "--format=%s", c))
                   for c in self.commits()]
        state.Target(result, "distro", *(w for c in commits for w in c), File(config), self.gcc,
                     state.version("sparse", "--version"), File(script),
                     File(os.path.join(HOST, "sparse-riscv"))).make(build)
        with open(result) as f:
            return f.read()
