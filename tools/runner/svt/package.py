# SPDX-License-Identifier: GPL-2.0
"""make check's package group: what dkms-host.sh recorded of
svvptc-kvm-dkms's apt life (BUILD/dkms), judged.

Each case of dkms-host.sh is one apt (or dpkg) run on a Debian 13 root;
after it, as an operator would look: apt's exit status, dpkg --audit,
which kvm.ko modprobe finds for every kernel, dkms status, and the lines
"svvptc-kvm: ..." the run printed. Every case must leave apt at 0 and
dpkg --audit empty: no kernel half-configured because of this package.
"""
from __future__ import annotations

import os
import re

from .series import HOST_HALF, files_of, host_half, series
from .ktap import Result

OURS = "updates/dkms/kvm.ko.xz"
DEBIANS = "kernel/arch/riscv/kvm/kvm.ko.xz"


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


class Case:
    """One case as dkms-host.sh left it in DIR/cases/NAME."""

    def __init__(self, d, name):
        self.name = name
        c = os.path.join(d, "cases", name)
        self.ran = os.path.isdir(c)
        self.rc = _read(os.path.join(c, "rc")).strip()
        self.audit = _read(os.path.join(c, "audit")).strip()
        self.said = _read(os.path.join(c, "said")).splitlines()
        self.dkms = _read(os.path.join(c, "dkms")).strip()
        self.order = _read(os.path.join(c, "order")).split()
        self.kvm = dict((ln.split() + [""])[:2] for ln in _read(os.path.join(c, "kvm")).splitlines()
                        if ln.strip())

    def clean(self) -> bool:
        """apt (or dpkg) exited 0 and dpkg --audit finds nothing."""
        return self.ran and self.rc == "0" and self.audit == ""

    def about(self, kernel: str) -> list[str]:
        """The lines this run printed about KERNEL."""
        return [ln for ln in self.said if ln.startswith(f"svvptc-kvm: {kernel} ")]

    def why(self) -> str:
        if not self.ran:
            return "not run (see dkms-host.sh's log)"
        return (f"exit {self.rc}; audit {self.audit[:120]!r}; kvm {self.kvm}; "
                f"said {self.said}; dkms {self.dkms!r}")


def _facts(d):
    facts = {}
    for ln in _read(os.path.join(d, "facts.txt")).splitlines():
        k, _, v = ln.partition(": ")
        facts[k] = v.strip()
    return facts


def _compilers(path):
    try:
        with open(path, "rb") as f:
            return sorted(set(re.findall(rb"GCC: \([^)]*\) [0-9.]+", f.read())))
    except OSError:
        return []


def _has(path, data):
    try:
        with open(path, "rb") as f:
            return data in f.read()
    except OSError:
        return False


