# SPDX-License-Identifier: GPL-2.0
"""The test definition's conversions (lava/automated/): the kit's KTAP
to output/result.txt (ktap-to-result.sh), and result.txt to LAVA's test
cases (send-to-lava.sh, outside LAVA: the signal lines it would make),
under dash and bash alike; and how the lava group reads and judges the
kit's run on a board's console (testdata/lava/, recorded)."""
import os
import subprocess
import tempfile
import unittest

from svt import lava

from .common import data

SEND = os.path.join(lava.LAVA, "automated", "utils", "send-to-lava.sh")
KTAP = """\
KTAP version 1
1..3
    KTAP version 1
    # Subtest: host
    1..2
    # kernel: 6.12.118
    ok 1 /dev/kvm
    ok 2 the host has svvptc # SKIP no svvptc in the host's isa
ok 1 host
    KTAP version 1
    # Subtest: figures
    1..2
    # rates, not fences
    ok 1 demand paging rate of a KVM guest # 22070.844393 pages/s
    # pf-bench printed no rate
    not ok 2 page-fault rate inside a guest
not ok 2 figures
ok 3 guest # SKIP no qemu-system-riscv64 (install QEMU, or --qemu PATH)
# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
"""
RESULTS = [
    "host.dev-kvm pass",
    "host.the-host-has-svvptc skip",
    "host pass",
    "figures.demand-paging-rate-of-a-kvm-guest pass 22070.844393 pages/s",
    "figures.page-fault-rate-inside-a-guest fail",
    "figures fail",
    "guest skip",
]


def _run(shell, script, text):
    with tempfile.NamedTemporaryFile("w") as f:
        f.write(text)
        f.flush()
        return subprocess.run([shell, script, f.name], capture_output=True, text=True,
                              env=dict(os.environ, PATH="/usr/bin:/bin"))


class Conversions(unittest.TestCase):
    def test_ktap_to_result(self):
        """a case per result: GROUP.TEST slugged, a skipped group one case, a figure its measurement"""
        for shell in ("dash", "bash"):
            r = _run(shell, lava.TO_RESULTS, KTAP)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.splitlines(), RESULTS, shell)

    def test_same_names_on_every_host(self):
        """a note of the host (its kernel, a path) changes no case name"""
        other = KTAP.replace("# kernel: 6.12.118", "# kernel: 6.18.0 on /opt/qemu/bin")
        self.assertEqual(_run("dash", lava.TO_RESULTS, other).stdout.splitlines(), RESULTS)

    def test_send_to_lava(self):
        """each result line becomes the test-case signal LAVA reads, with its measurement"""
        r = _run("dash", SEND, "\n".join(RESULTS) + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[3],
                         "<TEST_CASE_ID=figures.demand-paging-rate-of-a-kvm-guest RESULT=pass "
                         "MEASUREMENT=22070.844393 UNITS=pages/s>")
        self.assertEqual(r.stdout.splitlines()[-1], "<TEST_CASE_ID=guest RESULT=skip>")
        self.assertEqual(len(r.stdout.splitlines()), len(RESULTS))

    def test_send_to_lava_refuses_other_lines(self):
        """a line that is not NAME RESULT [MEASUREMENT UNITS] is shown and skipped"""
        r = _run("dash", SEND, "a pass\nb maybe\nc pass 12\nd fail\n")
        self.assertEqual(r.stdout.splitlines(), ["<TEST_CASE_ID=a RESULT=pass>",
                                                 "<TEST_CASE_ID=d RESULT=fail>"])
        self.assertEqual(len(r.stderr.splitlines()), 2, r.stderr)

    def test_no_file(self):
        """no readable file: exit 2 and a usage line, nothing recorded"""
        for script in (SEND, lava.TO_RESULTS):
            r = subprocess.run(["sh", script, "/nonexistent"], capture_output=True, text=True)
            self.assertEqual((r.returncode, r.stdout, len(r.stderr.splitlines())), (2, "", 1))


def _console(which):
    with open(data(f"lava/{which}.console")) as f:
        return f.read().splitlines()


KUNIT = os.environ.get("SVT_KUNIT_PY", "")
# What judges differently on the two kernels: KIT_EXPECT_ON's sentences.
ONLY = {w: {e.split(" -- ")[1].replace("{on}", "on X")
            for e in lava.KIT_EXPECT_ON[w].strip().splitlines()} for w in ("patched", "stock")}


class BoardConsole(unittest.TestCase):
    def test_the_kit_s_run(self):
        """the kit's lines on a board's console: its KTAP header to its totals, and the exit
        status the definition logged after them"""
        for which, rc in (("patched", 0), ("stock", 1)):
            ktap, got = lava.kit_run(_console(which))
            self.assertEqual((ktap[0], ktap[1], got), ("KTAP version 1", "1..7", rc))
            self.assertTrue(ktap[-1].startswith("# Totals: "), ktap[-1])
            self.assertFalse([ln for ln in ktap if "LAVA_SIGNAL" in ln or "INFO:" in ln])

    def test_no_kit_on_the_console(self):
        """a console where the kit never ran: no lines and no status, so every expectation
        fails"""
        self.assertEqual(lava.kit_run(["login:", "root@svvptc-board:~# "]), ([], None))
        res = lava.judge_kit("patched", "X", ["login:"], KUNIT)
        self.assertFalse([r.name for r in res if r.ok])

    def test_each_kernel_as_expected(self):
        """each recorded console meets its kernel's expectations (kunit.py's when
        SVT_KUNIT_PY names it)"""
        for which in ("patched", "stock"):
            res = lava.judge_kit(which, "X", _console(which), KUNIT)
            bad = [f"{r.name}: {r.why}" for r in res if not r.ok and
                   (KUNIT or "kunit.py" not in r.name)]
            self.assertEqual(bad, [], which)

    def test_the_other_kernel_is_told_apart(self):
        """judged by the other kernel's expectations, a console misses exactly what differs"""
        for which, other in (("patched", "stock"), ("stock", "patched")):
            res = lava.judge_kit(other, "X", _console(which), KUNIT)
            missed = {r.name for r in res if not r.ok and "kunit.py" not in r.name}
            self.assertEqual(missed, ONLY[other], which)


if __name__ == "__main__":
    unittest.main()
