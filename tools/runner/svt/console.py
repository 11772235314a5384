# SPDX-License-Identifier: GPL-2.0
"""A kept console, read: its steps, their output and exit status, whether
the boot itself went well, and the TLB fences each step executed.

/init (tools/guest/init.c) frames each step as

  SVT-BEGIN <step>
  ...what the step printed...
  SVT-END <step> rc=<status>

and ends with SVT-DONE; an L2 guest's lines come inside the L1 step that
booted it, each with the prefix "L2 ". Right after each SVT-BEGIN line and
right before each SVT-END line it executes a marking HINT that the
fence-count QEMU plugin (tools/plugin/) answers with a line "fence-mark
<seq> begin|end <counter>=<cumulative count> ..." in NAME.log.fences. So
the n-th SVT-BEGIN/SVT-END line of the console pairs with the n-th mark,
and a step's fences are its end mark's counts minus its begin mark's.
The words are protocol.h's (svt/protocol.py).
"""
from __future__ import annotations

import re
from typing import Any, Callable

from . import protocol as P

# A console line that fails any boot, L1 or L2 (the L2 lines are in it).
BAD = re.compile(r"BUG:|WARNING:|Oops|KASAN|UBSAN|Kernel panic")
# What the runner adds to a console when it had to kill QEMU.
TIMEOUT = "svt: timed out after {}s, QEMU killed"
TIMEOUT_PREFIX = TIMEOUT.split("{")[0]
MARK = re.compile(r"^fence-mark (\d+) (begin|end) (.*)$")
FRAME = re.compile(f"^({re.escape(P.L2_PREFIX)})?({re.escape(P.BEGIN)}|{re.escape(P.END)}) (\\S+)")


class ConsoleError(Exception):
    """A console that does not hold what a question about it needs."""


def names_step(name: str, want: str) -> bool:
    """WANT names the step NAME: all of it, or its name up to a ':'."""
    return name == want or name.startswith(want + ":")


def named(found: list, want: str, name: Callable[[Any], str] = lambda f: f[0]) -> list:
    """What of FOUND (steps, or L1 > L2 paths) WANT names: the one whose
    whole name it is, even where that begins another's
    (kvm_page_table_test:-b:32M and kvm_page_table_test:-b:32M:-s:X);
    otherwise every one it begins."""
    exact = [f for f in found if name(f) == want]
    return exact if len(exact) == 1 else found


def step_run(lines: list[str], want: str) -> tuple[str, list[str], int | None]:
    """(name, output lines, exit status or None when it never ended) of
    the one step WANT names among a console's lines."""
    found: list[tuple[str, list[str], int | None]] = []
    cur: tuple[str, list[str]] | None = None
    for line in lines:
        if cur is None:
            if line.startswith(P.BEGIN + " ") and names_step(line[len(P.BEGIN) + 1:], want):
                cur = (line[len(P.BEGIN) + 1:], [])
            continue
        m = re.fullmatch(f"{re.escape(P.END)} (\\S+) {re.escape(P.RC)}(-?\\d+)", line)
        if m and m.group(1) == cur[0]:
            found.append((cur[0], cur[1], int(m.group(2))))
            cur = None
        else:
            cur[1].append(line)
    if cur:
        found.append((cur[0], cur[1], None))
    if not found:
        raise ConsoleError(f"step {want} never ran")
    found = named(found, want)
    if len(found) > 1:
        raise ConsoleError(f"'{want}' names {len(found)} steps: say which")
    return found[0]


def step_output(lines: list[str], where: str) -> tuple[list[str], int | None]:
    """(output lines, exit status) of WHERE: a step, or L1STEP/L2STEP for
    a step of the L2 guest that L1STEP booted."""
    path = where.split("/")
    _, out, rc = step_run(lines, path[0])
    for want in path[1:]:
        if rc is None:
            raise ConsoleError(f"step {path[0]} never ended")
        _, out, rc = step_run([ln[3:] for ln in out if ln.startswith("L2 ")], want)
    return out, rc


def operations(out: list[str], ops: str) -> int:
    """How many operations a step did: OPS itself when it is a number, or
    for OPS "KEY=" the numbers the step printed as KEY=N, summed (a
    repeat:N step prints one per run)."""
    if ops.isdigit():
        return int(ops)
    found = [int(m.group(1)) for m in
             (re.search(r"(?:^|\s)" + re.escape(ops) + r"(\d+)", line) for line in out) if m]
    if not found:
        raise ConsoleError(f"the step printed no {ops}N")
    return sum(found)


