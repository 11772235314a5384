#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py BENCHDIR DOCDIR: the figures of a make bench run.

Reads the consoles and fence counts tools/bench.sh kept (NAME.ROUND.log and
NAME.ROUND.log.fences), prints the figures, and writes DOCDIR/benchmarks.rst
and DOCDIR/benchmarks.png. For each comparison: the median of each side,
the gains of the first side over each other side from the medians, the
min..max of the per-round gains (round r against round r, booted one after
the other), and the TLB fences each side executed per operation (exact
counts, no spread).

bench-report.py --groups prints the groups of scenarios bench.sh boots
every round, --once the group it boots in the first round only (the
scaling table: exact fence counts, no time).
"""
import functools
import glob
import os
import re
import statistics
import subprocess
import sys
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svt  # noqa: E402

# (title, metric, scenarios, their labels): the metric (tools/scenarios/,
# "metric" lines: where, regex, unit, which way is better, fence counters,
# operations per run) is read from each scenario's file. The first
# scenario is the one the others are compared with.
HOSTS = ("patched 6.12", "stock 6.12", "mainline 7.2")
GS_HOSTS = ("patched 6.12", "6.12 up to 0003", "mainline 7.2")
GS = ("bench-gs-tip", "bench-gs-0003", "bench-gs-mainline")
COMPARISONS = [
    ("G-stage populate 1 vCPU, kvm_page_table_test KVM_CREATE_MAPPINGS", "create-1", GS, GS_HOSTS),
    ("G-stage populate 2 vCPUs, kvm_page_table_test KVM_CREATE_MAPPINGS", "create-2", GS,
     GS_HOSTS),
    ("G-stage write faults 1 vCPU, kvm_page_table_test KVM_UPDATE_MAPPINGS", "update-1", GS,
     GS_HOSTS),
    ("G-stage write faults 2 vCPUs, kvm_page_table_test KVM_UPDATE_MAPPINGS", "update-2", GS,
     GS_HOSTS),
    ("Guest demand paging, demand_paging_test overall rate", "dp_rate", GS, GS_HOSTS),
    ("L2 user page faults, pf-bench in a nested guest (L1 svvptc=true)", "pf_rate",
     ("bench-l2-tip", "bench-l2-base", "bench-l2-mainline"), HOSTS),
    ("Debian 13 guest kernel, user page faults (L1 svvptc, sscofpmf)", "pf_rate",
     ("bench-deb-tip", "bench-deb-base", "bench-deb-mainline"), HOSTS),
    ("L1 user page faults, pf-bench (6.12's own Svvptc fast path)", "pf_rate",
     ("bench-pf-on", "bench-pf-off"), ("svvptc=true", "svvptc=false")),
]
# hfence.gvma per new guest page at 1, 2 and 4 vCPUs (L1 -smp 4): the
# metrics vcpus-N of these scenarios
SCALING = (("bench-scale-tip", "bench-scale-0003"), ("series tip", "up to 0003"), (1, 2, 4))


def metric(scenario, name):
    return svt.load(scenario).metrics[name]


def groups():
    """The groups of scenarios bench.sh boots together, in rotating order,
    every round."""
    seen = []
    for c in COMPARISONS:
        if c[2] not in seen:
            seen.append(c[2])
    return " ".join(":".join(g) for g in seen)


def logs(bench, scenario):
    found = sorted(glob.glob(os.path.join(bench, f"{scenario}.*.log")),
                   key=lambda p: int(p.rsplit(".", 2)[1]))
    if not found:
        sys.exit(f"bench-report: no logs for {scenario} in {bench}")
    return found


@functools.lru_cache(maxsize=None)
def console(log):
    """One svt.Console per log: its lines read and its fence counts parsed
    once, however many rows and counters ask."""
    return svt.Console(log)


def output(log, where):
    """What the step WHERE (L1STEP/L2STEP for a step of an L2 guest) printed."""
    try:
        return svt.step(console(log).lines or [], where)[0]
    except svt.Bad as e:
        sys.exit(f"bench-report: {log}: {e}")


def figures(log, m):
    """The step's output and every figure of metric M in it: one per run
    (a repeat:N step prints one per run of its program)."""
    out = output(log, m["where"])
    vals = [float(f.group(1)) for f in (re.search(m["regex"], ln) for ln in out) if f]
    if len(vals) <= int(m.get("warmup", 0)):
        sys.exit(f"bench-report: {len(vals)} of {m['regex']} in {m['where']} of {log}")
    return out, vals


def sample(log, m):
    """A boot's figure: the median of its runs after the warm-up ones."""
    return statistics.median(figures(log, m)[1][int(m.get("warmup", 0)):])


def fences_per_op(log, m, counter):
    """COUNTER fences of metric M's step per operation, all its runs
    together: OPS per run times the runs, or the sum of what the step
    printed as OPS (svt.py's number())."""
    printed, runs = figures(log, m)
    try:
        ops = (int(m["ops"]) * len(runs) if m["ops"].isdigit()
               else svt.number(printed, m["ops"]))
        return console(log).fences(m["where"], counter) / ops
    except svt.Bad as e:
        sys.exit(f"bench-report: {log}: {e}")


