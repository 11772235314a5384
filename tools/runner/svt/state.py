# SPDX-License-Identifier: GPL-2.0
"""Where things are, what a stage found out, and when an output is fresh.

Paths: the build root (build/) holds what every tree shares (vmm/, the
fetched VMM and Debian kernel; plugin/; mainline/; newer/), and one work
directory per source tree: build/debian (Debian's linux-source-6.12) or
build/user (KERNEL_SRC). Nothing assumes how deep either one sits.

Named state: WORK/state.json holds what one stage found out and a later
one needs, under a name ("base": the base commit, "tip": the series' tip,
"version": the base's kernel version), written by the stage that knows it.

The one freshness rule, for every output the runner builds or fetches: an
output OUT is fresh when it exists and OUT.key holds the key of its inputs
now. A key is the sha1 over named parts: text (commit and tree ids, tool
versions, options) and files (their contents; a directory, every file in
it). A builder's output loses its key before the builder runs and gets it
back only when the builder succeeded.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

TOOLS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOP = os.path.dirname(TOOLS)
HOST = os.path.join(TOOLS, "host")
GUEST = os.path.join(TOOLS, "guest")
PLUGIN = os.path.join(TOOLS, "plugin")
SCENARIOS = os.path.join(TOOLS, "scenarios")
PATCHES = os.path.join(TOP, "patches")
CONFIGS = os.path.join(TOP, "arch", "riscv", "configs")
FRAGMENT = os.path.join(CONFIGS, "svvptc_kvm.config")
FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"


class Paths:
    """The build root and the work directory of one source tree."""

    def __init__(self, root="build", kernel_src=None):
        self.root = os.path.abspath(root)
        self.kernel_src = kernel_src or None
        self.work = os.path.join(self.root, "user" if self.kernel_src else "debian")
        self.src = os.path.join(self.work, "src")        # the series' worktree
        self.img = os.path.join(self.work, "img")        # artifacts per tree id
        self.out = os.path.join(self.work, "out")        # object trees
        self.logs = os.path.join(self.work, "logs")      # consoles
        self.vmm = os.path.join(self.root, "vmm")
        self.vmm_sid = os.path.join(self.root, "vmm-sid")
        self.plugin = os.path.join(self.root, "plugin", "fence-count.so")
        self.mainline = os.path.join(self.root, "mainline")
        self.newer = os.path.join(self.root, "newer")
        self.kit = os.path.join(self.work, "kit")        # make kit
        self.lava = os.path.join(self.work, "lava")      # make lava
        self.linux = os.path.join(self.work, "linux")    # Debian's 6.12 source, as git
        self.nested = os.path.join(self.work, "nested")  # a boot's whole initramfs
        self.l2_initramfs = os.path.join(self.img, "l2-initramfs.cpio.gz")
        self.newer_work = os.path.join(self.work, "newer")  # the series on the newest 6.12.y
        self.bench = os.path.join(self.work, "bench")    # make bench's rounds
        self.check_ktap = os.path.join(self.work, "check.ktap")
        self.check_only_ktap = os.path.join(self.work, "check-only.ktap")
        self.phases = os.path.join(self.work, "check.phases")
        self.checkpatch = os.path.join(self.out, "checkpatch")  # its answers, per patch
        self.lava_tools = os.path.join(self.root, "lava")  # Debian's LAVA, unpacked
        self.trixie = os.path.join(self.root, "trixie")  # the Debian 13 build root
        self.deb = os.path.join(self.root, "deb")        # make deb
        self.deb_previous = os.path.join(self.root, "deb-previous")
        self.dkms = os.path.join(self.root, "dkms")      # the package's apt life
        self.dkms_full = os.path.join(self.root, "dkms-full")  # the same, and autopkgtest
        self.native = os.path.join(self.root, "native")  # the native riscv64 build
        # the kernel's kunit.py, which reads every KTAP document here
        self.kunit_py = os.path.join(self.src, "tools", "testing", "kunit", "kunit.py")

    def log(self, name: str, byhand: bool = False) -> str:
        return os.path.join(self.logs, name + (".byhand" if byhand else "") + ".log")

    def obj(self, name: str) -> str:
        """The object tree NAME (kernel, sanitizers, mainline, distro)."""
        return os.path.join(self.out, name)

    def artifacts(self, name: str) -> str:
        """A kernel's artifacts: its tree id, sanitizers or mainline."""
        return os.path.join(self.img, name)

    def worktree(self, name: str) -> str:
        """A worktree of the series' repository of its own (sanitizers-src)."""
        return os.path.join(self.work, name)


