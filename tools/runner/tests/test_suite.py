# SPDX-License-Identifier: GPL-2.0
"""make check's document around its groups (svt/suite.py, svt/cli.py):
a group that raises, the names check --only takes, a name it does not
know. Nothing is built or booted."""
import contextlib
import io
import tempfile
import unittest

from svt import cli, schedule, suite
from svt.build import Builder
from svt.state import Paths


class Groups(unittest.TestCase):
    def test_a_raising_group_fails_and_says_why(self):
        """an exception in a group is one failed result naming it, not the end of the
        document"""
        out = suite._guarded("lava", lambda: {}["missing"])
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
        """each group's task needs what it judges: a scenario its boot, the lava group the
        LAVA jobs; a boot of Debian's kernel with the package's modules the package's apt
        life, the sanitizer kernel's boot its build; everything built on the series stops
        when it does not apply"""
        with tempfile.TemporaryDirectory() as d:
            by = {t.name: t for t in suite.Suite(Builder(Paths(d))).tasks()}
        self.assertEqual(by["scenario main"].needs, ("boot main",))
        self.assertEqual(by["lava"].needs, ("lava jobs",))
        self.assertIn("package life", by["boot deb-host-package"].needs)
        self.assertNotIn("package life", by["boot main"].needs)
        self.assertIn("sanitizer kernel", by["boot sanitizers"].needs)
        self.assertEqual(by["package life"].lane, "fetch")
        self.assertEqual(by["sanitizer kernel"].lane, "idle")
        for name, t in by.items():
            if t.lane == "main" and name not in ("series", suite.SELFTEST):
                self.assertEqual(t.stop, ("series",), name)

    def test_every_group_is_a_task(self):
        """the document's groups are tasks of the table, which the scheduler accepts"""
        with tempfile.TemporaryDirectory() as d:
            s = suite.Suite(Builder(Paths(d)))
            tasks = s.tasks()
        self.assertFalse(set(s.groups()) - {t.name for t in tasks})
        schedule.check(tasks)

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
