# SPDX-License-Identifier: GPL-2.0
"""make bench: the comparisons the bench scenarios declare (compare
lines, scenario.comparisons()), booted in interleaved rounds, and their
report.

Every round boots each group of scenarios (the sides of one comparison)
one after the other, rotating which goes first; a scenario with "rounds
first" boots in the first round only (exact fence counts, no time). The
consoles are kept as WORK/bench/NAME.ROUND.log (and .fences). The report,
Documentation/benchmarks.rst and .png, gives for each comparison the
median of each side, the gain of the first side over each other from the
medians, the min..max of the per-round gains (round r against round r),
and the fences each side executed per operation; comparisons whose
scenarios boot once give fences only.
"""
from __future__ import annotations

import functools
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from typing import TYPE_CHECKING

from . import boot, scenario, state
from .console import Console, ConsoleError, operations, step_output

if TYPE_CHECKING:
    from .build import Builder


class BenchError(Exception):
    """A bench console that lacks a figure a comparison needs."""


def once(c: scenario.Compare) -> bool:
    return any(sc["rounds"] == "first" for sc in c.sides)


def groups(comparisons: list[scenario.Compare], first_round: bool) -> list[list[str]]:
    """The groups of scenario names a round boots, in order, each once."""
    out = []
    for c in comparisons:
        g = [sc.name for sc in c.sides]
        if once(c) == first_round and g not in out:
            out.append(g)
    return out


def order(group: list[str], r: int) -> list[str]:
    """Round R (from 1) starts with the (R-1)-th scenario of GROUP."""
    k = (r - 1) % len(group)
    return group[k:] + group[:k]


def run(builder: Builder, rounds: int, docdir: str, only: list[str] | None = None) -> None:
    """ROUNDS interleaved rounds of every comparison, or of those ONLY
    names (their first scenario): such a partial run keeps its consoles
    and report under WORK/bench-only and leaves Documentation alone."""
    comps = scenario.comparisons()
    bench = builder.p.bench
    if only:
        comps = [c for c in comps if c.scenarios[0] in only]
        if not comps:
            raise BenchError(f"no comparison is led by {' '.join(only)}")
        bench, docdir = bench + "-only", os.path.join(builder.p.bench + "-only", "report")
    shutil.rmtree(bench, ignore_errors=True)
    os.makedirs(bench)
    os.makedirs(docdir, exist_ok=True)
    for r in range(1, rounds + 1):
        for g in groups(comps, False) + (groups(comps, True) if r == 1 else []):
            for name in order(g, r):
                print(f"  ROUND   {r}/{rounds} {name}", file=sys.stderr)
                log = boot.boot(builder, scenario.load(name))
                if log is None or Console(log).lines is None or not state.has_key(log):
                    raise BenchError(f"boot {name} failed (console: {log})")
                for ext in ("", ".fences"):
                    shutil.copy(log + ext, os.path.join(bench, f"{name}.{r}.log{ext}"))
    report(bench, docdir, comps)

# ---- the figures of one console ----

@functools.lru_cache(maxsize=None)
def console(log: str) -> Console:
    """One Console per log: read and paired once, however many rows ask."""
    return Console(log)


def logs(bench: str, name: str) -> list[str]:
    found = sorted(glob.glob(os.path.join(bench, f"{name}.*.log")),
                   key=lambda p: int(p.rsplit(".", 2)[1]))
    if not found:
        raise BenchError(f"no logs for {name} in {bench}")
    return found


def figures(log: str, m: scenario.Metric) -> tuple[list[str], list[float]]:
    """What metric M's step printed, and every figure of M in it: one per
    run (a repeat:N step prints one per run of its program)."""
    try:
        out = step_output(console(log).lines or [], m.where)[0]
    except ConsoleError as e:
        raise BenchError(f"{log}: {e}") from None
    vals = [float(f.group(1)) for f in (re.search(m.regex, ln) for ln in out) if f]
    if len(vals) <= m.warmup:
        raise BenchError(f"{log}: {len(vals)} of {m.regex} in {m.where}")
    return out, vals


