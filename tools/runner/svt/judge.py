# SPDX-License-Identifier: GPL-2.0
"""A scenario's expectations against its console: one result each, after
the boot's own result (finished, not timed out, no bad line)."""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .console import Console, ConsoleError, boot_problem, operations, step_output
from .ktap import Result, counts_line, kunit_counts, leaf_counts, top_results

if TYPE_CHECKING:
    from .scenario import Expect, Scenario


def check_ktap(e: Expect, out: list[str], kunit_py: str | None) -> tuple[bool, str]:
    """ktap GROUP|all ok|fail|skip: the KTAP document the step printed has
    a complete top level, and GROUP (every group) ended so; kunit: the
    kernel's kunit.py parse counts that document as we do."""
    plan, res = top_results(out)
    if plan is None or plan != len(res):
        return False, f"no complete KTAP document: plan {plan}, {len(res)} results"
    if e.kind == "kunit":
        if not kunit_py:
            return False, "where kunit.py is was not said"
        with tempfile.NamedTemporaryFile("w", suffix=".ktap") as f:
            f.write("\n".join(out) + "\n")
            f.flush()
            got = kunit_counts(kunit_py, f.name)
        want = leaf_counts(out)
        return got == want, f"kunit.py parse: {counts_line(got) if got else 'nothing'}; " \
            f"the document: {counts_line(want)}"
    name, want = e.args
    found = dict(res)
    names = list(found) if name == "all" else [name]
    bad = [f"{n}: {found.get(n, 'no such group')}" for n in names if found.get(n) != want]
    return not bad, "; ".join(bad) + f" (groups: {', '.join(f'{n} {r}' for n, r in res)})"


def check(e: Expect, con: Console, logdir: str, kunit_py: str | None = None
          ) -> tuple[bool, str]:
    """(passed, why) of expectation E on console CON."""
    out, rc = step_output(con.lines, e.where) if e.where != "console" else (con.lines, 0)
    a = e.args
    if e.kind in ("ktap", "kunit"):
        return check_ktap(e, out, kunit_py)
    if e.kind == "rc":
        return rc == int(a[0]), f"exit status {rc}"
    if e.kind in ("has", "lacks", "count"):
        hits = [ln for ln in out if re.search(a[-1], ln)]
        if e.kind == "has":
            return bool(hits), f"no line matches {a[0]} in {len(out)} lines: " + \
                " | ".join(out[:3])
        if e.kind == "lacks":
            return not hits, f"line: {hits[:1]}"
        return len(hits) == int(a[0]), f"{len(hits)} lines match: " + " | ".join(hits[:4])
    if e.kind == "fences":
        n, d = map(int, a[2].split("/"))
        ops = operations(out, a[3])
        got = {c: con.fences(e.where, c) for c in a[0].split(",")}
        ok = all(c * d <= n * ops if a[1] == "<=" else c * d >= n * ops for c in got.values())
        return ok, ", ".join(f"{v} {c}" for c, v in got.items()) + f" for {ops} operations"
    # covers OTHER REGEX: what OTHER's same step printed (group 1 of the
    # lines matching REGEX) this one printed too.
    other = Console(os.path.join(logdir, a[0] + ".log"))
    if other.lines is None:
        raise ConsoleError(f"no console of {a[0]}")
    theirs = {m.group(1) for m in map(re.compile(a[1]).search,
                                      step_output(other.lines, e.where)[0]) if m}
    ours = {m.group(1) for m in map(re.compile(a[1]).search, out) if m}
    lost = sorted(theirs - ours)
    return bool(theirs) and not lost, \
        f"lost: {' '.join(lost)}; {a[0]} has: {' '.join(sorted(theirs))}"


def boot_sentence(sc: Scenario) -> str:
    return f"boot {sc.name}: /init ran every step, no BUG:, WARNING:, Oops, KASAN, UBSAN or panic"


def judge(sc: Scenario, log: str, kunit_py: str | None = None) -> list[Result]:
    """[Result]: the boot itself, then every expectation of SC (KUNIT_PY:
    the kernel's kunit.py, for the kunit expectations)."""
    con = Console(log)
    first = boot_sentence(sc)
    if con.lines is None:
        return [Result(False, first, f"no console log {log}")] + \
            [Result(False, e.sentence, "no console") for e in sc.expects]
    why = boot_problem(con.lines)
    out = [Result(why is None, first, f"{why} (console log: {log})")]
    for e in sc.expects:
        try:
            ok, why = check(e, con, os.path.dirname(log), kunit_py)
        except (ConsoleError, re.error, ValueError) as err:
            ok, why = False, str(err)
        out.append(Result(ok, e.sentence, f"{e.where}: {why}"))
    return out


def shown(sc: Scenario, log: str) -> Iterator[tuple[str, str]]:
    """The "show" lines of a scenario: (label, value) from its console."""
    con = Console(log)
    for where, regex, label in sc.shows:
        try:
            m = [m for m in map(re.compile(regex).search,
                                step_output(con.lines or [], where)[0]) if m]
            yield label, m[0].group(1) if m else "(not printed)"
        except ConsoleError as e:
            yield label, f"({e})"