def results(d: str) -> list[Result]:
    facts = _facts(d)
    prev, new = (facts.get("versions", "? ?").split() + ["?", "?"])[:2]
    kp = f"{prev.rsplit('-', 1)[0]}+deb13-riscv64"
    kn = f"{new.rsplit('-', 1)[0]}+deb13-riscv64"
    amd = kn.replace("-riscv64", "-amd64")
    c = {n: Case(d, n) for n in ("fresh", "remove", "previous", "package-upgrade",
                                  "source-late-kernel", "revision", "drift", "applied",
                                  "source-late", "kernel-upgrade", "amd64", "purge")}
    half = [os.path.basename(p) for p in host_half()]
    mixed = [os.path.basename(p) for p in series() if os.path.basename(p) not in half and
             any(HOST_HALF.match(f) for f in files_of(p))]
    carried = facts.get("patches", "").split()
    lint = [ln for ln in _read(os.path.join(d, "lintian.txt")).splitlines()
            if re.match(r"[EWIPX]: ", ln)]
    p0004 = next((p for p in half if p.startswith("0004-")), "0004")
    ko, deb_ko = os.path.join(d, "kvm.ko"), os.path.join(d, "kvm-debian.ko")
    ours, debs = _compilers(ko), _compilers(deb_ko)

    def case(n, ok, what):
        return Result(c[n].clean() and ok, f"{n}: {what}", c[n].why())

    def one_line(n, kernel, text):
        """Case N printed exactly one line about KERNEL, and it has TEXT."""
        lines = c[n].about(kernel)
        return len(lines) == 1 and text in lines[0]

    return [
        Result(bool(carried) and carried == half and not mixed,
               "the package carries every patch of the series that touches KVM's module, "
               "and those touch nothing else",
               f"carries {carried}, host half {half}, mixed {mixed}"),
        Result(facts.get("lintian") == "rc=0" and not lint,
               "lintian --pedantic finds nothing in svvptc-kvm-dkms", "; ".join(lint[:3])),
        case("fresh", c["fresh"].kvm.get(kp) == OURS and "svvptc-kvm/" in c["fresh"].dkms and
             not c["fresh"].about(kp),
             f"apt install ./svvptc-kvm-dkms on {kp}: dkms builds and installs kvm.ko there"),
        case("remove", c["remove"].kvm.get(kp) == DEBIANS and c["remove"].dkms == "",
             "apt remove: modprobe finds Debian's kvm.ko again, dkms has nothing left"),
        Result(c["previous"].clean() and c["previous"].kvm.get(kp) == OURS,
               "previous: the package's previous version installs its module", c["previous"].why()),
        case("package-upgrade", c["package-upgrade"].kvm.get(kp) == OURS and
             f"svvptc-kvm/{facts.get('package')}," in c["package-upgrade"].dkms,
             "apt install of this version over the previous one keeps a module on every kernel"),
        case("source-late-kernel", c["source-late-kernel"].kvm.get(kn) == DEBIANS and
             c["source-late-kernel"].kvm.get(kp) == OURS and
             one_line("source-late-kernel", kn, f"linux-source-6.12 is {prev}, this kernel is {new}"),
             f"kernel {kn} before its source: skipped in one line, Debian's kvm.ko there, "
             f"{kp} keeps the package's"),
        case("revision", c["revision"].kvm.get(kn) == DEBIANS and
             one_line("revision", kn, f"linux-source-6.12 is {new.rsplit('-', 1)[0]}-2, "
                      f"this kernel is {new}"),
             "a linux-source-6.12 of another Debian revision: skipped in one line"),
        case("drift", c["drift"].kvm.get(kn) == DEBIANS and
             one_line("drift", kn, f"patch {p0004} does not apply to linux-source-6.12 {new}"),
             f"kernel {kn} reinstalled on a source that {p0004[:4]} does not fit: apt exits 0, "
             "skipped in one line"),
        case("applied", c["applied"].kvm.get(kn) == DEBIANS and
             one_line("applied", kn, f"patch {p0004} is already in linux-source-6.12 {new}"),
             f"a source that already has {p0004[:4]}: skipped in one line"),
        case("source-late", c["source-late"].kvm.get(kn) == OURS and
             c["source-late"].kvm.get(kp) == OURS,
             "Debian's linux-source-6.12 arriving after the kernel: the trigger builds its "
             "module, the older kernel keeps its own"),
        case("kernel-upgrade", c["kernel-upgrade"].kvm.get(kn) == OURS and
             c["kernel-upgrade"].kvm.get(kp) == OURS,
             f"kernel and source {new} in one apt run: the module is there for both kernels"),
        case("amd64", c["amd64"].kvm.get(amd, "").endswith("arch/x86/kvm/kvm.ko.xz") and
             one_line("amd64", amd, "not a RISC-V kernel"),
             "a 6.12 amd64 kernel with its headers: skipped in one line"),
        case("purge", all(v != OURS for v in c["purge"].kvm.values()) and
             c["purge"].kvm.get(kn) == DEBIANS and c["purge"].dkms == "" and
             facts.get("purge-left") == "",
             "apt purge: Debian's kvm.ko on every kernel, the kept sources gone"),
        Result(facts.get("installed", "").endswith("/updates/dkms/kvm.ko.xz") and
               facts.get("machine") == "RISC-V" and bool(ours) and ours == debs,
               "the module is RISC-V code built by the compiler that built Debian's kvm.ko",
               f"{ours} vs {debs}"),
        Result(bool(ours) and not _has(ko, b".debug_info") and not _has(deb_ko, b".debug_info"),
               "the installed module has no debug information, as Debian's (dkms strips it)"),
        Result(bool(facts.get("vermagic")) and facts.get("vermagic") == facts.get("debian-vermagic"),
               "the module's vermagic is Debian's kvm.ko's",
               f"{facts.get('vermagic')!r} vs {facts.get('debian-vermagic')!r}"),
    ]


def autopkgtest_results(d: str) -> list[Result]:
    """make package: the package's Testsuite run by Debian's autopkgtest
    (dkms-host.sh with SVT_AUTOPKGTEST). autodep8's dkms test is
    superficial, and autopkgtest exits 8 when only superficial tests ran
    (autopkgtest(1)): 0 or 8, with every test passing."""
    c = Case(d, "autopkgtest")
    summary = _read(os.path.join(d, "autopkgtest-summary")).strip()
    return [Result(c.ran and c.rc in ("0", "8") and summary != "" and
                   all(re.search(r"\sPASS\b", ln) for ln in summary.splitlines()),
                   "autopkgtest (Testsuite: autopkgtest-pkg-dkms, null testbed on the Debian 13 "
                   "root) passes", f"exit {c.rc}; summary {summary!r}")]


def native_results(d: str) -> list[Result]:
    """make package: native-host.sh's riscv64 root."""
    facts = _facts(d)
    prev, new = (facts.get("versions", "? ?").split() + ["?", "?"])[:2]
    out = []
    for case, v in (("install", prev), ("upgrade", new)):
        k = f"{v.rsplit('-', 1)[0]}+deb13-riscv64"
        got = facts.get(case, "")
        out.append(Result(got.startswith("rc=0 ") and got.endswith(" audit=0") and
                          facts.get(f"{case}-kvm-{k}", "").endswith(OURS),
                          f"natively on riscv64: {case} builds kvm.ko for {k} ({got})",
                          f"{got}; modprobe finds {facts.get(f'{case}-kvm-{k}')!r}"))
    out.append(Result(facts.get("code") == "equal" and facts.get("sections", "0") != "0",
                      "the native module's executable sections equal the cross-built one's",
                      f"{facts.get('sections')} sections: {facts.get('code')}"))
    return out