def sample(log: str, m: scenario.Metric) -> float:
    """A boot's figure: the median of its runs after the warm-up ones."""
    return statistics.median(figures(log, m)[1][m.warmup:])


def fences_per_op(log: str, m: scenario.Metric, counter: str) -> float:
    """COUNTER fences of M's step per operation, all its runs together:
    ops per run times the runs, or the sum of what the step printed."""
    printed, runs = figures(log, m)
    try:
        ops = int(m.ops) * len(runs) if m.ops.isdigit() else operations(printed, m.ops)
        return console(log).fences(m.where, counter) / ops
    except ConsoleError as e:
        raise BenchError(f"{log}: {e}") from None


def per_op(bench: str, sc: scenario.Scenario, m: scenario.Metric) -> dict[str, float]:
    """Median over the rounds of each fence counter of M per operation."""
    return {k: statistics.median(fences_per_op(p, m, k) for p in logs(bench, sc.name))
            for k in m.fences}


def repeats(runs: set[tuple[int, int]]) -> str:
    """What the report says of the runs in a boot: RUNS holds the (runs,
    warm-up runs) pairs the consoles showed."""
    if len(runs) != 1:
        return ("A boot's figure is the median of its runs after the warm-up "
                f"runs its scenario names (runs, warm-up: {sorted(runs)}).")
    n, w = next(iter(runs))
    if n == 1:
        return "Every boot runs its workload once; that run is the boot's figure."
    if w == 0:
        return f"Every boot runs its workload {n} times; the boot's figure is their median."
    first = "first run, which also pays" if w == 1 else f"first {w} runs, which also pay"
    return (f"Every boot runs its workload {n} times (``repeat:{n}``): the {first} "
            "for QEMU translating the code and first touching the guest's RAM, "
            f"{'is' if w == 1 else 'are'} a warm-up; the boot's figure is the median of "
            f"the other {n - w}.")


def fmt(x: float) -> str:
    """4 significant digits, never in exponent form."""
    return f"{x:.0f}" if x >= 1000 else f"{x:.4g}"


def fmt_fences(f: dict[str, float]) -> str:
    return ", ".join(f"{v:.3f} {k}" for k, v in f.items())

# ---- the report ----

def rows(bench: str, comps: list[scenario.Compare]
         ) -> tuple[list[dict], list[dict], set[tuple[int, int]]]:
    """The timed comparisons' rows and the fence-only ones, and the (runs,
    warm-up) pairs the consoles showed."""
    timed: list[dict] = []
    counted: list[dict] = []
    runs: set[tuple[int, int]] = set()
    for c in comps:
        ms = [sc.metrics[c.metric] for sc in c.sides]
        labels = [sc.label() for sc in c.sides]
        fen = [per_op(bench, sc, m) for sc, m in zip(c.sides, ms)]
        op = "fault" if ms[0].ops == "faults=" else "page"
        if once(c):
            counted.append(dict(title=c.title, labels=labels, fences=fen, op=op,
                                ops=ms[0].ops))
            continue
        # gain > 1: the first side is better, whichever way "better" points
        gain = (lambda x, y: y / x) if ms[0].better == "lower" else (lambda x, y: x / y)
        samples = [[sample(p, m) for p in logs(bench, sc.name)] for sc, m in zip(c.sides, ms)]
        med = [statistics.median(x) for x in samples]
        gains = [(gain(med[0], med[i]), [gain(x, y) for x, y in zip(samples[0], samples[i])])
                 for i in range(1, len(c.sides))]
        runs.update((len(figures(p, m)[1]), m.warmup)
                    for sc, m in zip(c.sides, ms) for p in logs(bench, sc.name))
        timed.append(dict(title=c.title, unit=ms[0].unit, labels=labels, med=med,
                          samples=samples, gains=gains, fences=fen, op=op,
                          cpu=sorted({sc["cpu"] for sc in c.sides})))
    return timed, counted, runs


