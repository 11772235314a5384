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

    def test_target(self):
        """a target builds once for a key, again when an input changes; a build that
        raises leaves it stale; another target can name it by its key (made)"""
        with tempfile.TemporaryDirectory() as d:
            src, out = os.path.join(d, "in.c"), os.path.join(d, "out")
            with open(src, "w") as f:
                f.write("1")
            built = []

            def build():
                built.append(1)
                with open(out, "w") as f:
                    f.write("x")
            self.assertEqual(state.Target(out, "cc", state.File(src)).make(build), out)
            state.Target(out, "cc", state.File(src)).make(build)
            self.assertEqual(len(built), 1)
            after = state.key("ld", state.made(out))
            with open(src, "w") as f:
                f.write("2")

            def broken():
                raise OSError("no space")
            t = state.Target(out, "cc", state.File(src))
            self.assertRaises(OSError, t.make, broken)
            self.assertFalse(t.fresh())
            self.assertFalse(state.has_key(out))
            t.make(build)
            self.assertEqual(len(built), 2)
            self.assertNotEqual(state.key("ld", state.made(out)), after)
            t.forget()
            self.assertFalse(os.path.exists(out) or state.has_key(out))

    def test_named(self):
        """named state keeps each value under its name"""
        with tempfile.TemporaryDirectory() as d:
            s = state.State(d)
            s.set(base="b1", tip="t1")
            s.set(tip="t2")
            self.assertEqual((s.get("base"), s.get("tip"), s.get("nope")), ("b1", "t2", ""))

    def test_paths(self):
        """the work directory follows KERNEL_SRC, at whatever depth the build root is"""
        self.assertEqual(state.Paths("/x/y/z").work, "/x/y/z/debian")
        self.assertEqual(state.Paths("/x", "/src").work, "/x/user")
        self.assertEqual(state.Paths("/x").vmm, "/x/vmm")
