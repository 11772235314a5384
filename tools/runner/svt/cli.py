# SPDX-License-Identifier: GPL-2.0
"""The command line: python3 tools/runner COMMAND --help for each."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

from . import bench, boot, kit, lava, package, scenario, selftest, state
from .build import Builder
from .proc import BuildError
from .console import Console, ConsoleError, boot_problem
from .judge import judge, shown
from .ktap import lines
from .scenario import ScenarioError
from .state import TOP
from .suite import Suite

VERDICT = "KVM on this 6.12 kernel offers Svvptc and Ztso to guests, and a real VMM passes them on"


def _verdict(b, name):
    b.tree()
    sc = scenario.load(name)
    log = boot.boot(b, sc)
    results = judge(sc, log, b.p.kunit_py)
    for r in results:
        print(f"  {'ok  ' if r.ok else 'FAIL'}  {r.name}" + ("" if r.ok else f" ({r.why})"))
    for label, value in shown(sc, log):
        print(f"  info  {label}: {value}")
    if all(r.ok for r in results):
        print(f"VERDICT: PASS - {VERDICT}")
        return 0
    print(f"VERDICT: FAIL - console log: {log}")
    return 1


def _check(b, args):
    return Suite(b, reuse=not args.reboot).run(args.only)


def _bench(b, args):
    docdir = os.path.join(TOP, "Documentation")
    if args.report_only:
        bench.report(b.p.bench, docdir)
    else:
        b.tree()
        bench.run(b, args.rounds, docdir, args.only)
    return 0


def _boot(b, args):
    b.tree()
    log = boot.boot(b, scenario.load(args.scenario), args.run, args.cpu, args.dry_run)
    return 0 if log is None or not boot_problem(Console(log).lines or []) else 1


def _judge(b, args):
    sc = scenario.load(os.path.abspath(args.scenario) if os.sep in args.scenario
                       else args.scenario)
    results = judge(sc, args.log or b.p.log(sc.name), b.p.kunit_py)
    print("\n".join(lines(results)))
    return 0 if all(r.ok for r in results) else 1


def _fences(b, args):
    for path, delta in Console(args.log).deltas():
        print(path, " ".join(f"{k}={v}" for k, v in delta.items()))
    return 0


def _package(b, args):
    d = b.dkms_host(autopkgtest=True)
    results = package.results(d) + package.autopkgtest_results(d)
    results += package.native_results(b.native_host(os.path.join(d, "kvm.ko")))
    print("\n".join(lines(results)))
    failed = sum(not r.ok for r in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def _printed(value):
    print(value)
    return 0


def _tree_then(fn):
    def run(b, args):
        b.tree()
        return fn(b)
    return run


def arg(*names: str, **options: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """One argument of a command, as argparse's add_argument takes it."""
    return names, options


# Each command: (handler(builder, args) -> exit status, what it does, its
# arguments).
Handler = Callable[[Builder, argparse.Namespace], int]
COMMANDS: dict[str, tuple[Handler, str, list[tuple[tuple[str, ...], dict[str, Any]]]]] = {
    "verdict": (lambda b, args: _verdict(b, args.scenario),
                "make: build the tip, boot a scenario, print its verdict",
                [arg("scenario", nargs="?", default="main")]),
    "check": (_check, "make check: the suite, as KTAP", [
        arg("--reboot", action="store_true",
            help="boot every scenario again, even one whose inputs did not change"),
        arg("--only", nargs="+", metavar="GROUP",
            help="only these groups (as the document names them, '-' for a space: lava, "
            "scenario-main, bad-input), each with what it needs")]),
    "bench": (_bench, "make bench: the comparisons in interleaved rounds", [
        arg("--only", action="append", metavar="SCENARIO",
            help="only the comparisons SCENARIO leads; consoles and report under "
            "WORK/bench-only, Documentation left alone"),
        arg("--rounds", type=int, default=5, help="rounds (default 5)"),
        arg("--report-only", action="store_true",
            help="only write the report from the consoles kept under WORK/bench")]),
    "boot": (_boot, "make boot: one scenario by hand", [
        arg("scenario"),
        arg("--run", metavar="STEPS", help="the steps instead of the scenario's"),
        arg("--cpu", metavar="CPU", help="the L1 -cpu instead of the scenario's"),
        arg("--dry-run", action="store_true", help="only print the QEMU command line")]),
    "judge": (_judge, "the judgement of a kept console, as KTAP", [
        arg("scenario", help="a scenario name, or a scenario file's path"),
        arg("--log", help="the console (default: the scenario's kept one)")]),
    "list": (lambda b, args: _printed("\n".join(scenario.names(args.suite))), "the scenarios",
             [arg("--suite", action="append", choices=["main", "check", "bench"])]),
    "fences": (_fences, "the TLB fences each step of a console executed",
               [arg("log", help="a console log (its fence counts are LOG.fences)")]),
    "selftest": (lambda b, args: _printed("\n".join(lines(selftest.results(
        b.p.kunit_py if os.path.isfile(b.p.kunit_py) else None)))),
        "the runner's unit tests, as KTAP (no boot)", []),
    "deb": (lambda b, args: _printed(b.deb()),
            "make deb: svvptc-kvm-dkms_V_all.deb, built without root (build/deb/)", []),
    "package": (_package, "make package: svvptc-kvm-dkms through a Debian 13 host's apt life "
                "and autopkgtest in a Debian 13 root (build/dkms-full/), then built natively "
                "on riscv64 (build/native/)", []),
    "kit": (_tree_then(lambda b: _printed(kit.build(b))),
            "make kit: the checks for any riscv64 KVM host, one tarball (build/*/kit/)", []),
    "lava": (_tree_then(lava.make_lava), "make lava: lava/'s qemu job run with Debian's "
             "lava-run through lava-test-shell, on the patched and the stock kernel "
             "(build/*/lava/)", []),
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python3 tools/runner",
        description="Svvptc tests (svt): build the 6.12 series, boot its scenarios under QEMU, "
                    "judge them. KERNEL_SRC in the environment names your own 6.12.y git tree.")
    p.add_argument("--build", default=os.path.join(TOP, "build"), metavar="DIR",
                   help="the build root (default: build/ of the repository)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, what, arguments) in COMMANDS.items():
        s = sub.add_parser(name, help=what)
        for names, options in arguments:
            s.add_argument(*names, **options)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    b = Builder(state.Paths(args.build, os.environ.get("KERNEL_SRC")))
    try:
        return COMMANDS[args.command][0](b, args)
    except (BuildError, ScenarioError, ConsoleError, bench.BenchError) as e:
        print(f"svt: {e}", file=sys.stderr)
        return 1