def per_op(bench, scenario, m):
    """Median over the rounds of each fence counter of metric M per
    operation."""
    return {k: statistics.median(fences_per_op(log, m, k) for log in logs(bench, scenario))
            for k in m["fences"].split(",")}


def repeats(runs):
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


def fmt(x):
    """4 significant digits, never in exponent form."""
    return f"{x:.0f}" if x >= 1000 else f"{x:.4g}"


def fmt_fences(f):
    return ", ".join(f"{v:.3f} {k}" for k, v in f.items())


def main():
    if sys.argv[1:] == ["--groups"]:
        print(groups())
        return
    if sys.argv[1:] == ["--once"]:
        print(":".join(SCALING[0]))
        return
    bench, docdir = sys.argv[1], sys.argv[2]
    rows, runs = [], set()
    for title, name, scen, labels in COMPARISONS:
        ms = [metric(sc, name) for sc in scen]
        unit, better = ms[0]["unit"], ms[0]["better"]
        # gain > 1: the first side is better, whichever way "better" points
        gain = (lambda x, y: y / x) if better == "lower" else (lambda x, y: x / y)
        samples = [[sample(p, m) for p in logs(bench, sc)] for sc, m in zip(scen, ms)]
        med = [statistics.median(x) for x in samples]
        gains = [(gain(med[0], med[i]), [gain(x, y) for x, y in zip(samples[0], samples[i])])
                 for i in range(1, len(scen))]
        fen = [per_op(bench, sc, m) for sc, m in zip(scen, ms)]
        runs.update((len(figures(p, m)[1]), int(m.get("warmup", 0)))
                    for sc, m in zip(scen, ms) for p in logs(bench, sc))
        rows.append(dict(title=title, unit=unit, labels=labels, med=med, samples=samples,
                         gains=gains, fences=fen, op="fault" if ms[0]["ops"] == "faults=" else "page"))
        print(f"  {title}:")
        for i, lab in enumerate(labels):
            print(f"    {lab}: {fmt(med[i])} {unit}; per {rows[-1]['op']}: {fmt_fences(fen[i])}")
        for i, (g, rounds) in enumerate(gains, 1):
            print(f"    {labels[0]} / {labels[i]}: {g:.2f}x (rounds {min(rounds):.2f}..{max(rounds):.2f})")

    (sa_name, sb_name), (salab, sblab), vcpus = SCALING
    scale = []
    for v in vcpus:
        ma, mb = metric(sa_name, f"vcpus-{v}"), metric(sb_name, f"vcpus-{v}")
        fa = per_op(bench, sa_name, ma)["hfence.gvma"]
        fb = per_op(bench, sb_name, mb)["hfence.gvma"]
        scale.append((v, int(ma["ops"]), fa, fb))
        print(f"  hfence.gvma per new guest page, {v} vCPU(s): {salab} {fa:.4f}, {sblab} {fb:.3f}")

    nrounds = len(rows[0]["samples"][0])
    qemu = subprocess.run(["qemu-system-riscv64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    rst = [
        ".. SPDX-License-Identifier: GPL-2.0",
        "",
        "==========",
        "Benchmarks",
        "==========",
        "",
        f"Written by ``make bench`` on {time.strftime('%Y-%m-%d')}, {nrounds} rounds, the",
        "hosts of each row booted one after the other in every round, rotating",
        f"which goes first, under {qemu}, TCG, on one machine",
        "(2 cores).",
        *textwrap.wrap(repeats(runs), 75),
        "Time figures are medians of the rounds' figures; the 1 and 2 vCPU",
        "G-stage rows come from the same boots. A gain is how many",
        "times better the patched 6.12 host is than the other (time: other/patched,",
        "rate: patched/other), from the medians; in brackets the min..max of the",
        "gains of the single rounds (round r against round r). Fences are exact",
        "counts of executed instructions (the fence-count QEMU plugin) per",
        "operation, all runs of a boot together: per page the test maps (a",
        "step's count: both passes of kvm_page_table_test), or per page fault",
        "pf-bench takes.",
        "Every console is kept under ``build/*/bench/``.",
        "",
        "Hosts: patched 6.12 is the series tip; stock 6.12 the unpatched base;",
        "6.12 up to 0003 the series without its G-stage patches (the G-stage",
        "rows compare with it, so that only 0004 and 0005 differ); mainline 7.2",
        "Debian's linux-source-7.2 built from the same fragment. The L1 CPU is",
        "``rv64,h=true,svvptc=true,ztso=true`` (with sscofpmf for the Debian",
        "guest, whose clock needs it on a stock host); the L2 guest of the",
        "nested row is the tip kernel on every host.",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - What",
        "     - Medians",
        "     - Gains of patched 6.12 (rounds)",
        "     - Fences per operation",
    ]
    for r in rows:
        rst += [
            f"   * - {r['title']}",
            "     - " + "; ".join(f"{lab}: {fmt(m)} {r['unit']}"
                                 for lab, m in zip(r['labels'], r['med'])),
            "     - " + "; ".join(f"/ {r['labels'][i]}: {g:.2f}x ({min(rd):.2f}..{max(rd):.2f})"
                                 for i, (g, rd) in enumerate(r['gains'], 1)),
            f"     - per {r['op']}: " + "; ".join(f"{lab}: {fmt_fences(f)}"
                                               for lab, f in zip(r['labels'], r['fences'])),
        ]
    rst += [
        "",
        "HFENCE.GVMA per new guest page, demand_paging_test -b 32M per vCPU, L1",
        f"``-smp 4`` ({salab} vs {sblab}), exact counts of one boot each (the",
        "first round: no time is measured there):",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - vCPUs",
        "     - new pages",
        f"     - {salab}",
        f"     - {sblab}",
    ]
    for v, pages, fa, fb in scale:
        rst += [f"   * - {v}", f"     - {pages}", f"     - {fa:.4f}", f"     - {fb:.3f}"]
    rst += [
        "",
        ".. image:: benchmarks.png",
        "   :alt: gains of the patched host, every round and the median; fences per page",
        "",
        "Samples, round by round:",
        "",
    ]
    for r in rows:
        rst.append(f"- {r['title']} ({r['unit']}): " + " | ".join(
            f"{lab}: {' '.join(fmt(x) for x in smp)}"
            for lab, smp in zip(r['labels'], r['samples'])))
    rst += ["", "Reproduce: ``make bench`` (after ``make check`` has built every patch).",
            "What these figures can and cannot show: see testing.rst.", ""]
    with open(os.path.join(docdir, "benchmarks.rst"), "w") as f:
        f.write("\n".join(rst))
    chart(bench, docdir, rows, scale, nrounds)
    print(f"  REPORT  {docdir}/benchmarks.rst, {docdir}/benchmarks.png")


def chart(bench, docdir, rows, scale, nrounds):
    """Gains per row (one bar per compared host at its median, a point per
    round), and the fence scaling."""
    med = os.path.join(bench, "gain.dat")
    pts = os.path.join(bench, "rounds.dat")
    fen = os.path.join(bench, "scale.dat")
    width = 0.35
    with open(med, "w") as f, open(pts, "w") as p:
        for i, r in enumerate(rows):
            for j, (g, rounds) in enumerate(r["gains"]):
                x = i + (j - (len(r["gains"]) - 1) / 2) * width
                f.write(f'{x:.3f} {g:.4f} {j} "vs {r["labels"][j + 1]}"\n')
                for rg in rounds:
                    p.write(f"{x:.3f} {rg:.4f}\n")
    with open(fen, "w") as f:
        for v, pages, fa, fb in scale:
            f.write(f"{v} {fa:.5f} {fb:.5f}\n")
    xtics = ", ".join(f'"{r["title"].split(",")[0]}" {i}' for i, r in enumerate(rows))
    plot = f"""
set terminal pngcairo size 1400,880 font ",10" noenhanced
set output "{os.path.join(docdir, 'benchmarks.png')}"
set multiplot layout 2,1
set title "Gain of the patched 6.12 host: bars = median of {nrounds} rounds, points = single rounds (1.0 = same)"
set style fill solid 0.5
set boxwidth {width * 0.9}
set yrange [0:*]
set grid ytics
set ylabel "x"
set xtics ({xtics}) rotate by -20
set xrange [-0.6:{len(rows) - 0.4}]
set arrow 1 from -0.6,1 to {len(rows) - 0.4},1 nohead dt 2
set key top left
set offsets 0, 0, 0.4, 0
plot "{med}" using 1:($3 == 0 ? $2 : 1/0) with boxes lc rgb "#4477aa" title "vs the other 6.12 side", \\
     "{med}" using 1:($3 == 1 ? $2 : 1/0) with boxes lc rgb "#cc6677" title "vs mainline 7.2", \\
     "{pts}" using 1:2 with points pt 7 ps 0.7 lc rgb "black" title "rounds", \\
     "{med}" using 1:2:(sprintf("%.2f", $2)) with labels offset 0,0.8 notitle
unset arrow 1
set title "HFENCE.GVMA executed per new guest page (exact counts), demand_paging_test"
set xrange [0.5:4.5]
set xtics ("1 vCPU" 1, "2 vCPUs" 2, "4 vCPUs" 4) norotate
set ylabel "fences per page"
set key top left
plot "{fen}" using 1:3 with linespoints pt 5 lw 2 title "up to patch 0003 (6.12 behaviour)", \\
     "{fen}" using 1:2 with linespoints pt 7 lw 2 title "series tip (svvptc)"
unset multiplot
"""
    subprocess.run(["gnuplot"], input=plot, text=True, check=True)


if __name__ == "__main__":
    main()
