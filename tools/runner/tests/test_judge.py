# SPDX-License-Identifier: GPL-2.0
"""Judging recorded consoles (testdata/README) against the main scenario
and the scenarios of testdata/."""
import os
import re
import tempfile
import unittest

from svt import scenario
from svt.proc import BuildError
from svt.series import series, series_position
from svt.judge import judge

from .common import data

# The main scenario as it was when the consoles were recorded: editing
# tools/scenarios/main does not change what these tests expect.
MAIN = scenario.load(data("main"))


def failed(results):
    """{sentence: why} of the results that failed."""
    return {r.name: r.why for r in results if not r.ok}


class Recorded(unittest.TestCase):
    def test_clean(self):
        """a clean console of the main scenario passes every test"""
        results = judge(MAIN, data("main-pass.log"))
        self.assertEqual(failed(results), {})
        self.assertEqual(len(results), 1 + len(MAIN.expects))

    def test_bug_line(self):
        """a BUG: line in the L2 guest's console fails the boot test, naming the line,
        and nothing else"""
        results = judge(MAIN, data("main-bug.log"))
        self.assertEqual(list(failed(results)), [results[0].name])
        self.assertRegex(results[0].why, r"console line 2\d\d: L2 .*BUG: Bad page map")

    def test_timeout(self):
        """a console cut by the timeout fails the boot test as timed out"""
        results = judge(MAIN, data("main-timeout.log"))
        self.assertRegex(failed(results).get(results[0].name, ""), "timed out after 300s")

    def test_timeout_cut_step(self):
        """a console cut by the timeout fails the tests of the step it cut, and only those"""
        results = judge(MAIN, data("main-timeout.log"))
        cut = {s: why for s, why in failed(results).items() if s != results[0].name}
        self.assertTrue(cut)
        for s, why in cut.items():
            self.assertIn("l2:tip", why, s)
        self.assertNotIn("get-reg-list exits 0", cut)

    def test_rc(self):
        """a step that exits 1 fails its exit status test, and nothing else"""
        bad = failed(judge(MAIN, data("main-rc.log")))
        self.assertEqual(list(bad), ["get-reg-list exits 0"])
        self.assertIn("exit status 1", bad["get-reg-list exits 0"])

    def test_missing(self):
        """a missing console fails every test, saying so"""
        bad = failed(judge(MAIN, data("nosuch.log")))
        self.assertEqual(len(bad), 1 + len(MAIN.expects))
        for s, why in bad.items():
            self.assertIn("no console", why, s)


class Kinds(unittest.TestCase):
    def test_pass(self):
        """every kind of expectation can pass (testdata/kinds)"""
        self.assertEqual(failed(judge(scenario.load(data("kinds")), data("main-pass.log"))), {})

    def test_fail(self):
        """every kind of expectation can fail (testdata/kinds-fail)"""
        sc = scenario.load(data("kinds-fail"))
        bad = failed(judge(sc, data("main-pass.log")))
        self.assertEqual(sorted(bad), sorted(e.sentence for e in sc.expects))

    def test_fail_reasons(self):
        """a failed expectation says why: the counts, the lines, the step"""
        bad = failed(judge(scenario.load(data("kinds-fail")), data("main-pass.log")))
        self.assertRegex(bad["rc"], "exit status 0")
        self.assertRegex(bad["fences at most"], r"\d+ sfence.vma for \d+ operations")
        self.assertRegex(bad["fences summed, at least"], r"\d+ sfence.vma\+sinval.vma for \d+ operations")
        self.assertRegex(bad["a step that never ran"], "step nosuchstep never ran")
        self.assertRegex(bad["covers"], "lost: cpu=2 ")
        self.assertTrue(re.search("no console of nosuch", bad["covers a console that does not exist"]))
        self.assertRegex(bad["ktap, every result"], r"cpu=0 rdtime: ok")
        self.assertRegex(bad["ktap, a result that is not there"], "cpu=7 rdtime: no such group")
        self.assertRegex(bad["ktap, a step that printed no KTAP"], "no complete KTAP document")

    def test_project_scenarios_read(self):
        """every scenario of the project reads, and names a kernel the runner knows: a
        before-PATCH or after-PATCH kernel names one patch of the series"""
        for name in scenario.names():
            sc = scenario.load(name)
            for k in [sc["kernel"]] + sc.l2_kernels():
                if k not in ("tip", "base", "sanitizers", "mainline", "debian"):
                    self.assertIn(series_position(k), range(1, len(series())), (name, k))


class KernelNames(unittest.TestCase):
    def test_by_patch_name(self):
        """before-PATCH and after-PATCH count the patches up to the one PATCH starts the
        name of, wherever it stands; a name that fits no patch, or two, is an error"""
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "series"), "w") as f:
                f.write("# order\n0001-RISC-V-KVM-Reserve-ids.patch\n"
                        "0002-RISC-V-KVM-Walk-every-G-stage-entry.patch\n"
                        "0003-KVM-riscv-selftests-Add-a-test.patch\n")
            self.assertEqual(series_position("before-RISC-V-KVM-Walk", d), 1)
            self.assertEqual(series_position("after-RISC-V-KVM-Walk", d), 2)
            self.assertEqual(series_position("after-KVM-riscv-selftests", d), 3)
            for bad in ("before-No-such-patch", "after-RISC-V-KVM", "0002", "walk"):
                self.assertRaises(BuildError, series_position, bad, d)