def boot_problem(lines: list[str]) -> str | None:
    """Why the boot of this console failed, or None."""
    why = [ln[len("svt: "):] for ln in lines if ln.startswith(TIMEOUT_PREFIX)]
    if not why and P.DONE not in lines:
        why.append("the guest did not finish its steps")
    why += [f"console line {i}: {ln}" for i, ln in enumerate(lines, 1) if BAD.search(ln)][:3]
    return "; ".join(why) or None


def _counters(values):
    """The counters of a mark: totals, and per-vCPU lists ("3,1")."""
    out = {}
    for k, v in values.items():
        if k != "vcpus":
            out[k] = [int(x) for x in v.split(",")] if k.startswith("per-vcpu-") else int(v)
    return out


def _minus(end, start):
    if isinstance(end, list):
        start = start or [0] * len(end)
        return ",".join(str(e - s) for e, s in zip(end, start))
    return end - (start or 0)


def fence_deltas(lines: list[str], fence_lines: list[str]) -> list[tuple[str, dict[str, int]]]:
    """[(path, {counter: count})] for every step in the order they ended:
    PATH is the step's name, or "L1STEP > L2STEP" for a step of an L2
    guest; the counts are what all harts executed during the step (an
    L2 step cut off by its guest's end has none)."""
    marks = []
    for line in fence_lines:
        m = MARK.match(line.strip())
        if m:
            marks.append((m.group(2), dict(kv.split("=", 1) for kv in m.group(3).split())))
    frames = [m for m in map(FRAME.match, lines) if m]
    if len(frames) != len(marks):
        raise ConsoleError(f"{len(frames)} SVT-BEGIN/END lines in the console but "
                           f"{len(marks)} marks in the fence counts")
    stack, out = [], []
    for m, (kind, values) in zip(frames, marks):
        if ("begin" if m.group(2) == P.BEGIN else "end") != kind:
            raise ConsoleError(f"the console says {m.group(0)} where the plugin saw a {kind} mark")
        level = 2 if m.group(1) else 1
        if kind == "begin":
            stack.append((level, m.group(3), _counters(values)))
            continue
        # An L2 step whose guest was killed (a VMM ended by a watchdog)
        # never ends: its L1 step's end closes it, without a count.
        while level == 1 and stack and stack[-1][0] == 2:
            stack.pop()
        lvl, name, start = stack.pop()
        if (lvl, name) != (level, m.group(3)):
            raise ConsoleError(f"{m.group(0)} ends {name} (L{lvl})")
        path = " > ".join([s[1] for s in stack if s[0] < level] + [name])
        end = _counters(values)
        out.append((path, {k: _minus(end[k], start.get(k)) for k in end}))
    return out


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()
    except OSError:
        return None


class Console:
    """A console log LOG and the fence counts beside it (LOG.fences)."""

    def __init__(self, log):
        self.log = log
        self.lines = _read(log)
        self._deltas = None

    @classmethod
    def framed(cls, step: str, lines: list[str], rc: int | None) -> "Console":
        """A console of one step STEP that printed LINES and exited with
        status RC, framed as /init frames a step: output that no boot of
        the runner printed (a LAVA job's), judged as a scenario's is."""
        con = cls.__new__(cls)
        con.log, con._deltas = None, None
        con.lines = [f"{P.BEGIN} {step}", *lines, f"{P.END} {step} {P.RC}{rc}"]
        return con

    def deltas(self) -> list[tuple[str, dict[str, int]]]:
        """fence_deltas() of this console and its fence counts."""
        if self._deltas is None:
            fence_lines = _read(self.log + ".fences")
            if fence_lines is None:
                raise ConsoleError(f"no fence counts {self.log}.fences")
            self._deltas = fence_deltas(self.lines or [], fence_lines)
        return self._deltas

    def fences(self, where: str, counter: str) -> int:
        """How many COUNTER fences all harts executed during WHERE; COUNTER
        may be a sum, A+B."""
        path = where.split("/")
        found = [(p, delta) for p, delta in self.deltas()
                 if len(p.split(" > ")) == len(path)
                 and all(map(names_step, p.split(" > "), path))]
        for _, delta in named(found, " > ".join(path))[:1]:
            return sum(delta[c] for c in counter.split("+"))
        raise ConsoleError(f"no fence counts for {where}")
