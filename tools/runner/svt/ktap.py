# SPDX-License-Identifier: GPL-2.0
"""The one KTAP writer (the kernel's test output format,
Documentation/dev-tools/ktap.rst), and how kunit.py parse counts a file.

make check's document: "KTAP version 1", a plan, then one subtest per
group (static checks, scenarios, bad input, the selftest), each a KTAP
document of its own indented by four spaces under "# Subtest: NAME" and
closed by the group's own result line; a failure is preceded by a "#"
line saying why. A group that ran nothing fails. The document ends with
"N passed, N failed" (the counts of the single tests).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import NamedTuple


class Result(NamedTuple):
    ok: bool
    name: str
    why: str = ""
    skip: str = ""      # a reason: the test was skipped (ok, not a pass)


def lines(results: list["Result"]) -> list[str]:
    """A KTAP document of RESULTS: version, plan, a line per result."""
    out = ["KTAP version 1", f"1..{len(results)}"]
    for i, r in enumerate(results, 1):
        if r.skip:
            out.append(f"ok {i} {r.name} # SKIP {r.skip}")
            continue
        if not r.ok and r.why:
            out.append("# " + " ".join(r.why.split("\n")))
        out.append(f"{'ok' if r.ok else 'not ok'} {i} {r.name}")
    return out


class Document:
    """make check's document, written group by group as each is done, to
    OUT (a stream) and to the file PATH."""

    def __init__(self, groups, path, out=sys.stdout):
        self.total, self.n = groups, 0
        self.passed = self.failed = self.skipped = 0
        self.out = out
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.path = path
        self.file = open(path, "w")
        self._emit(["KTAP version 1", f"1..{groups}"])

    def _emit(self, text):
        for ln in text:
            print(ln, file=self.out, flush=True)
            print(ln, file=self.file, flush=True)

    def group(self, name: str, results: list[Result], skip: str = "") -> bool:
        """Subtest NAME of RESULTS (or, with SKIP, a skipped group)."""
        self.n += 1
        if skip:
            self.skipped += 1
            self._emit([f"ok {self.n} {name} # SKIP {skip}"])
            return True
        self.passed += sum(r.ok and not r.skip for r in results)
        self.failed += sum(not r.ok for r in results)
        self.skipped += sum(bool(r.skip) for r in results)
        ok = bool(results) and all(r.ok for r in results)
        body = lines(results)
        body.insert(1, f"# Subtest: {name}")
        self._emit(["    " + ln for ln in body] + [f"{'ok' if ok else 'not ok'} {self.n} {name}"])
        return ok

    def close(self) -> None:
        self.file.close()

    def counts(self) -> tuple[int, ...]:
        return (self.passed + self.failed + self.skipped, self.passed, self.failed,
                self.skipped, 0)


# A result line: "# SKIP why" is the directive that makes it a skip; other
# text after "# " is KTAP's diagnostic data (the kit's rates ride there).
RESULT = re.compile(r"(ok|not ok) \d+ ?([^#]*?) *(?:# (?:(SKIP)\b)?.*)?")


def top_results(lines: list[str]) -> tuple[int | None, list[tuple[str, str]]]:
    """The top level of the first KTAP document among LINES (a console's,
    say): (its plan or None, [(name, "ok" | "fail" | "skip")]). Nested
    documents are indented, so their lines are not top level."""
    plan, res, started = None, [], False
    for ln in lines:
        if re.fullmatch(r"K?TAP version \d+", ln):
            if started:
                break
            started = True
        elif started and plan is None and re.fullmatch(r"1\.\.\d+", ln):
            plan = int(ln[3:])
        elif started and (m := RESULT.fullmatch(ln)):
            res.append((m.group(2), "skip" if m.group(3) else
                        "ok" if m.group(1) == "ok" else "fail"))
    return plan, res


def leaf_counts(lines: list[str]) -> tuple[int, ...]:
    """What kunit.py parse should count in a two-level document like
    ours among LINES: (tests, passed, failed, skipped, 0), a skipped group
    counting as one skipped test."""
    n = [0, 0, 0, 0, 0]
    plan, top = top_results(lines)
    leaves = [m for m in (RESULT.fullmatch(ln[4:]) for ln in lines
                          if ln.startswith("    ") and not ln.startswith("     ")) if m]
    for state in [s for _, s in top if s == "skip"] + \
            ["skip" if m.group(3) else "ok" if m.group(1) == "ok" else "fail" for m in leaves]:
        n[0] += 1
        n[{"ok": 1, "fail": 2, "skip": 3}[state]] += 1
    return tuple(n)


def kunit_counts(kunit_py: str, path: str) -> tuple[int, ...] | None:
    """What "kunit.py parse PATH" counts: (tests, passed, failed, skipped,
    errors); kunit leaves the zero counts out, and a crash counts as a
    failure here."""
    out = subprocess.run([sys.executable, kunit_py, "parse", os.path.abspath(path)],
                         capture_output=True, text=True).stdout
    m = re.search(r"Testing complete\. Ran (\d+) tests:(.*)", out)
    if not m:
        return None
    n = {k: int(v) for k, v in re.findall(r"(\w+): (\d+)", m.group(2))}
    return (int(m.group(1)), n.get("passed", 0), n.get("failed", 0) + n.get("crashed", 0),
            n.get("skipped", 0), n.get("errors", 0))


def counts_line(counts: tuple[int, ...]) -> str:
    return "{} tests: {} passed, {} failed, {} skipped, {} errors".format(*counts)
