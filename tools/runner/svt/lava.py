# SPDX-License-Identifier: GPL-2.0
"""LAVA: make check's group "lava" and make lava's report. The jobs
themselves run in lavajob.py; here they are judged: lava/'s files against
LAVA's own schemas, the definition's steps as lava-test-shell writes them
under bash and dash, and each job's recorded cases and the kit's run on
the board's console.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from typing import TYPE_CHECKING

from . import kit, scenario
from .console import BAD, Console, ConsoleError
from .judge import check
from .ktap import Result
from .lavajob import (BOARD_JOB, DEVICE, JOB, KERNELS, LAVA, TESTDEF, TO_RESULTS, console, job,
                      jobs, recorded, templates, tools)
from .proc import BuildError
from .state import TOP

if TYPE_CHECKING:
    from .build import Builder

FIGURES = {"figures.demand-paging-rate-of-a-kvm-guest": "pages/s",
           "figures.page-fault-rate-inside-a-guest": "faults/s"}
# What the kit's run in each job must show beyond LAVA's cases: a
# scenario's expect lines (tools/scenarios/README) about the step "kit",
# the kit's lines on the board's console (kit_run()); {on} names the
# kernel. Both kernels, then each.
KIT_EXPECT = r"""
kit ktap host ok -- {on}, the kit's host group passes: riscv64, /dev/kvm, QEMU, svvptc in the host's isa
kit ktap selftests ok -- {on}, the kit's KVM selftests pass (get-reg-list), run by the kernel's run_kselftest.sh
kit ktap onereg ok -- {on}, the kit's onereg group passes: ids 62..65 absent, the ONE_REG sweep
kit ktap guest ok -- {on}, the kit's guest group passes: a guest on KVM, no svade/svadu/ssnpm/smnpm, ztso, every hart's clock
kit ktap figures ok -- {on}, the kit's figures group passes: demand paging and guest page-fault rates
kit has '^    # rates, not fences: TLB fences cannot be counted on hardware' -- {on}, the kit says its figures are rates, not fence counts
kit has '^    ok [0-9]+ demand paging rate of a KVM guest # [0-9.]+ pages/s$' -- {on}, the demand-paging rate rides on its result as KTAP diagnostic data (a LAVA measurement)
kit has '^    ok [0-9]+ page-fault rate inside a guest # [0-9]+ faults/s$' -- {on}, and so does the guest's page-fault rate
kit kunit -- {on}, the kernel's kunit.py parse counts the kit's KTAP as its lines do
"""
KIT_EXPECT_ON = {"patched": r"""
kit rc 0 -- {on}, the kit exits 0
kit ktap all ok -- {on}, every group of the kit passes
kit ktap gstage ok -- {on}, the kit's gstage group passes: gstage_range_test, gstage_race_test, gstage_huge_test
kit has '^    ok 3 gstage_huge_test$' -- {on}, gstage_huge_test runs on the huge pages the job reserves and passes
kit ktap svvptc ok -- {on}, the kit's svvptc group passes: id 66, isa_ext_reg_test, svvptc in the guest
kit has '^    ok [0-9]+ the guest has svvptc, as the host does$' -- {on}, the kit sees svvptc in the guest's device tree
kit has '^# Totals: pass:7 fail:0 xfail:0 xpass:0 skip:0 error:0$' -- {on}, the kit ends with kselftest's totals: 7 groups pass
""", "stock": r"""
kit rc 1 -- {on}, the kit exits 1: a test failed
kit ktap svvptc fail -- {on}, the kit's svvptc group fails
kit has '^    # the host has svvptc, KVM has no id 66: this kernel lacks KVM_RISCV_ISA_EXT_SVVPTC' -- {on}, the kit names the reason: no id 66 on a host with svvptc
kit has '^    not ok [0-9]+ the guest has svvptc, as the host does$' -- {on}, the kit sees no svvptc in the guest
kit ktap gstage fail -- {on}, the kit's gstage group fails
kit has '^    not ok 1 gstage_range_test$' -- {on}, at gstage_range_test, the range walk patch 0004 fixes
kit has '^    not ok 3 gstage_huge_test$' -- {on}, and at gstage_huge_test, the hugetlb G-stage defects patches 0012 to 0014 fix
kit has '^# Totals: pass:5 fail:2 xfail:0 xpass:0 skip:0 error:0$' -- {on}, the kit's totals: 5 groups pass, svvptc and gstage fail
"""}
# The line svvptc-kit.sh logs after the kit (sh-test-lib's info_msg).
KIT_STATUS = re.compile(r"^INFO: the kit's exit status: (\d+)$")


def to_results(ktap: list[str]) -> dict[str, tuple[str, str, str]]:
    """{case: (result, measurement, units)} that ktap-to-result.sh (the
    definition's own conversion) makes of the KTAP lines KTAP."""
    with tempfile.NamedTemporaryFile("w", suffix=".ktap") as f:
        f.write("\n".join(ktap) + "\n")
        f.flush()
        lines = subprocess.run(["sh", TO_RESULTS, f.name], capture_output=True, text=True,
                               check=True).stdout.splitlines()
    out = {}
    for line in lines:
        name, result, measurement, units = (line.split(" ") + ["", ""])[:4]
        out[name] = (result, measurement, units)
    return out



def kit_run(lines: list[str]) -> tuple[list[str], int | None]:
    """(the kit's lines, its exit status or None) of a board's console
    LINES: from the kit's "KTAP version 1" to its "# Totals:" line, and
    the status svvptc-kit.sh logged after it."""
    start = lines.index("KTAP version 1") if "KTAP version 1" in lines else len(lines)
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("# Totals:")),
               len(lines) - 1)
    rc = next((int(m.group(1)) for m in map(KIT_STATUS.match, lines[end:]) if m), None)
    return lines[start:end + 1], rc


