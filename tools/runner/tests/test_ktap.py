# SPDX-License-Identifier: GPL-2.0
"""The KTAP writer, and the kernel's kunit.py parse reading what it writes
(SVT_KUNIT_PY: the kernel tree's tools/testing/kunit/kunit.py; make check
sets it)."""
import io
import os
import tempfile
import unittest

from svt import scenario
from svt.judge import judge
from svt.ktap import Document, Result, kunit_counts, leaf_counts, lines

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
