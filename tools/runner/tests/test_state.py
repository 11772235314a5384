# SPDX-License-Identifier: GPL-2.0
"""Named state and the one freshness rule."""
import os
import tempfile
import unittest

from svt import state


class Freshness(unittest.TestCase):
    def test_rule(self):
        """an output is fresh only with the key of its inputs now: a changed input
        file, a missing one, or an unfinished build makes it stale"""
        with tempfile.TemporaryDirectory() as d:
            src, out = os.path.join(d, "in.c"), os.path.join(d, "out")
            with open(src, "w") as f:
                f.write("1")
            k = state.key("build", state.File(src), "gcc 12")
            self.assertFalse(state.fresh(out, k))          # never built
            os.makedirs(out)
            state.done(out, k)
            self.assertTrue(state.fresh(out, k))
            with open(src, "w") as f:
                f.write("2")
            self.assertFalse(state.fresh(out, state.key("build", state.File(src), "gcc 12")))
            self.assertNotEqual(k, state.key("build", state.File(src + "x"), "gcc 12"))
            state.stale(out)
            self.assertFalse(state.fresh(out, k))          # a build under way

    def test_named(self):
        """named state keeps each value under its name"""
        with tempfile.TemporaryDirectory() as d:
            s = state.State(d)
            s.set(base="b1", tip="t1")
            s.set(tip="t2")
            self.assertEqual((s.get("base"), s.get("tip"), s.get("nope")), ("b1", "t2", None))

    def test_paths(self):
        """the work directory follows KERNEL_SRC, at whatever depth the build root is"""
        self.assertEqual(state.Paths("/x/y/z").work, "/x/y/z/debian")
        self.assertEqual(state.Paths("/x", "/src").work, "/x/user")
        self.assertEqual(state.Paths("/x").vmm, "/x/vmm")