def judge_kit(which: str, title: str, lines: list[str], kunit_py: str | None) -> list[Result]:
    """A Result per expectation of KIT_EXPECT and KIT_EXPECT_ON[WHICH]
    (on TITLE) about the kit's run on the board's console LINES (KUNIT_PY:
    the kernel's kunit.py)."""
    text = (KIT_EXPECT + KIT_EXPECT_ON[which]).replace("{on}", f"on {title}")
    ktap, rc = kit_run(lines)
    con = Console.framed("kit", ktap, rc)
    out = []
    for e in scenario.expects(text, f"lava.KIT_EXPECT {which}"):
        try:
            ok, why = check(e, con, "", kunit_py)
        except (ConsoleError, re.error, ValueError) as err:
            ok, why = False, str(err)
        out.append(Result(ok, e.sentence, why))
    return out

# ---- make check's group ----

def _schemas(d):
    out = job(d, "validate", *(os.path.relpath(f, TOP) for f in (JOB, BOARD_JOB, TESTDEF,
                                                                  DEVICE)), templates(d))
    res, command = [], ""
    for line in out.splitlines():
        kind, _, rest = line.partition("\t")
        if kind == "command":
            command = rest
        else:
            name, _, why = rest.partition("\t")
            res.append(Result(kind == "ok", name, why))
    res.append(Result("-cpu rv64,h=true,svvptc=true,ztso=true" in command and
                      "-enable-kvm" not in command and "-bios default" in command and
                      "-smp 2" in command and "-m 2048" in command,
                      "LAVA's stock qemu template, given the job's context, runs "
                      "qemu-system-riscv64 with h, svvptc and ztso, TCG, 2 vCPUs, 2 GiB, QEMU's "
                      "OpenSBI", command))
    return res


def run_sh(d: str, shell: str, tar: str, params: dict[str, str]) -> tuple[int, str]:
    """The definition's steps as lava-test-shell runs them: run.sh as LAVA
    writes it (the definition's params, then the job's, as plain shell
    assignments; set -e; the steps from the repository's top), run by
    SHELL on this machine, with the kit TAR. Its output."""
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "repo"))
        shutil.copytree(LAVA, os.path.join(tmp, "repo", "lava"))
        script = job(d, "runsh", TESTDEF, os.path.join(tmp, "repo"),
                      *(f"{k}={v}" for k, v in dict(params, KIT_URL="file://" + tar).items()))
        with open(os.path.join(tmp, "run.sh"), "w") as f:
            f.write(script)
        r = subprocess.run([shell, "-e", os.path.join(tmp, "run.sh")], capture_output=True,
                           text=True, env=dict(os.environ, PATH="/usr/bin:/bin"), timeout=300)
        return r.returncode, r.stdout + r.stderr


def results(b: Builder) -> list[Result]:
    """make check's group "lava"."""
    try:
        d = tools(b)
        res = _schemas(d)
    except BuildError as e:
        return [Result(False, "LAVA's schemas (Debian's lava-common) read lava/", str(e))]
    try:
        tar = kit.build(b)
    except BuildError as e:
        return res + [Result(False, "make kit builds the kit the definition runs", str(e))]
    # bash keeps GROUPS for itself: a parameter of that name never
    # reached the kit under bash. On this machine (not riscv64) the kit
    # skips each group it was asked for.
    for shell in ("bash", "dash"):
        rc, text = run_sh(d, shell, tar, {"KIT_GROUPS": "host,guest", "SKIP_INSTALL": "true"})
        cases = re.findall(r"^<TEST_CASE_ID=(\S+) RESULT=(\S+)>$", text, re.M)
        res.append(Result(rc == 0 and cases == [("host", "skip"), ("guest", "skip")],
                          f"under {shell}, the definition's steps with the parameters as "
                          "lava-test-shell's run.sh sets them run the kit's groups they name "
                          "(host, guest: skipped, not riscv64 here)",
                          f"exit {rc}; cases {cases}; {text.strip()[-300:]}"))
    try:
        runs = jobs(b)
    except (BuildError, OSError, subprocess.CalledProcessError) as e:
        return res + [Result(False, "lava-run runs the qemu job", str(e))]
    names: dict[str, set[str]] = {}
    for which, _, title in KERNELS:
        res += _judged(b, which, title, runs[which], names)
    common = set.intersection(*names.values())
    res.append(Result(all(n == common for n in names.values()) and bool(common),
                      "both jobs record the same case names: a name carries no kernel's or "
                      "host's value, so a lab's dashboard lines the kernels up",
                      "; ".join(f"only on {w}: {sorted(n - common)}" for w, n in names.items())))
    return res


