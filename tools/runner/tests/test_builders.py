# SPDX-License-Identifier: GPL-2.0
"""The builders on small inputs, with the real tools where they run here:
a boot's QEMU command and its nested initramfs (boot.py, a dry run: the
kernels and QEMU's parts are small files, as the Builder's would be);
the kit's program wrappers and its ELF reading (kit.py); svvptc-kvm-dkms
built by deb.sh as make deb builds it, and kept by the freshness rule
(dkms.py)."""
import gzip
import os
import shutil
import subprocess
import tempfile
import unittest

from svt import boot, initramfs, kit
from svt.proc import BuildError, git, git_probe
from svt import protocol as P
from svt.build import Builder
from svt.state import FIRMWARE, Paths

from .common import HEAD, Scratch

def names(archive):
    """The names in ARCHIVE, a gzip of newc cpio archives one after the
    other, as the kernel unpacks them (cpio -t stops at the first end)."""
    with open(archive, "rb") as f:
        data = gzip.decompress(f.read())
    out, at = [], 0
    while at < len(data):
        fields = [int(data[at + 6 + 8 * i:at + 14 + 8 * i], 16) for i in range(13)]
        name = data[at + 110:at + 110 + fields[11] - 1].decode()
        at += 110 + fields[11]
        at += -at % 4 + fields[6]
        at += -at % 4
        if name != "TRAILER!!!":
            out.append(name)
        while at < len(data) and data[at:at + 6] != b"070701":
            at += 1
    return out


NESTED = HEAD.replace("step cpuinfo\n", "step cpuinfo\nstep l2:tip cpuinfo dt-isa\n")


class Inputs:
    """What boot() asks a Builder for, as small files in D: each kernel's
    Image and initramfs, the plugin, the VMM part, the L2 parts."""

    def __init__(self, d):
        self.p = Paths(d)
        self.d = d

    def _file(self, name):
        """D/NAME: a one-file archive for a .gz name, else a few bytes."""
        path = os.path.join(self.d, name)
        if name.endswith(".gz"):
            initramfs.write(path, [(name.replace(".", "-"), b"x")])
        else:
            with open(path, "wb") as f:
                f.write(b"x")
        return path

    def kernel_named(self, name):
        return self._file(f"{name}-Image"), self._file(f"{name}-initrd.gz")

    def plugin(self):
        return self._file("fence-count.so")

    def vmm(self):
        os.makedirs(os.path.join(self.d, "vmm"), exist_ok=True)
        self._file(os.path.join("vmm", "vmm.cpio.gz"))
        return os.path.join(self.d, "vmm")

    def l2_initramfs(self):
        return self._file("l2-initrd.gz")

    def l2_image(self, name):
        return self._file(f"l2-{name}-Image")


class Boot(unittest.TestCase):
    def test_command(self):
        """the QEMU command of a scenario: its machine, CPU, vCPUs and memory, the firmware,
        the steps on the command line, the fence-count plugin and its log; a CPU given by
        hand wins"""
        with Scratch() as s:
            s.write("one", HEAD)
            sc = s.load("one")
        cmd = boot.command(sc, "Image", "initrd", "fc.so", "/l/one.log")
        self.assertEqual(cmd[:9], ["qemu-system-riscv64", "-M", "virt", "-cpu", "rv64", "-smp",
                                   "2", "-m", "2G"])
        self.assertEqual(cmd[cmd.index("-bios") + 1], FIRMWARE)
        self.assertIn(f"{P.RUN_KEY}=cpuinfo", cmd[cmd.index("-append") + 1])
        self.assertEqual(cmd[-6:], ["-plugin", "fc.so", "-d", "plugin", "-D", "/l/one.log.fences"])
        other = boot.command(sc, "Image", "initrd", "fc.so", "/l/one.log", cpu="rv64,h=true")
        self.assertEqual(other[other.index("-cpu") + 1], "rv64,h=true")

    def test_nested_initramfs(self):
        """a scenario with an L2 step boots the L1 initramfs, then the VMM, then the L2
        initramfs and kernel under /l2/, concatenated; a dry run boots nothing"""
        with tempfile.TemporaryDirectory() as d, Scratch() as s:
            s.write("nested", NESTED)
            b = Inputs(d)
            self.assertIsNone(boot.boot(b, s.load("nested"), dry_run=True))
            nested = os.path.join(b.p.nested, "nested.cpio.gz")
            listing = names(nested)
            self.assertFalse(os.path.exists(b.p.log("nested")))
        self.assertEqual(listing, ["tip-initrd-gz", "vmm/vmm-cpio-gz", "l2",
                                   "l2/initramfs.cpio.gz", "l2/tip", "l2/tip/Image"])