class Part:
    """What each part of the Builder (build.py: Series, Kernels, Guests,
    Fetched, Dkms) has: the paths, the named state and the cross
    compiler's version. A part reaches another part's methods through
    the Builder they make together; to a type checker those are Any."""

    p: Paths
    state: State
    gcc: str

    if TYPE_CHECKING:
        def __getattr__(self, name: str) -> Any: ...


class State:
    """Named values in WORK/state.json."""

    def __init__(self, work):
        self.path = os.path.join(work, "state.json")

    def _all(self):
        try:
            with open(self.path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def get(self, name: str, default: str = "") -> str:
        return self._all().get(name, default)

    def set(self, **values: str) -> None:
        data = self._all()
        data.update(values)
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with open(self.path + ".tmp", "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
        os.replace(self.path + ".tmp", self.path)


class File(str):
    """A key part that stands for a file's (or a directory's) contents."""


def _hash_path(h, path):
    if os.path.isdir(path):
        for d, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                p = os.path.join(d, name)
                h.update(os.path.relpath(p, path).encode() + b"\0")
                _hash_path(h, p)
        return
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)


def sha1(path: str) -> str:
    h = hashlib.sha1()
    _hash_path(h, path)
    return h.hexdigest()


def key(*parts: object) -> str:
    """The key of PARTS: strings as they are, File(path) by contents (a
    missing file counts as such, so that it changes the key)."""
    h = hashlib.sha1()
    for p in parts:
        if isinstance(p, File):
            h.update(b"file\0" + p.encode() + b"\0")
            if os.path.exists(p):
                _hash_path(h, p)
            else:
                h.update(b"missing\0")
        else:
            h.update(b"text\0" + str(p).encode() + b"\0")
    return h.hexdigest()


def made(out: str) -> str:
    """A key part that stands for the output OUT as it was last made: its
    key (cheaper than its contents, and the same thing)."""
    return File(out + ".key")


class Target:
    """One output under the freshness rule: PATH (a file or a directory),
    made from inputs whose key is key(*PARTS). Every build, fetch and
    package of the runner is one; this is the only place the rule is
    written out:

        path = Target(path, "kernel", tree, File(fragment)).make(build)

    runs build() only when PATH is not fresh, after taking PATH's key
    away, and gives the key back only when build() returned."""

    def __init__(self, path, *parts):
        self.path = path
        self.key = key(*parts)

    def fresh(self) -> bool:
        return fresh(self.path, self.key)

    def stale(self) -> None:
        stale(self.path)

    def done(self) -> None:
        done(self.path, self.key)

    def make(self, build: Callable[[], object]) -> str:
        if not self.fresh():
            self.stale()
            build()
            self.done()
        return self.path

    def forget(self) -> None:
        """PATH is not made any more (a boot that did not happen): it and
        its key go."""
        for f in (self.path, self.path + ".key"):
            if os.path.isfile(f):
                os.unlink(f)


def has_key(out: str) -> bool:
    """OUT was made, from whatever inputs (its last build succeeded)."""
    return os.path.exists(out + ".key")


def fresh(out: str, k: str) -> bool:
    """OUT exists and was made from inputs whose key is K."""
    try:
        with open(out + ".key") as f:
            return os.path.exists(out) and f.read().strip() == k
    except OSError:
        return False


def stale(out: str) -> None:
    """OUT is about to be rebuilt: it is fresh for no key until done()."""
    if os.path.exists(out + ".key"):
        os.unlink(out + ".key")


def done(out: str, k: str) -> None:
    with open(out + ".key", "w") as f:
        f.write(k + "\n")


def version(*cmd: str) -> str:
    """The first line a tool prints of its version (part of a key)."""
    try:
        out = subprocess.run(list(cmd), capture_output=True, text=True).stdout
    except OSError:
        return f"{cmd[0]}: not installed"
    return (out.splitlines() or [""])[0]
