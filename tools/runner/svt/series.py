# SPDX-License-Identifier: GPL-2.0
"""The series (patches/series) and its tree: which patches, which
files they touch, which are the host half svvptc-kvm-dkms carries, a
kernel named by a patch (before-PATCH, after-PATCH); and Series, the
part of the Builder that applies it (WORK/src, prepare-tree.sh) and
walks its commits."""
from __future__ import annotations

import os
import re
import sys

from . import state
from .proc import BuildError, git, git_probe, run
from .state import HOST, PATCHES, File


def series(d: str = PATCHES) -> list[str]:
    """The patch files of the series in D (patches/), in order."""
    with open(os.path.join(d, "series")) as f:
        return [os.path.join(d, ln.strip()) for ln in f
                if ln.strip() and not ln.startswith("#")]


def series_position(name: str, d: str = PATCHES) -> int:
    """How many patches of the series in D the kernel NAME has: NAME is
    before-PATCH (the tree without PATCH and what follows it) or
    after-PATCH (the tree up to and with PATCH), PATCH the start of one
    patch file's name without its number and .patch
    (before-RISC-V-KVM-Walk-every-G-stage: the series without its G-stage
    walk and the patches after it). A name, not a position: reordering
    the series cannot change what it means, and a patch renamed away is
    an error."""
    m = re.fullmatch(r"(before|after)-(.+)", name)
    if not m:
        raise BuildError(f"kernel {name!r}: not before-PATCH or after-PATCH")
    stems = [re.sub(r"^\d+-|\.patch$", "", os.path.basename(p)) for p in series(d)]
    found = [i for i, s in enumerate(stems, 1) if s.startswith(m.group(2))]
    if len(found) != 1:
        raise BuildError(f"kernel {name!r}: {len(found)} patches of the series start with "
                         f"{m.group(2)!r}, not one")
    return found[0] - (m.group(1) == "before")


def files_of(patch: str, new: bool = True) -> list[str]:
    """The files PATCH touches (NEW: with those it creates)."""
    with open(patch) as f:
        return sorted({ln[6:].strip() for ln in f
                       if ln.startswith("--- a/") or (new and ln.startswith("+++ b/"))})

# The host half of the series: what a patch may touch to be carried by
# svvptc-kvm-dkms (the kvm module's sources and the KVM uapi header).
HOST_HALF = re.compile(r"arch/riscv/kvm/|arch/riscv/include/uapi/asm/kvm\.h$")


def host_half(d: str = PATCHES) -> list[str]:
    """The patches of the series in D that touch the host half only, in
    order: what svvptc-kvm-dkms carries."""
    return [p for p in series(d) if all(HOST_HALF.match(f) for f in files_of(p))]


def files_under(d: str) -> list[str]:
    """The files below D, sorted (parts of a key)."""
    return sorted(os.path.join(dp, f) for dp, _, fs in os.walk(d) for f in fs)


def touched(new: bool = True) -> list[str]:
    """The files the series touches (NEW: with those it creates)."""
    return sorted({f for p in series() for f in files_of(p, new)})


class Series(state.Part):
    """WORK/src: the series applied on the 6.12 base, and its commits."""

    def _env(self):
        return {"KERNEL_SRC": self.p.kernel_src} if self.p.kernel_src else {}

    def _base_now(self):
        """The base commit as prepare-tree.sh would take it, if it can be
        told without running it."""
        if self.p.kernel_src:
            return git_probe(self.p.kernel_src, "rev-parse", "--verify", "-q", "HEAD")
        return git_probe(self.p.linux, "rev-parse", "-q", "--verify", "base")

    def tree(self) -> None:
        """Apply the series (prepare-tree.sh) unless the worktree already
        holds it on the same base, clean."""
        base = self._base_now()
        t = state.Target(self.p.src, "tree", base, File(os.path.join(PATCHES, "series")),
                         *map(File, series()), File(os.path.join(HOST, "prepare-tree.sh")))
        tip = self.state.get("tip")
        if base and tip and t.fresh() and \
                not git_probe(self.p.src, "status", "--porcelain", "--untracked-files=no") and \
                git_probe(self.p.src, "cat-file", "-t", tip) == "commit":
            print(f"  TREE    {self.p.src}: series already applied on {base[:12]} "
                  f"({self.state.get('version')})", file=sys.stderr)
            return
        t.stale()
        out = run([os.path.join(HOST, "prepare-tree.sh"), self.p.work, PATCHES],
                  env=self._env(), capture=True)
        found = dict(w.split("=", 1) for w in out.strip().splitlines()[-1].split())
        self.state.set(base=found["base"], tip=found["tip"], version=found["version"])
        t.done()

    def commits(self) -> list[str]:
        """The base and every commit of the series, in order."""
        base, tip = self.state.get("base"), self.state.get("tip")
        return [base] + git(self.p.src, "rev-list", "--reverse", f"{base}..{tip}").split()

    def tree_id(self, commit: str) -> str:
        """COMMIT's tree id: what a build of it depends on (a reworded
        message changes the commit, not the tree)."""
        return git(self.p.src, "rev-parse", f"{commit}^{{tree}}")

    def subject(self, commit: str) -> str:
        return git(self.p.src, "log", "-1", "--format=%h %s", commit)

    def _checkout(self, commit):
        if git(self.p.src, "rev-parse", "HEAD") != commit:
            run(["git", "-C", self.p.src, "checkout", "-q", "--detach", commit])
