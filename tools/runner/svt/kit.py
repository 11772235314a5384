# SPDX-License-Identifier: GPL-2.0
"""make kit: the project's checks for any riscv64 KVM host, one tarball
(tools/kit/README is its reader's guide), and the part of an L1 initramfs
that boots it in a scenario (kit yes).

  svvptc-kit/run                  the entry point (tools/kit/run), KTAP
  svvptc-kit/README, VERSION
  svvptc-kit/lib/                 the riscv64 loader and libc the programs
                                  were linked against
  svvptc-kit/bin/                 onereg-probe, onereg-sweep
  svvptc-kit/kselftest/           the tip's KVM selftests in the kernel's
                                  own kselftest layout (run_kselftest.sh,
                                  kselftest-list.txt, kvm/), cut to the
                                  ones the suite's scenarios run
  svvptc-kit/guest/               the tip's Image and the L2 guests'
                                  initramfs: the guest QEMU boots on KVM

Each program is a small sh script that starts the real one (beside it in
.bin/) through the kit's loader with --library-path, so a host's libc,
or its lack, does not matter: bookworm's riscv64 binutils cannot link
-static, and its libc has no rcrt1.o for -static-pie (tools/guest/README).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

from . import initramfs, scenario, state
from .proc import BuildError, git
from .series import series
from .ktap import Result
from .state import TOOLS, File

if TYPE_CHECKING:
    from .build import Builder

KIT = os.path.join(TOOLS, "kit")
NAME = "svvptc-kit"
LOADER = "ld-linux-riscv64-lp64d.so.1"
HOST_PROGRAMS = ("onereg-probe", "onereg-sweep")
# What the L1 initramfs of a kit scenario has of busybox: the commands the
# kit's run, the kernel's run_kselftest.sh and the wrappers use.
APPLETS = ("sh", "awk", "basename", "cat", "cut", "date", "dirname", "env", "grep", "head",
           "id", "ls", "mkdir", "mktemp", "pwd", "readlink", "realpath", "rm", "sed", "seq",
           "sleep", "sort", "tail", "tee", "test", "timeout", "tr", "true", "uname", "wc",
           "xargs")


def selftests(available: list[str]) -> list[str]:
    """The KVM selftests of AVAILABLE that a scenario of make or make
    check runs, in AVAILABLE's order."""
    steps = {step.split(":")[0] for s in scenario.names(["main", "check"])
             for step, _ in scenario.load(s).steps}
    return [t for t in available if t in steps]


def _wrapper(name, libdir):
    """A program of the kit: NAME beside it in .bin/, run by the kit's
    loader in LIBDIR (relative to the wrapper's directory). Its argv[0]
    stays the real program's path: the KVM selftests load their guest
    code from the ELF file argv[0] names."""
    return ("#!/bin/sh\n"
            f"# {name} of the svvptc kit, run by the kit's own loader and libc.\n"
            'd=$(cd "$(dirname "$0")" && pwd)\n'
            f'exec "$d/{libdir}/{LOADER}" --library-path "$d/{libdir}" "$d/.bin/{name}" "$@"\n'
            ).encode()


def _wrap(directory, names, libdir):
    os.makedirs(os.path.join(directory, ".bin"), exist_ok=True)
    for n in names:
        real = os.path.join(directory, ".bin", n)
        os.replace(os.path.join(directory, n), real)
        with open(os.path.join(directory, n), "wb") as f:
            f.write(_wrapper(n, libdir))
        os.chmod(os.path.join(directory, n), 0o755)


