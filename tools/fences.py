#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""fences.py CONSOLE FENCES [STEP [L2STEP]]: TLB fences executed per step.

CONSOLE is a boot's console log, FENCES the log of the fence-count QEMU
plugin (tools/fence-count.c) of the same boot. /init marks the start and
the end of every step with a HINT instruction that the plugin sees, right
after its "SVT-BEGIN <step>" and right before its "SVT-END <step> rc=N"
line, in L1 and in the L2 guests alike (L2 lines carry the prefix "L2 ").
So the n-th SVT-BEGIN/SVT-END line of the console, in console order, is
the n-th mark in FENCES, and a step's fences are its end mark's cumulative
counts minus its begin mark's: nothing from the boot or from another step.

Without STEP, prints every step as "PATH key=value ...", PATH being the
step, or "L1STEP > L2STEP" for a step of an L2 guest; the keys are the
instructions counted (sfence.vma=N, all harts together) and the same per
hart (per-vcpu-hfence.gvma=N0,N1,...). With STEP (and
L2STEP), prints only that step's line: STEP matches a step name, or its
name up to the first ':' (as tools/step.sh). Exits 1 when the marks and
the console lines do not pair up, or when the step is not found.
"""
import re
import sys

MARK = re.compile(r"^fence-mark (\d+) (begin|end) (.*)$")
LINE = re.compile(r"^(L2 )?SVT-(BEGIN|END) (\S+)")


def marks(path):
    out = []
    for line in open(path, errors="replace"):
        m = MARK.match(line.strip())
        if m:
            out.append((m.group(2), dict(kv.split("=", 1) for kv in m.group(3).split())))
    return out


def counts(values):
    """The counters of a mark: totals, and per-vCPU lists ("3,1")."""
    out = {}
    for k, v in values.items():
        if k == "vcpus":
            continue
        out[k] = [int(x) for x in v.split(",")] if k.startswith("per-vcpu-") else int(v)
    return out


def minus(end, start):
    if isinstance(end, list):
        start = start or [0] * len(end)
        return ",".join(str(e - s) for e, s in zip(end, start))
    return end - (start or 0)


def steps(console, fences):
    """(path, {counter: delta}) for every step, in the order they ended."""
    ms = marks(fences)
    lines = [m for m in map(LINE.match, open(console, errors="replace")) if m]
    if len(lines) != len(ms):
        sys.exit(f"fences: {len(lines)} SVT-BEGIN/END lines in {console} but "
                 f"{len(ms)} marks in {fences}")
    stack, out = [], []
    for m, (kind, values) in zip(lines, ms):
        if m.group(2).lower() != kind:
            sys.exit(f"fences: console says {m.group(0)} where the plugin saw a {kind} mark")
        level = 2 if m.group(1) else 1
        if kind == "begin":
            stack.append((level, m.group(3), counts(values)))
            continue
        lvl, name, start = stack.pop()
        if (lvl, name) != (level, m.group(3)):
            sys.exit(f"fences: {m.group(0)} ends {name} (L{lvl})")
        path = " > ".join([s[1] for s in stack if s[0] < level] + [name])
        end = counts(values)
        out.append((path, {k: minus(end[k], start.get(k)) for k in end}))
    return out


def matches(name, want):
    return name == want or name.startswith(want + ":")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.splitlines()[0])
    want = sys.argv[3:]
    for path, delta in steps(sys.argv[1], sys.argv[2]):
        names = path.split(" > ")
        if want and (len(names) != len(want) or
                     not all(matches(n, w) for n, w in zip(names, want))):
            continue
        print(path, " ".join(f"{k}={v}" for k, v in delta.items()))
        if want:
            return 0
    return 1 if want else 0


if __name__ == "__main__":
    sys.exit(main())