def _judged(b, which, title, out, names):
    """The lava group's results for the job on kernel WHICH (TITLE) kept
    in OUT; NAMES[WHICH] becomes the set of its case names."""
    job, cases = recorded(out)
    log = os.path.join(out, "lava.log")
    lines = console(out)
    bad = [ln for ln in lines if BAD.search(ln)]
    res = [Result(job == "pass" and any(ln.startswith("svvptc-kit: steps run by bash 5.")
                                        for ln in lines),
                  f"lava-run: the qemu job on {title} logs in as root and runs the "
                  "definition's steps through lava-test-shell under bash", f"job {job}; {log}"),
           Result(bool(lines) and not bad, f"on {title}, the board's console has no BUG:, "
                  "WARNING:, Oops, KASAN, UBSAN or panic", f"{bad[:3]} ({out}/console.log)")]
    try:
        want = {c: r[0] for c, r in to_results(kit_run(lines)[0]).items()}
    except subprocess.CalledProcessError as e:
        want = {"ktap-to-result.sh failed": e.stderr}
    got = {c: r[0] for c, r in cases.items()}
    names[which] = set(got)
    res.append(Result(bool(got) and got == want,
                      f"on {title}, LAVA records {len(got)} cases, one for each result of the "
                      "kit's KTAP on the board's console, named and judged as "
                      "ktap-to-result.sh makes them",
                      f"only in LAVA: {sorted(set(got.items()) - set(want.items()))}; "
                      f"only in the KTAP: {sorted(set(want.items()) - set(got.items()))}"))
    res.append(expected(which, title, got))
    if which == "patched":
        figures = {c: cases.get(c) for c in FIGURES}
        res.append(Result(all(f and f[0] == "pass" and re.fullmatch(r"[0-9.]+", f[1]) and
                              f[2] == FIGURES[c] for c, f in figures.items()),
                          "the kit's rates are LAVA measurements with units ("
                          + ", ".join(f"{c} in {u}" for c, u in FIGURES.items()) + ")",
                          str(figures)))
    return res + judge_kit(which, title, lines, b.p.kunit_py)


def expected(which: str, title: str, got: dict[str, str]) -> Result:
    """Whether the cases GOT ({case: result}) on kernel WHICH are what the
    series predicts: on the tip every case passes or skips; on stock 6.12
    only svvptc and gstage cases fail, isa_ext_reg_test and
    gstage_range_test among them. make check and make lava judge alike."""
    failed = sorted(c for c, r in got.items() if r == "fail")
    if which == "patched":
        return Result(bool(got) and not failed and all(r in ("pass", "skip") for r in got.values()),
                      f"on {title}, every case passes or skips", f"failed: {failed}")
    return Result("svvptc.isa_ext_reg_test" in failed and "gstage.gstage_range_test" in failed and
                  all(c.split(".")[0] in ("svvptc", "gstage") for c in failed),
                  f"on {title}, exactly the svvptc and gstage cases fail", f"failed: {failed}")


def make_lava(b: Builder) -> int:
    """make lava: the qemu job on the patched kernel and on stock 6.12."""
    runs = jobs(b)
    verdicts = []
    for which, _, title in KERNELS:
        job, cases = recorded(runs[which])
        fails = sorted(c for c, r in cases.items() if r[0] == "fail")
        print(f"{which}: job {job}, {len(cases)} test cases: "
              f"{sum(r[0] == 'pass' for r in cases.values())} pass, {len(fails)} fail, "
              f"{sum(r[0] == 'skip' for r in cases.values())} skip "
              f"(log: {runs[which]}/lava.log)")
        for c, (r, m, u) in cases.items():
            print(f"  {r:5} {c}" + (f"  {m} {u}" if m else ""))
        verdict = expected(which, title, {c: r[0] for c, r in cases.items()})
        ok = job == "pass" and verdict.ok
        verdicts.append(ok)
        print(f"{which}: {'as expected' if ok else 'NOT as expected'}: {verdict.name}"
              + ("" if ok else f" (job {job}; {verdict.why})"))
    return 0 if all(verdicts) else 1
