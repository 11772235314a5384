#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py BENCHDIR DOCDIR: the figures of a make bench run.

Reads the consoles and fence counts tools/bench.sh kept (NAME.ROUND.log and
NAME.ROUND.log.fences), prints the figures, and writes DOCDIR/benchmarks.rst
and DOCDIR/benchmarks.png. For each comparison: the median of each side,
the gain of A over B from the medians, the min..max of the per-round gains
(round r of A against round r of B, booted one after the other), and the
TLB fences each side executed per operation (exact counts, no spread).

bench-report.py --pairs prints the scenario pairs bench.sh boots.
"""
import glob
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fences  # noqa: E402

# metric: (regex, unit, which way is better)
METRICS = {
    "create": (r"KVM_CREATE_MAPPINGS: total execution time: ([0-9.]+)s", "s", "lower"),
    "update": (r"KVM_UPDATE_MAPPINGS: total execution time: ([0-9.]+)s", "s", "lower"),
    "dp_rate": (r"Overall demand paging rate:\s+([0-9.]+) pgs/sec", "pages/s", "higher"),
    "pf_rate": (r"pf-bench .*faults_per_sec=([0-9.]+)", "faults/s", "higher"),
}
PT_PAGES = 64 * 256          # kvm_page_table_test -b 64M
DP_PAGES = 2 * 64 * 256      # demand_paging_test -b 64M -v 2
# (title, metric, A, B, A label, B label, step path, fence counters, operations
# per run: a number, or "faults" for pf-bench's own count)
COMPARISONS = [
    ("G-stage populate, kvm_page_table_test KVM_CREATE_MAPPINGS", "create",
     "bench-gs-0005", "bench-gs-0003", "patches 0004+0005", "up to 0003",
     ("kvm_page_table_test",), ("hfence.gvma",), PT_PAGES),
    ("G-stage write faults, kvm_page_table_test KVM_UPDATE_MAPPINGS", "update",
     "bench-gs-0005", "bench-gs-0003", "patches 0004+0005", "up to 0003",
     ("kvm_page_table_test",), ("hfence.gvma",), PT_PAGES),
    ("Guest demand paging, demand_paging_test overall rate", "dp_rate",
     "bench-gs-0005", "bench-gs-0003", "patches 0004+0005", "up to 0003",
     ("demand_paging_test",), ("hfence.gvma",), DP_PAGES),
    ("L1 user page faults, pf-bench (6.12 Svvptc fast path)", "pf_rate",
     "bench-pf-on", "bench-pf-off", "svvptc=true", "svvptc=false",
     ("pf-bench",), ("sfence.vma",), "faults"),
    ("L2 user page faults, pf-bench in a nested guest (L1 svvptc=true)", "pf_rate",
     "bench-l2-tip", "bench-l2-base", "patched L1 host", "6.12 L1 host",
     ("l2:tip", "pf-bench"), ("sfence.vma", "hfence.gvma"), "faults"),
    ("Debian 13 guest kernel, user page faults, patched vs stock host", "pf_rate",
     "bench-deb-tip", "bench-deb-base", "patched L1 host", "6.12 L1 host",
     ("l2:debian", "pf-bench"), ("sfence.vma", "hfence.gvma"), "faults"),
]
# hfence.gvma per new guest page at 1, 2 and 4 vCPUs (L1 -smp 4)
SCALING = ("bench-scale-tip", "bench-scale-0003", "series tip", "up to 0003",
           [(v, f"demand_paging_test:-b:32M:-v:{v}:-m:0", 8192 * v) for v in (1, 2, 4)])


def pairs():
    seen = []
    for c in COMPARISONS:
        if (c[2], c[3]) not in seen:
            seen.append((c[2], c[3]))
    seen.append(SCALING[:2])
    return " ".join(f"{a}:{b}" for a, b in seen)


def logs(bench, scenario):
    found = sorted(glob.glob(os.path.join(bench, f"{scenario}.*.log")),
                   key=lambda p: int(p.rsplit(".", 2)[1]))
    if not found:
        sys.exit(f"bench-report: no logs for {scenario} in {bench}")
    return found


def sample(log, metric):
    m = re.search(METRICS[metric][0], open(log, errors="replace").read())
    if not m:
        sys.exit(f"bench-report: no {metric} figure in {log}")
    return float(m.group(1))


def step_fences(log, path):
    """{counter: count} of the step PATH in LOG, and pf-bench's faults."""
    for p, delta in fences.steps(log, log + ".fences"):
        names = p.split(" > ")
        if len(names) == len(path) and all(fences.matches(n, w) for n, w in zip(names, path)):
            text = open(log, errors="replace").read()
            m = re.search(r"pf-bench faults=(\d+)", text)
            return delta, int(m.group(1)) if m else None
    sys.exit(f"bench-report: no step {' > '.join(path)} in {log}")


