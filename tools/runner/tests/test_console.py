# SPDX-License-Identifier: GPL-2.0
"""Reading a console: steps, operations, fence pairing."""
import unittest

from svt.console import Console, ConsoleError, boot_problem, fence_deltas, operations, step_output

from .common import data

LINES = ["boot", "SVT-BEGIN a:1", "x=3", "SVT-END a:1 rc=0", "SVT-BEGIN l2:tip:host",
         "L2 SVT-BEGIN b", "L2 x=4", "L2 SVT-END b rc=2", "SVT-END l2:tip:host rc=0", "SVT-DONE"]


def mark(seq, kind, n):
    return f"fence-mark {seq} {kind} vcpus=1 sfence.vma={n} per-vcpu-sfence.vma={n}"


class Steps(unittest.TestCase):
    def test_step_by_prefix(self):
        """a step is named by its name up to a ':'; an L2 step as L1STEP/L2STEP"""
        self.assertEqual(step_output(LINES, "a"), (["x=3"], 0))
        self.assertEqual(step_output(LINES, "l2:tip/b"), (["x=4"], 2))

    def test_never_ran(self):
        """a step that never ran is an error that names it"""
        with self.assertRaisesRegex(ConsoleError, "step c never ran"):
            step_output(LINES, "c")

    def test_ambiguous(self):
        """a name that begins two steps must say which"""
        lines = ["SVT-BEGIN a:1", "SVT-END a:1 rc=0", "SVT-BEGIN a:2", "SVT-END a:2 rc=0"]
        with self.assertRaisesRegex(ConsoleError, "names 2 steps"):
            step_output(lines, "a")

    def test_whole_name(self):
        """a step's whole name names it alone, also where it begins another's"""
        lines = ["SVT-BEGIN a:1", "x=1", "SVT-END a:1 rc=0", "SVT-BEGIN a:1:b", "x=2",
                 "SVT-END a:1:b rc=3"]
        self.assertEqual(step_output(lines, "a:1"), (["x=1"], 0))
        self.assertEqual(step_output(lines, "a:1:b"), (["x=2"], 3))
        with self.assertRaisesRegex(ConsoleError, "names 2 steps"):
            step_output(lines, "a")

    def test_operations(self):
        """OPS is a number, or the sum of what a step printed as KEY=N"""
        self.assertEqual(operations(["x=3 y=1", "x=4"], "x="), 7)
        self.assertEqual(operations([], "16"), 16)
        with self.assertRaisesRegex(ConsoleError, "printed no z=N"):
            operations(["x=3"], "z=")


class Fences(unittest.TestCase):
    def test_pairing(self):
        """the n-th SVT-BEGIN/END line pairs with the n-th mark; an L2 step's path
        is L1STEP > L2STEP, its count the difference of its marks"""
        marks = [mark(1, "begin", 0), mark(2, "end", 5), mark(3, "begin", 5),
                 mark(4, "begin", 6), mark(5, "end", 16), mark(6, "end", 20)]
        got = dict(fence_deltas(LINES, marks))
        self.assertEqual(got["a:1"]["sfence.vma"], 5)
        self.assertEqual(got["l2:tip:host > b"]["sfence.vma"], 10)
        self.assertEqual(got["l2:tip:host"]["per-vcpu-sfence.vma"], "15")

    def test_cut_off(self):
        """an L2 step whose guest was killed never ends: its L1 step's end closes it
        uncounted, and the steps after it pair as before"""
        lines = ["SVT-BEGIN migrate:tip", "L2 SVT-BEGIN b", "SVT-END migrate:tip rc=1",
                 "SVT-BEGIN a", "SVT-END a rc=0", "SVT-DONE"]
        marks = [mark(1, "begin", 0), mark(2, "begin", 1), mark(3, "end", 7),
                 mark(4, "begin", 7), mark(5, "end", 10)]
        got = dict(fence_deltas(lines, marks))
        self.assertEqual(sorted(got), ["a", "migrate:tip"])
        self.assertEqual((got["migrate:tip"]["sfence.vma"], got["a"]["sfence.vma"]), (7, 3))

    def test_unpaired(self):
        """marks that do not pair with the console's lines are an error"""
        with self.assertRaisesRegex(ConsoleError, r"6 SVT-BEGIN/END lines .* but 1 marks"):
            fence_deltas(LINES, [mark(1, "begin", 0)])

    def test_recorded(self):
        """a recorded console's fences: the L2 pf-bench of main-pass.log, whose L1 host
        has Svvptc, executed 45 sfence.vma and no hfence.gvma"""
        con = Console(data("main-pass.log"))
        self.assertEqual(con.fences("l2:tip/pf-bench", "sfence.vma"), 45)
        self.assertEqual(con.fences("l2:tip/pf-bench", "hfence.gvma"), 0)
        with self.assertRaisesRegex(ConsoleError, "no fence counts for nosuch"):
            con.fences("nosuch", "sfence.vma")


class Boot(unittest.TestCase):
    def test_lock_reports(self):
        """a lockdep report or a sleep in atomic context fails the boot; lockdep's
        banner does not"""
        done = ["SVT-DONE"]
        for report in ("WARNING: possible circular locking dependency detected",
                       "WARNING: possible recursive locking detected",
                       "WARNING: inconsistent lock state",
                       "BUG: sleeping function called from invalid context at mm/gup.c:1"):
            self.assertRegex(boot_problem(["x", report] + done) or "", "console line 2")
        self.assertIsNone(boot_problem(["Lock dependency validator: Copyright (c) 2006 Red Hat",
                                        "... MAX_LOCKDEP_SUBCLASSES:  8"] + done))