def build(b: Builder) -> str:
    """WORK/kit/svvptc-kit-riscv64.tar.gz (and its tree, WORK/kit/svvptc-kit)
    for the tip of the series."""
    tip = b.kernel_dir("tip")
    d = b.p.kit
    tree, tar = os.path.join(d, NAME), os.path.join(d, f"{NAME}-riscv64.tar.gz")
    l2 = b.l2_initramfs()
    target = state.Target(tar, "kit", state.made(tip), File(os.path.join(tip, "kselftest")),
                          File(KIT), File(l2), state.key(*b.guest_parts()), *map(File, series()),
                          File(__file__))
    if target.fresh():
        return tar
    print(f"  KIT     {tar}", file=sys.stderr)
    target.stale()
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    for name in ("run", "README"):
        shutil.copy(os.path.join(KIT, name), tree)
    base, tip_commit = b.state.get("base"), b.state.get("tip")
    with open(os.path.join(tree, "VERSION"), "w") as f:
        f.write(f"svvptc kit: the series ({len(series())} patches) at "
                f"{git(b.p.src, 'log', '-1', '--format=%h %s', tip_commit)}, on Linux "
                f"{b.state.get('version')} ({base[:12]})\n")
    lib = os.path.join(tree, "lib")
    os.makedirs(lib)
    for n in initramfs.LIBC:
        shutil.copy(os.path.join(initramfs.SYSROOT, n), lib)

    ks = os.path.join(tree, "kselftest")
    shutil.copytree(os.path.join(tip, "kselftest"), ks, symlinks=True)
    listed = os.path.join(ks, "kselftest-list.txt")
    with open(listed) as f:
        available = [ln.strip()[4:] for ln in f if ln.startswith("kvm:")]
    keep = selftests(available)
    if not keep:
        raise BuildError(f"no KVM selftest of the scenarios in {listed}")
    with open(listed, "w") as f:
        f.writelines(f"kvm:{t}\n" for t in keep)
    kvm = os.path.join(ks, "kvm")
    for n in os.listdir(kvm):
        p = os.path.join(kvm, n)
        if n not in keep and n != "settings" and os.path.isfile(p):
            os.unlink(p)
    _wrap(kvm, keep, "../../lib")

    binary = os.path.join(tree, "bin")
    tmp, progs = b.programs("l1", os.path.join(tip, "include"))
    os.makedirs(binary)
    for n in HOST_PROGRAMS:
        shutil.copy(progs[n], binary)
    shutil.rmtree(tmp)
    _wrap(binary, HOST_PROGRAMS, "../lib")

    guest = os.path.join(tree, "guest")
    os.makedirs(guest)
    shutil.copy(os.path.join(tip, "Image"), guest)
    shutil.copy(l2, os.path.join(guest, "initramfs.cpio.gz"))

    # The same tree gives the same bytes: names sorted, owner root, time 0.
    with open(tar + ".tmp", "wb") as out:
        tarp = subprocess.Popen(["tar", "-C", d, "--sort=name", "--mtime=@0", "--owner=0",
                                 "--group=0", "--numeric-owner", "-cf", "-", NAME],
                                stdout=subprocess.PIPE)
        subprocess.run(["gzip", "-n", "-6"], stdin=tarp.stdout, stdout=out, check=True)
        if tarp.wait():
            raise BuildError(f"tar of {tree} failed")
    os.replace(tar + ".tmp", tar)
    target.done()
    return tar


def part(b: Builder) -> str:
    """WORK/kit/part.cpio.gz: what a kit scenario's L1 initramfs adds to
    the tip's or base's (and to /vmm, Debian's QEMU and busybox): the kit
    unpacked as /kit; busybox as /bin/sh and the commands the kit uses;
    qemu-system-riscv64 in /bin, Debian's QEMU run by its own loader; and
    the step kit-run, which runs /kit/run with the step's arguments (a
    leading NAME=VALUE argument is put in the environment, '+' standing
    for a space; in the others '+' stands for a comma: the kernel command
    line has no room for a space, svt.run= none for a comma)."""
    tar = build(b)
    out = os.path.join(b.p.kit, "part.cpio.gz")
    target = state.Target(out, "kit part", File(tar), File(__file__))
    if target.fresh():
        return out
    target.stale()
    tree = os.path.join(b.p.kit, NAME)
    qemu = ("#!/bin/sh\n"
            "exec /vmm/lib/ld-linux-riscv64-lp64d.so.1 --library-path /vmm/lib "
            "/vmm/bin/qemu-system-riscv64 \"$@\"\n").encode()
    run = ("#!/bin/sh\n"
           "# make check's step kit-run: the kit's entry point, unmodified.\n"
           "export PATH=/bin\n"
           "while [ $# -gt 0 ]; do\n"
           "\tcase $1 in\n"
           "\t*=*) export \"${1%%=*}=$(echo \"${1#*=}\" | tr + ' ')\"; shift ;;\n"
           "\t*) break ;;\n"
           "\tesac\n"
           "done\n"
           "n=$#\n"
           "while [ $n -gt 0 ]; do\n"
           "\tset -- \"$@\" \"$(echo \"$1\" | tr + ,)\"\n"
           "\tshift\n"
           "\tn=$((n - 1))\n"
           "done\n"
           "exec /kit/run \"$@\"\n").encode()
    scripts = os.path.join(b.p.kit, "part-bin")
    shutil.rmtree(scripts, ignore_errors=True)
    os.makedirs(scripts)
    for name, text in (("qemu-system-riscv64", qemu), ("kit-run", run)):
        with open(os.path.join(scripts, name), "wb") as f:
            f.write(text)
        os.chmod(os.path.join(scripts, name), 0o755)
    entries: list[initramfs.Entry] = [("bin", None)]
    entries += [(f"bin/{a}", initramfs.Link("/vmm/bin/busybox")) for a in APPLETS]
    entries += [(f"bin/{n}", os.path.join(scripts, n)) for n in sorted(os.listdir(scripts))]
    entries += initramfs.tree(tree, "kit")
    initramfs.write(out, entries)
    target.done()
    return out


