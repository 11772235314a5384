# SPDX-License-Identifier: GPL-2.0
"""make check's document around its groups (svt/suite.py, svt/cli.py):
a group that raises, the names check --only takes, a name it does not
know. Nothing is built or booted."""
import contextlib
import io
import tempfile
import unittest

from svt import cli, suite
from svt.build import Builder
from svt.state import Paths


class Groups(unittest.TestCase):
    def test_a_raising_group_fails_and_says_why(self):
        """an exception in a group is one failed result naming it, not the end of the
        document"""
        with tempfile.TemporaryDirectory() as d:
            s = suite.Suite(Builder(Paths(d)))
            out = s._guarded("lava", lambda: {}["missing"])
        self.assertEqual(len(out), 1)
        self.assertFalse(out[0].ok)
        self.assertIn("the lava group", out[0].name)
        self.assertIn("KeyError", out[0].why)

    def test_names_on_the_command_line(self):
        """a group's name for check --only: its words up to a parenthesis, '-' for each
        space; every group has its own"""
        self.assertEqual(suite.ident("scenario deb-host-package"), "scenario-deb-host-package")
        self.assertEqual(suite.ident(suite.SELFTEST), "harness-selftest")
        with tempfile.TemporaryDirectory() as d:
            groups = suite.Suite(Builder(Paths(d))).groups()
        self.assertEqual(len({suite.ident(g) for g in groups}), len(groups))
        self.assertIn("scenario-patched-off", {suite.ident(g) for g in groups})

    def test_needs(self):
        """a scenario's group needs its boot; the lava group none of the runner's (LAVA boots
        its own)"""
        with tempfile.TemporaryDirectory() as d:
            s = suite.Suite(Builder(Paths(d)))
            self.assertEqual(s.needs("lava"), [])
            self.assertEqual(s.needs("scenario main"), ["main"])
            self.assertEqual(s.needs("bad input"), [])

    def test_only_an_unknown_group(self):
        """check --only with a name no group has: exit 2 and one line, nothing run"""
        err = io.StringIO()
        with tempfile.TemporaryDirectory() as d, contextlib.redirect_stderr(err):
            rc = cli.main(["--build", d, "check", "--only", "lava", "nope"])
        self.assertEqual(rc, 2)
        self.assertEqual(len(err.getvalue().splitlines()), 1, err.getvalue())
        self.assertIn("no group 'nope'", err.getvalue())


if __name__ == "__main__":
    unittest.main()
