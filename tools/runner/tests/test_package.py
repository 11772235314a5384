# SPDX-License-Identifier: GPL-2.0
"""The package group's judgement (svt/package.py) of a recorded run of
dkms-host.sh (testdata/dkms: the text it leaves per case, without the
apt logs and modules), and of the same run with one thing broken."""
import os
import shutil
import tempfile
import unittest

from svt import package

from .common import data

CASES = ("fresh", "remove", "previous", "package-upgrade", "source-late-kernel", "revision",
         "drift", "applied", "source-late", "kernel-upgrade", "amd64", "purge")


def judged(d):
    """{name: result} of the results about the cases."""
    return {r.name: r for r in package.results(d) if r.name.split(":")[0] in CASES}


class Recorded(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = os.path.join(self.tmp.name, "dkms")
        shutil.copytree(data("dkms"), self.d)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, case, name, text):
        with open(os.path.join(self.d, "cases", case, name), "w") as f:
            f.write(text)

    def failed(self):
        return {n: r.why for n, r in judged(self.d).items() if not r.ok}

    def test_recorded_run_passes(self):
        """every case of the recorded run passes, one result per case"""
        self.assertEqual(self.failed(), {})
        self.assertEqual(sorted(n.split(":")[0] for n in judged(self.d)), sorted(CASES))

    def test_apt_failure(self):
        """a kernel left half-configured (apt's exit 100, dpkg --audit not
        empty) fails its case, which shows both"""
        self.write("drift", "rc", "100\n")
        self.write("drift", "audit", "The following packages are only half configured\n")
        failed = self.failed()
        self.assertEqual([n.split(":")[0] for n in failed], ["drift"])
        self.assertRegex(next(iter(failed.values())), r"exit 100; audit 'The following")

    def test_no_line(self):
        """a skipped kernel without the operator's line fails"""
        self.write("revision", "said", "")
        self.assertEqual([n.split(":")[0] for n in self.failed()], ["revision"])

    def test_wrong_reason(self):
        """the line must give the case's reason, once"""
        with open(os.path.join(self.d, "cases", "applied", "said")) as f:
            line = f.read()
        self.write("applied", "said", line.replace("is already in", "does not apply to"))
        self.write("drift", "said", line.replace("is already in", "does not apply to") * 2)
        self.assertEqual(sorted(n.split(":")[0] for n in self.failed()), ["applied", "drift"])

    def test_module_lost(self):
        """the older kernel losing its module when the source moves on fails"""
        with open(os.path.join(self.d, "cases", "source-late", "kvm")) as f:
            kvm = f.read()
        self.write("source-late", "kvm", kvm.replace(package.OURS, package.DEBIANS, 1))
        self.assertEqual([n.split(":")[0] for n in self.failed()], ["source-late"])

    def test_not_run(self):
        """a case that never ran fails"""
        shutil.rmtree(os.path.join(self.d, "cases", "purge"))
        failed = self.failed()
        self.assertEqual([n.split(":")[0] for n in failed], ["purge"])
        self.assertIn("not run", next(iter(failed.values())))
