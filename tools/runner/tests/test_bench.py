# SPDX-License-Identifier: GPL-2.0
"""make bench's figures and report, from recorded bench consoles."""
import contextlib
import io
import os
import re
import shutil
import tempfile
import unittest

from svt import bench, scenario

from .common import Scratch, data


class Figures(unittest.TestCase):
    def test_median_after_warmup(self):
        """a bench figure is the median of a repeat step's runs after its warm-up ones;
        fences per operation count every run (testdata/bench)"""
        sc = scenario.load(data("bench"))
        log = data("bench-repeat.log")
        pf, upd = sc.metrics["pf_rate"], sc.metrics["update"]
        self.assertEqual(bench.sample(log, pf), 30000)
        self.assertEqual(bench.fences_per_op(log, pf, "sfence.vma"), 328 / 32768)
        self.assertEqual(bench.sample(log, upd), 1.5)
        self.assertEqual(bench.fences_per_op(log, upd, "hfence.gvma"), 8192 / 32768)

    def test_runs_sentence(self):
        """the report says how many runs a boot made and how many were warm-up, as the
        consoles show"""
        for runs, want in (({(4, 1)}, r"4 times .*the first run, .* is a warm-up.* other 3\."),
                           ({(5, 2)}, r"5 times .*the first 2 runs, .* are a warm-up.* other 3\."),
                           ({(3, 0)}, r"3 times; the boot's figure is their median\."),
                           ({(1, 0)}, r"once"),
                           ({(4, 1), (1, 0)}, r"\[\(1, 0\), \(4, 1\)\]")):
            self.assertRegex(bench.repeats(runs), want)

    def test_rounds(self):
        """every round boots each group, rotating which goes first; the once-only
        groups come in the first round only"""
        self.assertEqual([bench.order(["a", "b", "c"], r) for r in (1, 2, 3, 4)],
                         [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"], ["a", "b", "c"]])
        comps = scenario.comparisons()
        every, first = bench.groups(comps, False), bench.groups(comps, True)
        self.assertIn(["bench-gs-tip", "bench-gs-0003", "bench-gs-mainline"], every)
        self.assertEqual(first, [["bench-scale-tip", "bench-scale-0003"]])


class Report(unittest.TestCase):
    @unittest.skipUnless(shutil.which("gnuplot"), "no gnuplot")
    def test_report(self):
        """a comparison declared in scenario files only is reported: medians, gains,
        the per-round spread, fences per operation, the hosts from the scenarios"""
        fam = ("suite bench\ntimeout 300\ncpu rv64,h=true\nstep repeat:4:pf-bench:32:8\n"
               "metric pf_rate repeat:4:pf-bench 'faults_per_sec=([0-9.]+)' faults/s higher "
               "fences=sfence.vma ops=faults= warmup=1\n")
        with Scratch() as d, tempfile.TemporaryDirectory() as out:
            d.write("fam.inc", fam)
            d.write("a", "include fam\nkernel tip\nlabel new\nabout 'the new one'\n"
                    "compare pf_rate b -- page faults\n")
            d.write("b", "include fam\nkernel base\nlabel old\nabout 'the old one'\n")
            benchdir = os.path.join(out, "bench")
            os.makedirs(benchdir)
            for name in ("a", "b"):
                for r in (1, 2):
                    for ext in ("", ".fences"):
                        shutil.copy(data("bench-repeat.log") + ext,
                                    os.path.join(benchdir, f"{name}.{r}.log{ext}"))
            with contextlib.redirect_stderr(io.StringIO()):
                bench.report(benchdir, out, scenario.comparisons(d.dir))
            with open(os.path.join(out, "benchmarks.rst")) as f:
                rst = f.read()
            self.assertIn("- new: the new one.", rst)
            self.assertIn("page faults (``rv64,h=true``)", rst)
            self.assertIn("new: 30000 faults/s; old: 30000 faults/s", rst)
            self.assertIn("/ old: 1.00x (1.00..1.00)", rst)
            self.assertTrue(re.search(r"per fault: new: 0\.010 sfence\.vma", rst))
            self.assertTrue(os.path.getsize(os.path.join(out, "benchmarks.png")) > 1000)
