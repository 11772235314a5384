#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""selftest.py [KUNIT_PY]: the harness's judging, tested offline.

Judges the recorded consoles of tools/testdata/ (see its README) with
tools/svt.py, against tools/scenarios/main and the scenarios there, and
checks each judgement: a clean boot passes everything; a BUG: line, a
timeout or a step's non-zero exit fails exactly what it must, saying why;
every kind of expectation can pass and can fail. With KUNIT_PY (the
kernel's tools/testing/kunit/kunit.py), also checks that kunit.py parse
reads the runner's KTAP and counts the same totals. Boots nothing; prints
KTAP, one test per check, and takes seconds.
"""
import importlib.util
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import svt  # noqa: E402

DATA = os.path.join(HERE, "testdata")
MAIN = svt.load("main")


def judge(console, scenario=MAIN):
    return svt.judge(scenario, os.path.join(DATA, console))


def failed(results):
    """{sentence: why} of the results that failed."""
    return {s: why for ok, s, why in results if not ok}


def only_boot_fails(results, why):
    bad = failed(results)
    return list(bad) == [results[0][1]] and re.search(why, bad[results[0][1]]) is not None


def kunit_totals(kunit, results):
    """kunit.py parse of the KTAP of RESULTS counts them as svt.py does."""
    with tempfile.NamedTemporaryFile("w", suffix=".ktap") as f:
        f.write(svt.ktap(results) + "\n")
        f.flush()
        got = svt.kunit(kunit, f.name)
    p, n = sum(r[0] for r in results), len(results)
    return got == (n, p, n - p, 0, 0)


def bad_scenario(text, why):
    """A scenario file with TEXT is refused, naming its line and WHY."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "broken")
        with open(path, "w") as f:
            f.write("kernel tip\ntimeout 300\ncpu rv64\nstep cpuinfo\n" + text + "\n")
        try:
            svt.load(path)
        except svt.Bad as e:
            return re.search(f"{path}:5: .*{why}", str(e)) is not None
    return False


def cmdlines():
    """The L1 command lines of one scenario without and with an append line."""
    body = "kernel tip\ntimeout 300\ncpu rv64\nstep cpuinfo\nstep l2:tip dt-isa pf-bench:16:4\n"
    out = []
    with tempfile.TemporaryDirectory() as d:
        for extra in ("", "append 'kvm.x=1 foo'\n"):
            path = os.path.join(d, "appended")
            with open(path, "w") as f:
                f.write(body + extra)
            out.append(svt.load(path).cmdline())
    return tuple(out)


def bench_report():
    spec = importlib.util.spec_from_file_location("bench_report",
                                                  os.path.join(HERE, "bench-report.py"))
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    return report


def bench_figures():
    """What bench-report.py reads from bench-repeat.log: the median of the
    runs after the warm-up, and fences per operation over every run."""
    report = bench_report()
    sc, log = svt.load(os.path.join(DATA, "bench")), os.path.join(DATA, "bench-repeat.log")
    pf, upd = sc.metrics["pf_rate"], sc.metrics["update"]
    return (report.sample(log, pf), report.fences_per_op(log, pf, "sfence.vma"),
            report.sample(log, upd), report.fences_per_op(log, upd, "hfence.gvma"))


def main():
    kinds = svt.load(os.path.join(DATA, "kinds"))
    kinds_fail = svt.load(os.path.join(DATA, "kinds-fail"))
    bug = judge("main-bug.log")
    timeout = judge("main-timeout.log")
    cut = [s for s in failed(timeout) if s != timeout[0][1]]
    checks = [
        ("a clean console of the main scenario passes every test",
         not failed(judge("main-pass.log")) and len(judge("main-pass.log")) == 1 + len(MAIN.expects)),
        ("a BUG: line in the L2 guest's console fails the boot test, naming the line, and nothing else",
         only_boot_fails(bug, r"console line 2\d\d: L2 .*BUG: Bad page map")),
        ("a console cut by the timeout fails the boot test as timed out",
         re.search(r"timed out after 300s", failed(timeout).get(timeout[0][1], "")) is not None),
        ("a console cut by the timeout fails the tests of the step it cut, and only those",
         bool(cut) and all("l2:tip" in failed(timeout)[s] for s in cut) and
         "get-reg-list exits 0" not in failed(timeout)),
        ("a step that exits 1 fails its exit status test, and nothing else",
         list(failed(judge("main-rc.log"))) == ["get-reg-list exits 0"] and
         "exit status 1" in failed(judge("main-rc.log"))["get-reg-list exits 0"]),
        ("a missing console fails every test, saying so",
         all("no console" in why for why in failed(judge("nosuch.log")).values()) and
         len(failed(judge("nosuch.log"))) == 1 + len(MAIN.expects)),
        ("every kind of expectation can pass (testdata/kinds)",
         not failed(judge("main-pass.log", kinds))),
        ("every kind of expectation can fail (testdata/kinds-fail)",
         len(failed(judge("main-pass.log", kinds_fail))) == len(kinds_fail.expects)),
        ("a scenario line of an unknown kind is refused with its file and line",
         bad_scenario("expect cpuinfo matches x -- s", "KIND one of")),
        ("an expectation without its sentence is refused with its file and line",
         bad_scenario("expect cpuinfo rc 0", "needs a sentence")),
        ("a fences expectation without a ratio is refused with its file and line",
         bad_scenario("expect pf-bench fences sfence.vma <= 1 faults= -- s", "N/D OPS")),
        ("a scenario's append line goes on the L1 command line before svt.run=, and"
         " a scenario without one keeps its command line",
         cmdlines() == ("console=ttyS0 panic=-1 svt.run=cpuinfo,l2:tip:host:2:256M:dt-isa+"
                        "pf-bench/16/4",
                        "console=ttyS0 panic=-1 kvm.x=1 foo svt.run=cpuinfo,l2:tip:host:2:256M:"
                        "dt-isa+pf-bench/16/4")),
        ("a bench figure is the median of a repeat step's runs after its warm-up ones;"
         " fences per operation count every run (testdata/bench)",
         bench_figures() == (30000, 328 / 32768, 1.5, 8192 / 32768)),
        ("the bench report says how many runs a boot made and how many were warm-up,"
         " as the consoles show",
         all(re.search(want, bench_report().repeats(runs)) for runs, want in (
             ({(4, 1)}, r"4 times .*the first run, .* is a warm-up.* median of the other 3\."),
             ({(5, 2)}, r"5 times .*the first 2 runs, .* are a warm-up.* other 3\."),
             ({(3, 0)}, r"3 times; the boot's figure is their median\."),
             ({(1, 0)}, r"once"),
             ({(4, 1), (1, 0)}, r"\[\(1, 0\), \(4, 1\)\]")))),
    ]
    if len(sys.argv) > 1:
        checks.append(("kunit.py parse reads the runner's KTAP of a failing console, same totals",
                       kunit_totals(sys.argv[1], bug)))
        checks.append(("kunit.py parse reads the runner's KTAP of a clean console, same totals",
                       kunit_totals(sys.argv[1], judge("main-pass.log"))))
    print(svt.ktap([(bool(ok), name, "") for name, ok in checks]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