def per_op(bench, scenario, path, counters, ops):
    """Median over the rounds of COUNTER per operation, for each counter."""
    out = {}
    for k in counters:
        vals = []
        for log in logs(bench, scenario):
            delta, faults = step_fences(log, path)
            n = faults if ops == "faults" else ops
            vals.append(delta.get(k, 0) / n)
        out[k] = statistics.median(vals)
    return out


def fmt(x):
    """4 significant digits, never in exponent form."""
    return f"{x:.0f}" if x >= 1000 else f"{x:.4g}"


def fmt_fences(f):
    return ", ".join(f"{v:.3f} {k}" for k, v in f.items())


def main():
    if sys.argv[1:] == ["--pairs"]:
        print(pairs())
        return
    bench, docdir = sys.argv[1], sys.argv[2]
    rows = []
    for title, metric, a, b, alab, blab, path, counters, ops in COMPARISONS:
        unit, better = METRICS[metric][1], METRICS[metric][2]
        sa = [sample(p, metric) for p in logs(bench, a)]
        sb = [sample(p, metric) for p in logs(bench, b)]
        ma, mb = statistics.median(sa), statistics.median(sb)
        # gain > 1 means A is better than B, whichever way "better" points
        gain = (lambda x, y: y / x) if better == "lower" else (lambda x, y: x / y)
        rounds = [gain(x, y) for x, y in zip(sa, sb)]
        fa, fb = (per_op(bench, s, path, counters, ops) for s in (a, b))
        rows.append(dict(title=title, unit=unit, alab=alab, blab=blab, ma=ma, mb=mb,
                         sa=sa, sb=sb, gain=gain(ma, mb), rounds=rounds, fa=fa, fb=fb,
                         op="fault" if ops == "faults" else "page"))
        print(f"  {title}: {alab} {fmt(ma)} {unit} vs {blab} {fmt(mb)} {unit}"
              f" -> {gain(ma, mb):.2f}x (rounds {min(rounds):.2f}..{max(rounds):.2f});"
              f" per {rows[-1]['op']}: {fmt_fences(fa)} vs {fmt_fences(fb)}")

    sa_name, sb_name, salab, sblab, steps = SCALING
    scale = []
    for v, step, pages in steps:
        fa = per_op(bench, sa_name, (step,), ("hfence.gvma",), pages)["hfence.gvma"]
        fb = per_op(bench, sb_name, (step,), ("hfence.gvma",), pages)["hfence.gvma"]
        scale.append((v, pages, fa, fb))
        print(f"  hfence.gvma per new guest page, {v} vCPU(s): {salab} {fa:.4f}, {sblab} {fb:.3f}")

    nrounds = len(rows[0]["sa"])
    qemu = subprocess.run(["qemu-system-riscv64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    rst = [
        ".. SPDX-License-Identifier: GPL-2.0",
        "",
        "==========",
        "Benchmarks",
        "==========",
        "",
        f"Written by ``make bench`` on {time.strftime('%Y-%m-%d')}, {nrounds} rounds per",
        "scenario, the two sides of each comparison booted one after the other,",
        f"alternating which goes first, under {qemu}, TCG, on one",
        "machine. Time figures are medians; the gain is how many times better A",
        "is than B (time: B/A, rate: A/B), from the medians, and the range is the",
        "min..max of the gains of the single rounds (round r of A against round r",
        "of B). Fences are exact counts of executed instructions (the",
        "fence-count QEMU plugin) per operation: per page the test maps, or per",
        "page fault pf-bench takes. Every console is kept under ``build/*/bench/``.",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - What",
        "     - A",
        "     - B",
        "     - Gain of A (rounds)",
        "     - Fences per operation, A | B",
    ]
    for r in rows:
        rst += [
            f"   * - {r['title']}",
            f"     - {r['alab']}: {fmt(r['ma'])} {r['unit']}",
            f"     - {r['blab']}: {fmt(r['mb'])} {r['unit']}",
            f"     - {r['gain']:.2f}x ({min(r['rounds']):.2f}..{max(r['rounds']):.2f})",
            f"     - per {r['op']}: {fmt_fences(r['fa'])} | {fmt_fences(r['fb'])}",
        ]
    rst += [
        "",
        f"HFENCE.GVMA per new guest page, demand_paging_test -b 32M per vCPU, L1",
        f"``-smp 4`` ({salab} vs {sblab}):",
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
        "   :alt: gain of A over B, every round and the median; fences per operation",
        "",
        "Samples, round by round (A | B):",
        "",
    ]
    for r in rows:
        rst.append(f"- {r['title']}: {' '.join(fmt(x) for x in r['sa'])} | "
                   f"{' '.join(fmt(x) for x in r['sb'])} {r['unit']}")
    rst += ["", "Reproduce: ``make bench`` (after ``make check`` has built every patch).",
            "What these figures can and cannot show: see testing.rst.", ""]
    with open(os.path.join(docdir, "benchmarks.rst"), "w") as f:
        f.write("\n".join(rst))
    chart(bench, docdir, rows, scale, nrounds)
    print(f"  REPORT  {docdir}/benchmarks.rst, {docdir}/benchmarks.png")


def chart(bench, docdir, rows, scale, nrounds):
    med = os.path.join(bench, "gain.dat")
    pts = os.path.join(bench, "rounds.dat")
    fen = os.path.join(bench, "scale.dat")
    with open(med, "w") as f:
        for i, r in enumerate(rows):
            f.write(f'{i} {r["gain"]:.4f} "{r["title"].split(",")[0]}"\n')
    with open(pts, "w") as f:
        for i, r in enumerate(rows):
            for g in r["rounds"]:
                f.write(f"{i} {g:.4f}\n")
    with open(fen, "w") as f:
        for v, pages, fa, fb in scale:
            f.write(f"{v} {fa:.5f} {fb:.5f}\n")
    plot = f"""
set terminal pngcairo size 1000,780 font ",10"
set output "{os.path.join(docdir, 'benchmarks.png')}"
set multiplot layout 2,1
set title "Gain of A over B: bars = median of {nrounds} rounds, points = single rounds (1.0 = no difference)"
set style fill solid 0.5
set boxwidth 0.6
set yrange [0:*]
set grid ytics
set ylabel "x"
set xtics rotate by -12
set xrange [-0.5:{len(rows) - 0.5}]
set arrow 1 from -0.5,1 to {len(rows) - 0.5},1 nohead dt 2
plot "{med}" using 1:2:xtic(3) with boxes notitle, \\
     "{pts}" using 1:2 with points pt 7 ps 0.8 lc rgb "black" title "rounds", \\
     "{med}" using 1:2:(sprintf("%.2fx", $2)) with labels offset 0,0.8 notitle
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
