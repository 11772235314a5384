# SPDX-License-Identifier: GPL-2.0
"""Kernels, the part of the Builder that compiles them
(build-kernel.sh): one commit of the series in WORK/img/<tree id>/
(Image, uapi headers, KVM selftests; one shared object tree
WORK/out/kernel), the sanitizer kernel, mainline 7.2, and the kernel a
scenario names."""
from __future__ import annotations

import glob
import os
import re
import shutil
import sys

from . import state
from .proc import BuildError, git, git_probe, run
from .series import series_position
from .state import CONFIGS, FRAGMENT, HOST, File

SANITIZERS = os.path.join(CONFIGS, "svvptc_kvm_sanitizers.config")
MAINLINE_FRAGMENT = os.path.join(CONFIGS, "svvptc_kvm_mainline.config")
# Of 7.2's selftests, those make bench runs: others do not build with
# Debian 12's cross compiler (memslot_perf_test: "atomic bool is not
# lockless").
MAINLINE_KSFT = "kvm_page_table_test demand_paging_test"
CROSS = "riscv64-linux-gnu-"

class Kernels(state.Part):
    """The L1 and L2 kernels (WORK/img/)."""

    def _compile(self, src, obj, frags, dst, ksft=True, ksft_progs="", idle=False):
        """build-kernel.sh SRC into OBJ; keep the Image, uapi headers and
        KVM selftests in DST. IDLE: under SCHED_IDLE, on CPU time nothing
        else wants (the builds, the boots and the nice 19 fetches come
        first)."""
        config = state.Target(os.path.join(obj, ".config"), "config", *map(File, frags))
        env = {"KSFT": "1" if ksft else "0", "KSFT_PROGS": ksft_progs,
               "CONFIGURE": "0" if config.fresh() else "1"}
        run(["chrt", "--idle", "0"] * idle + [os.path.join(HOST, "build-kernel.sh"), src, obj,
                                              *frags],
            env=env)
        config.done()
        shutil.rmtree(dst, ignore_errors=True)
        os.makedirs(os.path.join(dst, "ksft"))
        shutil.copy(os.path.join(obj, "arch/riscv/boot/Image"), dst)
        if ksft:
            shutil.copytree(os.path.join(obj, "usr/include"), os.path.join(dst, "include"))
            if not ksft_progs:
                shutil.copytree(os.path.join(obj, "kselftest_install"),
                                os.path.join(dst, "kselftest"), symlinks=True)
            top = os.path.join(obj, "kselftest", "kvm")
            for d in [top] + glob.glob(os.path.join(top, "*", "")):
                for f in (os.path.join(d, n) for n in os.listdir(d)):
                    if os.path.isfile(f) and os.access(f, os.X_OK) and not f.endswith(".sh"):
                        shutil.copy(f, os.path.join(dst, "ksft"))

    def kernel(self, commit: str, initrd: bool = True) -> str:
        """The artifacts of COMMIT of the series: WORK/img/<tree id>, with
        its initramfs unless INITRD is false (a commit no scenario boots)."""
        tree = self.tree_id(commit)
        dst = self.p.artifacts(tree)

        def build():
            print(f"  BUILD   {self.subject(commit)}", file=sys.stderr)
            self._checkout(commit)
            self._compile(self.p.src, self.p.obj("kernel"), [FRAGMENT], dst)
        state.Target(dst, "kernel", tree, File(FRAGMENT),
                     File(os.path.join(HOST, "build-kernel.sh")), self.gcc).make(build)
        if initrd:
            self.initramfs(dst)
        return dst

    def _own_worktree(self, name, commit):
        """WORK/NAME: a detached worktree of the series' repository at
        COMMIT, for a build that runs while the series' worktree checks
        out other commits. Reused like that one (git rewrites only what
        changes); started over if it belongs to another repository (a
        different KERNEL_SRC)."""
        wt = self.p.worktree(name)
        common = git(self.p.src, "rev-parse", "--path-format=absolute", "--git-common-dir")
        if os.path.exists(wt) and (not os.path.exists(os.path.join(wt, ".git")) or git_probe(
                wt, "rev-parse", "--path-format=absolute", "--git-common-dir") != common):
            shutil.rmtree(wt)
        run(["git", "-C", self.p.src, "worktree", "prune"])
        if not os.path.exists(wt):
            run(["git", "-C", self.p.src, "worktree", "add", "-q", "--detach", wt, commit])
        run(["git", "-C", wt, "checkout", "-q", "--force", "--detach", commit])
        return wt

    def sanitizers(self, idle: bool = False) -> str:
        """The tip with KASAN and UBSAN, in a worktree and an object tree
        of its own (make check builds it in a thread from the moment the
        series is applied); it boots with the tip's initramfs. IDLE: see
        _compile."""
        tip = self.state.get("tip")
        tree = self.tree_id(tip)
        dst = self.p.artifacts("sanitizers")

        def build():
            print(f"  BUILD   sanitizers: {self.subject(tip)} + "
                  f"{os.path.basename(SANITIZERS)}", file=sys.stderr)
            src = self._own_worktree("sanitizers-src", tip)
            self._compile(src, self.p.obj("sanitizers"),
                          [FRAGMENT, SANITIZERS], dst, ksft=False, idle=idle)
        return state.Target(dst, "sanitizers", tree, File(FRAGMENT), File(SANITIZERS),
                            File(os.path.join(HOST, "build-kernel.sh")), self.gcc).make(build)

    def mainline(self) -> str:
        """Debian's linux-source-7.2 (mainline.sh), built from the same
        fragment: WORK/img/mainline (make bench only)."""
        src = os.path.join(self.p.mainline, "linux")
        pkg = os.environ.get("MAINLINE_PACKAGE", "linux-source-7.2")
        state.Target(src, "mainline", pkg, File(os.path.join(HOST, "mainline.sh"))).make(
            lambda: run([os.path.join(HOST, "mainline.sh"), self.p.mainline]))
        dst = self.p.artifacts("mainline")

        def build():
            print(f"  BUILD   {open(os.path.join(src, '.debian-version')).read().strip()}",
                  file=sys.stderr)
            self._compile(src, self.p.obj("mainline"), [FRAGMENT, MAINLINE_FRAGMENT],
                          dst, ksft_progs=MAINLINE_KSFT)
        state.Target(dst, "mainline-kernel", File(os.path.join(src, ".debian-version")),
                     File(FRAGMENT), File(MAINLINE_FRAGMENT), MAINLINE_KSFT,
                     File(os.path.join(HOST, "build-kernel.sh")), self.gcc).make(build)
        self.initramfs(dst)
        return dst

    def kernel_named(self, name: str) -> tuple[str, str]:
        """(Image, initramfs) of the L1 kernel a scenario names: tip, base,
        before-PATCH or after-PATCH (series_position), sanitizers,
        mainline, debian (Debian 13's own kernel binary, with the tip's
        programs and KVM selftests)."""
        if name == "debian":
            tip = self.kernel_dir("tip")
            return os.path.join(self.vmm(), "debian", "Image"), os.path.join(tip, "initramfs.cpio.gz")
        if name == "sanitizers":
            tip = self.kernel_dir("tip")
            return os.path.join(self.sanitizers(), "Image"), os.path.join(tip, "initramfs.cpio.gz")
        d = self.kernel_dir(name)
        return os.path.join(d, "Image"), os.path.join(d, "initramfs.cpio.gz")

    def kernel_dir(self, name: str) -> str:
        if name == "mainline":
            return self.mainline()
        if name == "tip":
            return self.kernel(self.state.get("tip"))
        if name == "base":
            return self.kernel(self.state.get("base"))
        if re.match(r"(before|after)-", name):
            return self.kernel(self.commits()[series_position(name)])
        raise BuildError(f"no kernel '{name}' (tip, base, before-PATCH, after-PATCH, sanitizers, "
                         "mainline)")

    def l2_image(self, name: str) -> str:
        if name == "debian":
            return os.path.join(self.vmm(), "debian", "Image")
        return self.kernel_named(name)[0]