class Kit(unittest.TestCase):
    def test_wrapper(self):
        """a program of the kit becomes a sh wrapper that starts the real one, moved to
        .bin/, through the kit's loader and libc"""
        with tempfile.TemporaryDirectory() as d:
            shutil.copy("/bin/true", os.path.join(d, "onereg-probe"))
            kit._wrap(d, ["onereg-probe"], "../lib")
            w = os.path.join(d, "onereg-probe")
            with open(w) as f:
                text = f.read()
            self.assertTrue(os.access(w, os.X_OK))
            self.assertTrue(os.path.isfile(os.path.join(d, ".bin", "onereg-probe")))
            self.assertEqual(subprocess.run(["sh", "-n", w]).returncode, 0)
        self.assertIn(f'"$d/../lib/{kit.LOADER}" --library-path "$d/../lib" '
                      '"$d/.bin/onereg-probe" "$@"', text)

    def test_elf_needed(self):
        """what an ELF file needs is read from it; a script is not ELF"""
        self.assertIn("libc.so.6", kit._elf_needed(os.path.realpath("/bin/ls")))
        with tempfile.NamedTemporaryFile("w") as f:
            f.write("#!/bin/sh\n")
            f.flush()
            self.assertIsNone(kit._elf_needed(f.name))

    def test_selftests(self):
        """the kit keeps the KVM selftests the scenarios run, in the kernel's list's order"""
        got = kit.selftests(["zzz_not_run", "gstage_range_test", "get-reg-list"])
        self.assertEqual(got, ["gstage_range_test", "get-reg-list"])


@unittest.skipUnless(shutil.which("dpkg-buildpackage"), "no dpkg-buildpackage (dpkg-dev)")
class Deb(unittest.TestCase):
    def test_deb_and_its_key(self):
        """deb.sh builds svvptc-kvm-dkms from tools/dkms and the host half, not as root; the
        same inputs again build nothing"""
        with tempfile.TemporaryDirectory() as d:
            b = Builder(Paths(d))
            deb = b.deb()
            info = subprocess.run(["dpkg-deb", "-f", deb, "Package", "Architecture"],
                                  capture_output=True, text=True, check=True).stdout.split()
            with open(os.path.join(os.path.dirname(deb), "built-by")) as f:
                user = f.read().strip()
            when = os.stat(deb).st_mtime_ns
            self.assertEqual(b.deb(), deb)
            self.assertEqual(os.stat(deb).st_mtime_ns, when)
        self.assertEqual(info, ["Package:", "svvptc-kvm-dkms", "Architecture:", "all"])
        self.assertNotIn(user, ("", "root"))


class Git(unittest.TestCase):
    def test_a_failure_is_said(self):
        """git that fails is a BuildError with git's own last line, not an empty answer;
        a probe's failure is the empty answer"""
        with tempfile.TemporaryDirectory() as d:
            git(d, "init", "-q")
            with self.assertRaises(BuildError) as e:
                git(d, "rev-parse", "--verify", "no-such-ref")
            self.assertIn("no-such-ref", str(e.exception))
            self.assertEqual(git_probe(d, "rev-parse", "-q", "--verify", "no-such-ref"), "")
            self.assertEqual(git(d, "rev-parse", "--is-inside-work-tree"), "true")


if __name__ == "__main__":
    unittest.main()
