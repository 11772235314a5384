# SPDX-License-Identifier: GPL-2.0
"""The scenario grammar: lines, include and define, compare."""
import unittest

from svt import scenario
from svt.scenario import ScenarioError

from .common import HEAD, Scratch


class Lines(unittest.TestCase):
    def refused(self, text, why):
        with Scratch() as d:
            d.write("broken", HEAD + text + "\n")
            with self.assertRaisesRegex(ScenarioError, f"broken:5: .*{why}"):
                d.load("broken")

    def test_unknown_kind(self):
        """a scenario line of an unknown kind is refused with its file and line"""
        self.refused("expect cpuinfo matches x -- s", "KIND one of")

    def test_no_sentence(self):
        """an expectation without its sentence is refused with its file and line"""
        self.refused("expect cpuinfo rc 0", "needs a sentence")

    def test_fences_ratio(self):
        """a fences expectation without a ratio is refused with its file and line"""
        self.refused("expect pf-bench fences sfence.vma <= 1 faults= -- s", "N/D OPS")

    def test_metric_options(self):
        """a metric with an unknown option is refused with its file and line"""
        self.refused("metric m x 'a=(1)' s lower speed=9", "fences=, ops=, warmup=")

    def test_undefined(self):
        """a line that uses an undefined $NAME is refused with its file and line"""
        self.refused("step pf-bench:$SIZE", r"\$SIZE is not defined")

    def test_migrate_step(self):
        """a migrate step without its four fields, or naming a QEMU that is neither
        trixie's nor sid's, is refused with its file and line"""
        self.refused("step migrate:tip:virt:128M mig-pattern:1", "not migrate:KERNEL:MACHINE:MEM:QEMU")
        self.refused("step migrate:tip:virt:128M:bookworm mig-pattern:1", "QEMU one of trixie, sid")

    def test_migrate_qemu(self):
        """a migrate step with sid's QEMU asks for it; trixie's and l2 steps do not"""
        with Scratch() as d:
            d.write("t", HEAD + "step l2:tip cpuinfo\nstep migrate:tip:virt:128M:trixie cpuinfo\n")
            d.write("s", HEAD + "step migrate:debian:virt+aia=aplic-imsic:256M:sid cpuinfo\n")
            self.assertFalse(d.load("t").sid_qemu())
            self.assertEqual(d.load("t").l2_kernels(), ["tip"])
            self.assertTrue(d.load("s").sid_qemu())
            self.assertEqual(d.load("s").l2_kernels(), ["debian"])

    def test_append(self):
        """a scenario's append words go on the L1 command line before svt.run=, and a
        scenario without them keeps its command line"""
        body = HEAD.replace("step cpuinfo\n", "step cpuinfo\nstep l2:tip dt-isa pf-bench:16:4\n")
        with Scratch() as d:
            d.write("plain", body)
            d.write("appended", body + "append 'kvm.x=1 foo'\n")
            self.assertEqual(d.load("plain").cmdline(),
                             "console=ttyS0 panic=-1 svt.run=cpuinfo,l2:tip:host:2:256M:"
                             "dt-isa+pf-bench/16/4")
            self.assertEqual(d.load("appended").cmdline(),
                             "console=ttyS0 panic=-1 kvm.x=1 foo svt.run=cpuinfo,l2:tip:host:2:"
                             "256M:dt-isa+pf-bench/16/4")


class Include(unittest.TestCase):
    BASE = ("suite bench\ntimeout 600\ncpu rv64\ndefine MODE 0\nstep work:-m:$MODE\n"
            "metric rate work 'rate=([0-9]+)' op/s higher ops=8\n")

    def test_override(self):
        """an included base gives its lines; the including file's key lines and
        defines override it, wherever they stand"""
        with Scratch() as d:
            d.write("fam.inc", self.BASE)
            d.write("a", "define MODE 18\ninclude fam\nkernel mainline\ntimeout 900\n")
            sc = d.load("a")
            self.assertEqual((sc["kernel"], sc["timeout"], sc["cpu"]), ("mainline", "900", "rv64"))
            self.assertEqual(sc.run(), "work:-m:18")
            self.assertEqual(sc.metrics["rate"].where, "work")

    def test_include_missing(self):
        """an include of a file that does not exist is refused, naming it"""
        with Scratch() as d:
            d.write("a", "include nosuch\n" + HEAD)
            with self.assertRaisesRegex(ScenarioError, r"nosuch\.inc"):
                d.load("a")

    def test_include_loop(self):
        """a file that includes itself is refused"""
        with Scratch() as d:
            d.write("loop.inc", "include loop\n")
            d.write("a", "include loop\n" + HEAD)
            with self.assertRaisesRegex(ScenarioError, "includes itself"):
                d.load("a")

    def test_names_skip_includes(self):
        """the scenario list holds neither README nor include files"""
        with Scratch() as d:
            d.write("fam.inc", self.BASE)
            d.write("README", "words")
            d.write("a", "include fam\nkernel tip\n")
            self.assertEqual(scenario.names(directory=d.dir), ["a"])


class Compare(unittest.TestCase):
    FAM = ("suite bench\ntimeout 600\ncpu rv64\nstep work\n"
           "metric rate work 'rate=([0-9]+)' op/s higher ops=8\n")

    def pair(self, a, b):
        """comparisons() of the scenario files a and b, each on the base fam."""
        with Scratch() as d:
            d.write("fam.inc", self.FAM)
            d.write("a", "include fam\n" + a)
            d.write("b", "include fam\n" + b)
            return scenario.comparisons(d.dir)

    def test_sides(self):
        """a compare line names its metric, title and sides, the file that holds it first"""
        (c,) = self.pair("kernel tip\nlabel 'patched'\ncompare rate b -- the rate\n",
                         "kernel base\nlabel 'stock'\n")
        self.assertEqual((c.metric, c.title), ("rate", "the rate"))
        self.assertEqual([s.label() for s in c.sides], ["patched", "stock"])

    def test_regex_differs(self):
        """a metric whose regex differs between the sides of a comparison is
        refused, naming the file and line of the side that differs"""
        with self.assertRaisesRegex(ScenarioError, r"/b:3: metric rate of b does not measure"):
            self.pair("kernel tip\ncompare rate b -- the rate\n",
                      "kernel base\nmetric rate work 'rate: ([0-9]+)' op/s higher ops=8\n")

    def test_unit_differs(self):
        """a metric whose unit differs between the sides is refused likewise"""
        with self.assertRaisesRegex(ScenarioError, r"/b:3: metric rate of b does not measure"):
            self.pair("kernel tip\ncompare rate b -- the rate\n",
                      "kernel base\nmetric rate work 'rate=([0-9]+)' pages/s higher ops=8\n")

    def test_missing_metric(self):
        """a comparison with a side that lacks the metric is refused"""
        with self.assertRaisesRegex(ScenarioError, "a:3: a has no metric speed"):
            self.pair("kernel tip\ncompare speed b -- x\n", "kernel base\n")

    def test_project_comparisons(self):
        """the project's bench scenarios declare comparisons that all read"""
        comps = scenario.comparisons()
        self.assertGreaterEqual(len(comps), 8)
        self.assertTrue(all(len(c.sides) >= 2 for c in comps))
