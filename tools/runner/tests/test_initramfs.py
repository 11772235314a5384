# SPDX-License-Identifier: GPL-2.0
"""The newc cpio writer, read back by cpio itself."""
import os
import shutil
import subprocess
import tempfile
import unittest

from svt import initramfs


@unittest.skipUnless(shutil.which("cpio"), "no cpio")
class Cpio(unittest.TestCase):
    def test_roundtrip(self):
        """an archive of directories, files (modes kept) and bytes unpacks with cpio as
        written, and two archives written from the same inputs are the same bytes"""
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "prog")
            with open(src, "w") as f:
                f.write("#!/bin/sh\necho odd-sized\n")
            os.chmod(src, 0o755)
            entries = [("bin", None), ("bin/prog", src), ("etc", None), ("etc/x", b"abc")]
            a, b = os.path.join(d, "a.cpio.gz"), os.path.join(d, "b.cpio.gz")
            initramfs.write(a, entries)
            initramfs.write(b, entries)
            with open(a, "rb") as fa, open(b, "rb") as fb:
                self.assertEqual(fa.read(), fb.read())
            out = os.path.join(d, "out")
            os.makedirs(out)
            subprocess.run(f"gzip -dc {a} | cpio -id --quiet", shell=True, cwd=out, check=True)
            with open(os.path.join(out, "etc/x"), "rb") as f:
                self.assertEqual(f.read(), b"abc")
            self.assertEqual(os.stat(os.path.join(out, "bin/prog")).st_mode & 0o777, 0o755)
            self.assertEqual(subprocess.run([os.path.join(out, "bin/prog")], capture_output=True,
                                            text=True).stdout, "odd-sized\n")

    def test_tree_and_concat(self):
        """a directory packs parents first under a prefix; concatenated archives list
        as one"""
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "root", "lib"))
            with open(os.path.join(d, "root", "lib", "l.so"), "w") as f:
                f.write("x")
            self.assertEqual(initramfs.tree(os.path.join(d, "root"), "vmm"),
                             [("vmm", None), ("vmm/lib", None),
                              ("vmm/lib/l.so", os.path.join(d, "root", "lib", "l.so"))])
            one, two, both = (os.path.join(d, n) for n in ("1.gz", "2.gz", "both.gz"))
            initramfs.write(one, [("a", b"1")])
            initramfs.write(two, [("b", b"2")])
            initramfs.concat(both, [one, two])
            listing = subprocess.run(f"gzip -dc {both} | cpio -t --quiet", shell=True,
                                     capture_output=True, text=True).stdout.split()
            self.assertEqual(listing[0], "a")