def hosts(comps: list[scenario.Compare]) -> list[str]:
    """The sentence on each host, from the scenarios' label and about."""
    seen: dict[str, str] = {}
    for c in comps:
        for sc in c.sides:
            if sc.conf.get("about"):
                seen.setdefault(sc.label(), sc["about"])
    return [f"{lab}: {about}." for lab, about in seen.items()]


def report(bench: str, docdir: str, comps: list[scenario.Compare] | None = None) -> None:
    comps = comps if comps is not None else scenario.comparisons()
    timed, counted, runs = rows(bench, comps)
    for r in timed:
        print(f"  {r['title']}:", file=sys.stderr)
        for i, lab in enumerate(r["labels"]):
            print(f"    {lab}: {fmt(r['med'][i])} {r['unit']}; per {r['op']}: "
                  f"{fmt_fences(r['fences'][i])}", file=sys.stderr)
        for i, (g, rd) in enumerate(r["gains"], 1):
            print(f"    {r['labels'][0]} / {r['labels'][i]}: {g:.2f}x "
                  f"(rounds {min(rd):.2f}..{max(rd):.2f})", file=sys.stderr)
    nrounds = len(timed[0]["samples"][0]) if timed else 1
    qemu = subprocess.run(["qemu-system-riscv64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    rst = [
        ".. SPDX-License-Identifier: GPL-2.0",
        "",
        "==========",
        "Benchmarks",
        "==========",
        "",
        *textwrap.wrap(
            f"Written by ``make bench`` on {time.strftime('%Y-%m-%d')}, {nrounds} rounds, the "
            "hosts of each row booted one after the other in every round, rotating which "
            f"goes first, under {qemu}, TCG, on one machine ({os.cpu_count()} cores). "
            + repeats(runs) + " Time figures are medians of the rounds' figures. A gain is "
            "how many times better the first host of a row is than the other (time: "
            "other/first, rate: first/other), from the medians; in brackets the min..max of "
            "the gains of the single rounds (round r against round r). Fences are exact "
            "counts of executed instructions (the fence-count QEMU plugin) per operation, "
            "all runs of a boot together. Every console is kept under ``build/*/bench/``.",
            75),
        "",
        "Hosts (the ``label`` and ``about`` lines of the bench scenarios):",
        "",
        *[f"- {h}" for h in hosts(comps)],
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - What (L1 ``-cpu``)",
        "     - Medians",
        "     - Gains of the first host (rounds)",
        "     - Fences per operation",
    ]
    for r in timed:
        rst += [
            f"   * - {r['title']} (``{' / '.join(r['cpu'])}``)",
            "     - " + "; ".join(f"{lab}: {fmt(m)} {r['unit']}"
                                 for lab, m in zip(r["labels"], r["med"])),
            "     - " + "; ".join(f"/ {r['labels'][i]}: {g:.2f}x ({min(rd):.2f}..{max(rd):.2f})"
                                 for i, (g, rd) in enumerate(r["gains"], 1)),
            f"     - per {r['op']}: " + "; ".join(f"{lab}: {fmt_fences(f)}"
                                               for lab, f in zip(r["labels"], r["fences"])),
        ]
    if counted:
        rst += ["", "Exact fence counts of the scenarios that boot in the first round only "
                "(no time is measured there):", "", ".. list-table::", "   :header-rows: 1", "",
                "   * - What", "     - operations",
                *[f"     - {lab}" for lab in counted[0]["labels"]]]
        for r in counted:
            rst += [f"   * - {r['title']}", f"     - {r['ops']}",
                    *[f"     - {fmt_fences(f)}" for f in r["fences"]]]
    rst += ["", ".. image:: benchmarks.png",
            "   :alt: gains of the first host, every round and the median; fences per operation",
            "", "Samples, round by round:", ""]
    for r in timed:
        rst.append(f"- {r['title']} ({r['unit']}): " + " | ".join(
            f"{lab}: {' '.join(fmt(x) for x in smp)}"
            for lab, smp in zip(r["labels"], r["samples"])))
    rst += ["", "Reproduce: ``make bench``. What these figures can and cannot show: "
            "see testing.rst.", ""]
    with open(os.path.join(docdir, "benchmarks.rst"), "w") as f:
        f.write("\n".join(rst))
    chart(bench, docdir, timed, counted, nrounds)
    print(f"  REPORT  {docdir}/benchmarks.rst, {docdir}/benchmarks.png", file=sys.stderr)


def chart(bench: str, docdir: str, timed: list, counted: list, nrounds: int) -> None:
    """Gains per row (one bar per compared host at its median, a point per
    round), and the fence-only rows' fences per operation per host."""
    med, pts, fen = (os.path.join(bench, n) for n in ("gain.dat", "rounds.dat", "fences.dat"))
    width = 0.35
    with open(med, "w") as f, open(pts, "w") as p:
        for i, r in enumerate(timed):
            for j, (g, rounds) in enumerate(r["gains"]):
                x = i + (j - (len(r["gains"]) - 1) / 2) * width
                f.write(f'{x:.3f} {g:.4f} {j} "vs {r["labels"][j + 1]}"\n')
                for rg in rounds:
                    p.write(f"{x:.3f} {rg:.4f}\n")
    with open(fen, "w") as f:
        for i, r in enumerate(counted):
            f.write(f"{i} " + " ".join(f"{sum(v.values()):.5f}" for v in r["fences"]) + "\n")
    xtics = ", ".join(f'"{r["title"].split(",")[0]}" {i}' for i, r in enumerate(timed))
    ftics = ", ".join(f'"{r["title"].split(",")[0]}" {i}' for i, r in enumerate(counted))
    flines = ", ".join(f'"{fen}" using 1:{j + 2} with linespoints pt 7 lw 2 title "{lab}"'
                       for j, lab in enumerate(counted[0]["labels"])) if counted else ""
    plot = f"""
set terminal pngcairo size 1400,880 font ",10" noenhanced
set output "{os.path.join(docdir, 'benchmarks.png')}"
set multiplot layout {2 if counted else 1},1
set title "Gain of the first host of each row: bars = median of {nrounds} rounds, points = single rounds (1.0 = same)"
set style fill solid 0.5
set boxwidth {width * 0.9}
set yrange [0:*]
set grid ytics
set ylabel "x"
set xtics ({xtics}) rotate by -20
set xrange [-0.6:{len(timed) - 0.4}]
set arrow 1 from -0.6,1 to {len(timed) - 0.4},1 nohead dt 2
set key top left
set offsets 0, 0, 0.4, 0
plot "{med}" using 1:($3 == 0 ? $2 : 1/0) with boxes lc rgb "#4477aa" title "vs the second host", \\
     "{med}" using 1:($3 == 1 ? $2 : 1/0) with boxes lc rgb "#cc6677" title "vs the third host", \\
     "{pts}" using 1:2 with points pt 7 ps 0.7 lc rgb "black" title "rounds", \\
     "{med}" using 1:2:(sprintf("%.2f", $2)) with labels offset 0,0.8 notitle
unset arrow 1
"""
    if counted:
        plot += f"""
set title "Fences executed per operation (exact counts, one boot)"
set xrange [-0.5:{len(counted) - 0.5}]
set xtics ({ftics}) norotate
set ylabel "fences per operation"
set offsets 0, 0, 0, 0
plot {flines}
"""
    plot += "unset multiplot\n"
    subprocess.run(["gnuplot"], input=plot, text=True, check=True)
