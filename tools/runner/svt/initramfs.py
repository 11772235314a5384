# SPDX-License-Identifier: GPL-2.0
"""newc cpio archives, gzipped, as the kernel unpacks an initramfs
(Documentation/driver-api/early-userspace/buffer-format.rst), and the
images the boots take.

An archive is written from a list of (name in the archive, source):
source None for a directory, a path for a file (its mode's permission
bits kept), bytes, a Link (a symbolic link to its target), or a Char
(a character device: /dev/console, which the kernel opens for /init
before anything could mount devtmpfs). Owners are root, times 0, entries in the order
given, so the same inputs give the same bytes. The kernel unpacks
concatenated archives one after the other, which is how a nested boot's
image is the L1 image, the VMM's and the L2 part put end to end.
"""
from __future__ import annotations

import gzip
import os
import shutil
import stat
from collections.abc import Sequence


class Link(str):
    """A symbolic link's target, as the source of an archive entry."""


class Char(tuple):
    """A character device's (major, minor), as the source of an entry."""


# An archive entry: (its name, its source: a file's path, a Link, a Char,
# the bytes themselves, or None for a directory).
Entry = tuple[str, "str | bytes | Char | None"]


def _header(ino, mode, size, name, nlink=1, rdev=(0, 0)):
    name = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], len(name), 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields) + name
    return head + b"\0" * (-len(head) % 4)


def write(out: str, entries: Sequence[Entry]) -> None:
    """OUT: a gzipped newc archive of ENTRIES [(name, source)]."""
    with open(out + ".tmp", "wb") as raw, \
            gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=1, mtime=0) as z:
        for ino, (name, src) in enumerate(entries, 1):
            name = name.lstrip("/")
            if src is None:
                z.write(_header(ino, stat.S_IFDIR | 0o755, 0, name, 2))
                continue
            if isinstance(src, Char):
                z.write(_header(ino, stat.S_IFCHR | 0o600, 0, name, rdev=src))
                continue
            if isinstance(src, Link):
                data = src.encode()
                z.write(_header(ino, stat.S_IFLNK | 0o777, len(data), name))
                z.write(data + b"\0" * (-len(data) % 4))
                continue
            if isinstance(src, bytes):
                data, perm = src, 0o644
            else:
                with open(src, "rb") as f:
                    data = f.read()
                perm = stat.S_IMODE(os.stat(src).st_mode)
            z.write(_header(ino, stat.S_IFREG | perm, len(data), name))
            z.write(data + b"\0" * (-len(data) % 4))
        z.write(_header(0, 0, 0, "TRAILER!!!"))
    os.replace(out + ".tmp", out)


def tree(root: str, prefix: str = "") -> list[Entry]:
    """The entries of directory ROOT, under PREFIX in the archive, parents
    before their contents, in name order."""
    out: list[Entry] = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(d, root)
        base = prefix if rel == "." else os.path.join(prefix, rel)
        if base:
            out.append((base, None))
        out += [(os.path.join(base, f), os.path.join(d, f)) for f in sorted(files)]
    return out


def concat(out: str, parts: list[str]) -> None:
    """OUT: the archives PARTS (files) one after the other."""
    with open(out + ".tmp", "wb") as f:
        for part in parts:
            with open(part, "rb") as p:
                shutil.copyfileobj(p, f)
    os.replace(out + ".tmp", out)


SYSROOT = "/usr/riscv64-linux-gnu/lib"
LIBC = ("ld-linux-riscv64-lp64d.so.1", "libc.so.6")


def guest(out: str, progs: dict[str, str], ksft: list[str] | tuple[str, ...] = ()) -> None:
    """OUT: the initramfs of a test guest: /init and /bin/NAME for the
    built guest programs PROGS {name: path} (init among them), the KVM
    selftests KSFT (paths) in /bin, and the riscv64 loader and libc they
    link against in /lib (the programs are linked dynamically: see
    tools/guest/README)."""
    entries: list[Entry] = [(d, None) for d in ("bin", "dev", "lib", "proc", "sys", "tmp")]
    entries.append(("init", progs["init"]))
    entries += [(f"bin/{n}", p) for n, p in sorted(progs.items()) if n != "init"]
    entries += [(f"bin/{os.path.basename(p)}", p) for p in sorted(ksft)]
    entries += [(f"lib/{n}", os.path.join(SYSROOT, n)) for n in LIBC]
    write(out, entries)
