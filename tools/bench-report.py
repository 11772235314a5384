#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py BENCHDIR DOCDIR: medians and ratios of a bench run.

Reads the consoles tools/bench.sh kept (NAME.ROUND.log), prints the
figures, and writes DOCDIR/benchmarks.rst and DOCDIR/benchmarks.png.
"""
import glob
import os
import re
import statistics
import subprocess
import sys
import time

bench, docdir = sys.argv[1], sys.argv[2]

# metric: (scenario, regex, unit, better)
METRICS = {
    "create": (r"KVM_CREATE_MAPPINGS: total execution time: ([0-9.]+)s", "s", "lower"),
    "update": (r"KVM_UPDATE_MAPPINGS: total execution time: ([0-9.]+)s", "s", "lower"),
    "dp_rate": (r"Overall demand paging rate:\s+([0-9.]+) pgs/sec", "pages/s", "higher"),
    "pf_rate": (r"pf-bench .*faults_per_sec=([0-9.]+)", "faults/s", "higher"),
}
# (title, metric, A scenario, B scenario, what A and B are)
COMPARISONS = [
    ("G-stage populate, kvm_page_table_test KVM_CREATE_MAPPINGS", "create",
     "bench-gs-0004", "bench-gs-0003", "with patch 0004", "without patch 0004"),
    ("G-stage write faults, kvm_page_table_test KVM_UPDATE_MAPPINGS", "update",
     "bench-gs-0004", "bench-gs-0003", "with patch 0004", "without patch 0004"),
    ("Guest demand paging, demand_paging_test overall rate", "dp_rate",
     "bench-gs-0004", "bench-gs-0003", "with patch 0004", "without patch 0004"),
    ("L1 user page faults, pf-bench (6.12 Svvptc fast path)", "pf_rate",
     "bench-pf-on", "bench-pf-off", "svvptc=true", "svvptc=false"),
    ("L2 user page faults, pf-bench in a nested guest (L1 svvptc=true)", "pf_rate",
     "bench-l2-tip", "bench-l2-base", "patched L1 host", "6.12 L1 host"),
]


def samples(scenario, metric):
    rx = re.compile(METRICS[metric][0])
    out = []
    for log in sorted(glob.glob(os.path.join(bench, f"{scenario}.*.log"))):
        m = rx.search(open(log, errors="replace").read())
        if not m:
            sys.exit(f"bench-report: no {metric} figure in {log}")
        out.append(float(m.group(1)))
    if not out:
        sys.exit(f"bench-report: no logs for {scenario} in {bench}")
    return out


def fmt(x):
    """4 significant digits, never in exponent form."""
    return f"{x:.0f}" if x >= 1000 else f"{x:.4g}"


rows = []
for title, metric, a, b, alab, blab in COMPARISONS:
    unit, better = METRICS[metric][1], METRICS[metric][2]
    sa, sb = samples(a, metric), samples(b, metric)
    ma, mb = statistics.median(sa), statistics.median(sb)
    # gain > 1 means A is better than B, whichever way "better" points
    gain = (mb / ma) if better == "lower" else (ma / mb)
    rows.append((title, unit, alab, ma, sa, blab, mb, sb, gain))
    print(f"  {title}: {alab} {fmt(ma)} {unit} vs {blab} {fmt(mb)} {unit}"
          f" -> {gain:.2f}x ({len(sa)} rounds)")

stamp = time.strftime("%Y-%m-%d")
qemu = subprocess.run(["qemu-system-riscv64", "--version"], capture_output=True,
                      text=True).stdout.splitlines()[0]
rst = [
    ".. SPDX-License-Identifier: GPL-2.0",
    "",
    "==========",
    "Benchmarks",
    "==========",
    "",
    f"Written by ``make bench`` on {stamp}, {len(rows[0][4])} rounds per",
    "scenario, the two sides of each comparison booted alternately (A B, B A,",
    f"...) under {qemu}, TCG, on the same machine. Medians; the gain is how",
    "many times better A is than B (time: B/A, rate: A/B). Every console is",
    "kept under ``build/*/bench/``.",
    "",
    ".. list-table::",
    "   :header-rows: 1",
    "",
    "   * - What",
    "     - A",
    "     - B",
    "     - Gain of A",
]
for title, unit, alab, ma, sa, blab, mb, sb, gain in rows:
    rst += [
        f"   * - {title}",
        f"     - {alab}: {fmt(ma)} {unit}",
        f"     - {blab}: {fmt(mb)} {unit}",
        f"     - {gain:.2f}x",
    ]
rst += [
    "",
    ".. image:: benchmarks.png",
    "   :alt: gain of A over B per comparison",
    "",
    "Samples (A | B):",
    "",
]
for title, unit, alab, ma, sa, blab, mb, sb, gain in rows:
    rst.append(f"- {title}: {' '.join(fmt(x) for x in sa)} | "
               f"{' '.join(fmt(x) for x in sb)} {unit}")
rst += ["", "Reproduce: ``make bench`` (after ``make check`` has built every patch).",
        "What these figures can and cannot show: see testing.rst.", ""]
with open(os.path.join(docdir, "benchmarks.rst"), "w") as f:
    f.write("\n".join(rst))

data = os.path.join(bench, "gain.dat")
with open(data, "w") as f:
    for i, r in enumerate(rows):
        f.write(f'{i} {r[8]:.4f} "{r[0].split(",")[0]}"\n')
plot = f"""
set terminal pngcairo size 900,420 font ",10"
set output "{os.path.join(docdir, 'benchmarks.png')}"
set title "Gain of A over B (median of {len(rows[0][4])} rounds; 1.0 = no difference)"
set style fill solid 0.6
set boxwidth 0.6
set yrange [0:*]
set grid ytics
set ylabel "x"
set xtics rotate by -12
set arrow from -0.5,1 to {len(rows) - 0.5},1 nohead dt 2
plot "{data}" using 1:2:xtic(3) with boxes notitle, \\
     "" using 1:2:(sprintf("%.2fx", $2)) with labels offset 0,0.8 notitle
"""
subprocess.run(["gnuplot"], input=plot, text=True, check=True)
print(f"  REPORT  {docdir}/benchmarks.rst, {docdir}/benchmarks.png")
