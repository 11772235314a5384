# SPDX-License-Identifier: GPL-2.0
"""The runner's command line (argparse)."""
import contextlib
import io
import unittest

from svt.cli import parser


def parse(*argv):
    return parser().parse_args(list(argv))


def refused(*argv):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.suppress(SystemExit):
        parser().parse_args(list(argv))
        return ""
    return err.getvalue()


class Arguments(unittest.TestCase):
    def test_boot_options_any_order(self):
        """boot keeps --run and --cpu wherever they stand, --dry-run included"""
        a = parse("boot", "main", "--dry-run", "--run", "cpuinfo", "--cpu", "rv64")
        self.assertEqual((a.scenario, a.run, a.cpu, a.dry_run), ("main", "cpuinfo", "rv64", True))

    def test_check_reboot(self):
        """check reuses boots unless --reboot"""
        self.assertFalse(parse("check").reboot)
        self.assertTrue(parse("check", "--reboot").reboot)

    def test_bench_rounds(self):
        """bench takes --rounds as a number, 5 when not given"""
        self.assertEqual(parse("bench").rounds, 5)
        self.assertEqual(parse("bench", "--rounds", "7").rounds, 7)
        self.assertIn("invalid int value", refused("bench", "--rounds", "many"))

    def test_unknown_option(self):
        """an option a command does not take is refused, not dropped"""
        self.assertIn("unrecognized arguments: --cpus", refused("boot", "main", "--cpus", "x"))

    def test_no_command(self):
        """a command is required"""
        self.assertIn("required", refused())

    def test_verdict_default(self):
        """verdict judges the main scenario unless told another"""
        self.assertEqual(parse("verdict").scenario, "main")