def _elf_needed(path):
    """DT_NEEDED of the ELF file PATH, or None if it is not ELF."""
    with open(path, "rb") as f:
        if f.read(4) != b"\x7fELF":
            return None
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+)\]", out)


def results(b: Builder) -> list[Result]:
    """make check's group "kit": the tarball make kit builds, its layout,
    its programs' libraries, and the entry point's options."""
    name = "make kit builds svvptc-kit-riscv64.tar.gz"
    try:
        tar = build(b)
    except BuildError as e:
        return [Result(False, name, str(e))]
    tree = os.path.join(b.p.kit, NAME)
    out = [Result(True, f"{name} ({os.path.getsize(tar) // 1024} KiB)")]
    ks = os.path.join(tree, "kselftest")
    with open(os.path.join(ks, "kselftest-list.txt")) as f:
        listed = [ln.strip()[4:] for ln in f if ln.startswith("kvm:")]
    layout = [p for p in ("run_kselftest.sh", "kselftest/runner.sh", "kvm/settings")
              if not os.path.isfile(os.path.join(ks, p))]
    missing = [t for t in listed if not os.access(os.path.join(ks, "kvm", t), os.X_OK)]
    with open(os.path.join(b.kernel_dir("tip"), "kselftest", "kselftest-list.txt")) as f:
        suite = selftests([ln.strip()[4:] for ln in f if ln.startswith("kvm:")])
    out.append(Result(not layout and not missing and listed == suite,
                      f"the kit has the KVM selftests the scenarios run ({len(listed)}) in the "
                      "kernel's kselftest layout (run_kselftest.sh, kselftest-list.txt, kvm/)",
                      f"missing {layout + missing}; listed {listed}"))
    elves, bad = 0, []
    for d, _, files in os.walk(tree):
        for n in files:
            p = os.path.join(d, n)
            needed = _elf_needed(p)
            if needed is None:
                continue
            elves += 1
            rel = os.path.relpath(p, tree)
            if os.path.basename(d) == ".bin":
                bad += [f"{rel} needs {x}" for x in needed if x not in initramfs.LIBC]
            elif os.path.dirname(rel) != "lib":
                bad.append(f"{rel} is started without the kit's loader")
    out.append(Result(elves > len(listed) and not bad,
                      f"each of the kit's {elves} ELF files is its loader, its libc, or a "
                      "program started through them that needs no other library",
                      "; ".join(bad[:4])))
    run = os.path.join(tree, "run")
    helped = subprocess.run(["sh", run, "--help"], capture_output=True, text=True)
    out.append(Result(helped.returncode == 0 and "--groups" in helped.stdout,
                      "the kit's run --help says its options", helped.stderr))
    arch = os.uname().machine
    if arch != "riscv64":
        r = subprocess.run(["sh", run, "--output", os.path.join(b.p.kit, "elsewhere")],
                           capture_output=True, text=True)
        lines = r.stdout.splitlines()
        skips = [ln for ln in lines if re.match(r"ok [0-9]+ \S+ # SKIP not a riscv64 host", ln)]
        out.append(Result(r.returncode == 4 and len(skips) == 7 and lines[-1:] ==
                          ["# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:7 error:0"],
                          f"the kit on a host that is not riscv64 (this {arch} machine) skips "
                          "every group, says why, ends with # Totals and exits 4 (KSFT_SKIP)",
                          f"exit {r.returncode}: {r.stdout[-300:]} {r.stderr[-200:]}"))
    for args, says in ((["--groups", "nope"], "no group 'nope'"),
                       (["--selftests", "nope"], "no KVM selftest 'nope'"),
                       (["--timeout", "soon"], "--timeout takes a number")):
        r = subprocess.run(["sh", run, *args, "--output", os.path.join(b.p.kit, "bad")],
                           capture_output=True, text=True)
        out.append(Result(r.returncode == 2 and not r.stdout and
                          len(r.stderr.splitlines()) == 1 and says in r.stderr,
                          f"the kit's run {' '.join(args)}: exit 2 and one line that says why",
                          f"exit {r.returncode}: {r.stderr.strip()} {r.stdout[:80]}"))
    return out
