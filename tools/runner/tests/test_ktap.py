# SPDX-License-Identifier: GPL-2.0
"""The KTAP writers, and the kernel's kunit.py parse reading what they
write (SVT_KUNIT_PY: the kernel tree's tools/testing/kunit/kunit.py; make
check sets it): the runner's (svt/ktap.py), and the guest programs'
(tools/guest/guest.h, which clock-test uses), compiled here for this
machine. The kit's (tools/kit/run) is read by kunit.py in make check,
where it runs (lava.py, tools/scenarios/patched-off)."""
import io
import os
import shutil
import subprocess
import tempfile
import unittest

from svt import scenario
from svt.judge import judge
from svt.ktap import Document, Result, kunit_counts, leaf_counts, lines, top_results
from svt.state import GUEST

from .common import data

KUNIT = os.environ.get("SVT_KUNIT_PY", "")
NO_KUNIT = ("no kunit.py: SVT_KUNIT_PY names none (make check and selftest set it to the "
            "kernel's tools/testing/kunit/kunit.py once the series' tree exists)")


class Writer(unittest.TestCase):
    def test_lines(self):
        """a document: version, plan, ok / not ok with the reason before it, a skip with its
        reason"""
        self.assertEqual(lines([Result(True, "a"), Result(False, "b", "why\nso"),
                                Result(True, "c", skip="no kvm")]),
                         ["KTAP version 1", "1..3", "ok 1 a", "# why so", "not ok 2 b",
                          "ok 3 c # SKIP no kvm"])

    def document(self, groups):
        with tempfile.TemporaryDirectory() as d:
            out = io.StringIO()
            doc = Document(len(groups), os.path.join(d, "x.ktap"), out)
            for name, results in groups:
                doc.group(name, results)
            doc.close()
            return out.getvalue(), doc

    def test_subtests(self):
        """a group is an indented subtest with its own plan, closed by its result;
        a group that ran nothing fails"""
        text, doc = self.document([("g", [Result(True, "a")]), ("empty", [])])
        self.assertEqual(text.splitlines(), [
            "KTAP version 1", "1..2", "    KTAP version 1", "    # Subtest: g", "    1..1",
            "    ok 1 a", "ok 1 g", "    KTAP version 1", "    # Subtest: empty", "    1..0",
            "not ok 2 empty"])
        self.assertEqual(doc.counts(), (1, 1, 0, 0, 0))

    def test_diagnostic_data(self):
        """a result line with diagnostic data (the kit's rates) counts as what it is; only the
        SKIP directive makes a skip"""
        doc = ["KTAP version 1", "1..2", "    KTAP version 1", "    # Subtest: figures",
               "    1..3", "    ok 1 rate # 22070.8 pages/s", "    not ok 2 other # 12 faults/s",
               "    ok 3 none # SKIP no qemu", "not ok 1 figures", "ok 2 guest # SKIP no kvm",
               "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:1 error:0"]
        self.assertEqual(leaf_counts(doc), (4, 1, 1, 2, 0))

    @unittest.skipUnless(os.path.isfile(KUNIT), NO_KUNIT)
    def test_kunit_failing(self):
        """kunit.py parse counts the runner's KTAP of a failing console as the runner does"""
        self.agree(judge(scenario.load(data("main")), data("main-bug.log")))

    @unittest.skipUnless(os.path.isfile(KUNIT), NO_KUNIT)
    def test_kunit_clean(self):
        """kunit.py parse counts the runner's KTAP of a clean console as the runner does"""
        self.agree(judge(scenario.load(data("main")), data("main-pass.log")))

    @unittest.skipUnless(os.path.isfile(KUNIT), NO_KUNIT)
    def test_kunit_document(self):
        """kunit.py parse counts a whole make check document (groups, a skip) as the runner
        does"""
        with tempfile.TemporaryDirectory() as d:
            doc = Document(3, os.path.join(d, "x.ktap"), io.StringIO())
            doc.group("a", judge(scenario.load(data("main")), data("main-rc.log")))
            doc.group("b", [Result(True, "x"), Result(True, "y", skip="why")])
            doc.group("c", [], skip="not run")
            doc.close()
            self.assertEqual(kunit_counts(KUNIT, doc.path), doc.counts())

    def agree(self, results):
        with tempfile.NamedTemporaryFile("w", suffix=".ktap") as f:
            f.write("\n".join(lines(results)) + "\n")
            f.flush()
            n, p = len(results), sum(r.ok for r in results)
            self.assertEqual(kunit_counts(KUNIT, f.name), (n, p, n - p, 0, 0))


# ktap_plan() and ktap_result() of guest.h, as clock-test calls them.
GUEST_PROGRAM = r"""
#include "guest.h"
int main(void)
{
	ktap_plan(3);
	printf("# cpu=%d rdtime first=%d last=%d\n", 0, 1, 2);
	ktap_result(1, "cpu=%d rdtime", 0);
	ktap_result(0, "cpu=%d clock_gettime", 0);
	ktap_result(1, "cpu=%d rdtime # SKIP %s", 1, "no such hart");
	return 0;
}
"""
GUEST_KTAP = ["KTAP version 1", "1..3", "# cpu=0 rdtime first=1 last=2", "ok 1 cpu=0 rdtime",
              "not ok 2 cpu=0 clock_gettime", "ok 3 cpu=1 rdtime # SKIP no such hart"]


@unittest.skipUnless(shutil.which("cc"), "no C compiler (cc) on this machine")
class GuestWriter(unittest.TestCase):
    def output(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "t.c"), "w") as f:
                f.write(GUEST_PROGRAM)
            subprocess.run(["cc", "-Wall", "-Werror", "-I", GUEST, "-o", os.path.join(d, "t"),
                            os.path.join(d, "t.c")], check=True, capture_output=True)
            return subprocess.run([os.path.join(d, "t")], capture_output=True, text=True,
                                  check=True).stdout

    def test_guest_h_writes_ktap(self):
        """guest.h's ktap_plan() and ktap_result() write a KTAP document: the version, the
        plan, results numbered from 1, a skip as a directive"""
        out = self.output().splitlines()
        self.assertEqual(out, GUEST_KTAP)
        self.assertEqual(top_results(out), (3, [("cpu=0 rdtime", "ok"),
                                                ("cpu=0 clock_gettime", "fail"),
                                                ("cpu=1 rdtime", "skip")]))

    @unittest.skipUnless(os.path.isfile(KUNIT), NO_KUNIT)
    def test_kunit_reads_guest_h(self):
        """kunit.py parse counts what guest.h writes as its lines do"""
        with tempfile.NamedTemporaryFile("w", suffix=".ktap") as f:
            f.write(self.output())
            f.flush()
            self.assertEqual(kunit_counts(KUNIT, f.name), (3, 1, 1, 1, 0))
