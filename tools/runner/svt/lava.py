# SPDX-License-Identifier: GPL-2.0
"""LAVA: make check's group "lava" and make lava.

The project's LAVA files are in lava/ (lava/README): a job for the qemu
device type (svvptc-kit-qemu.yaml), a device dictionary for this machine
(qemu-riscv64.jinja2), and for boards a lava-test-shell test definition
(svvptc-kit.yaml) whose step turns the kit's KTAP into LAVA test cases
(ktap-to-lava). LAVA itself is Debian 12's, fetched and unpacked by
tools/host/lava.sh; tools/host/lava-job.py runs LAVA's own code on them.

make check validates the job, the test definition and the rendered device
against lava_common's schemas (and sees a mistake refused by each), and
feeds ktap-to-lava the kit's KTAP from kit-stock's console. make lava runs
the job with lava-run, on the patched kernel and on stock 6.12, and checks
the test cases LAVA recorded.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from . import boot, initramfs, scenario, state
from .build import BuildError, run
from .console import Console, ConsoleError, step_run
from .ktap import Result
from .state import HOST, TOP, File

LAVA = os.path.join(TOP, "lava")
JOB = os.path.join(LAVA, "svvptc-kit-qemu.yaml")
TESTDEF = os.path.join(LAVA, "svvptc-kit.yaml")
DEVICE = os.path.join(LAVA, "qemu-riscv64.jinja2")
TO_LAVA = os.path.join(LAVA, "ktap-to-lava")
SCRIPT = os.path.join(HOST, "lava-job.py")
# What fails on stock 6.12 (kit-stock says why): the svvptc and gstage
# groups and their failing subtests, as LAVA names test cases.
STOCK_FAILS = {"svvptc", "gstage", "gstage_range_test", "isa_ext_reg_test",
               "kvm_offers_svvptc_to_guests_one_reg_id_66_reads_1_and_is_listed",
               "the_guest_has_svvptc_as_the_host_does"}


def tools(b):
    """BUILD/lava: Debian's LAVA (lava.sh)."""
    d = os.path.join(b.p.root, "lava")
    k = state.key("lava", File(os.path.join(HOST, "lava.sh")))
    if not state.fresh(d, k):
        state.stale(d)
        run([os.path.join(HOST, "lava.sh"), d])
        state.done(d, k)
    return d


def _templates(d):
    return os.path.join(d, "root", "usr", "share", "lava-server", "device-types")


def _job(d, *args):
    r = subprocess.run([os.path.join(d, "python"), SCRIPT, *args], capture_output=True,
                       text=True, cwd=TOP)
    if r.returncode:
        raise BuildError(f"lava-job.py {args[0]} failed: {r.stderr.strip()[-300:]}")
    return r.stdout


def _kit_ktap(b, name):
    """The KTAP of the kit's first run in scenario NAME's console."""
    sc = scenario.load(name)
    where = sc.steps[0][0]
    con = Console(b.p.log(name))
    if con.lines is None:
        raise ConsoleError(f"no console of {name}")
    return step_run(con.lines, where)[1]


def results(b):
    """make check's group "lava"."""
    try:
        d = tools(b)
        out = _job(d, "validate", *(os.path.relpath(f, TOP) for f in (JOB, TESTDEF, DEVICE)),
                   _templates(d))
    except BuildError as e:
        return [Result(False, "LAVA's schemas (Debian's lava-common) read lava/", str(e))]
    res, command = [], ""
    for line in out.splitlines():
        kind, _, rest = line.partition("\t")
        if kind == "command":
            command = rest
        else:
            name, _, why = rest.partition("\t")
            res.append(Result(kind == "ok", name, why))
    res.append(Result("-cpu rv64,h=true,svvptc=true,ztso=true" in command and
                      "-enable-kvm" not in command and "-bios default" in command,
                      "the rendered device runs qemu-system-riscv64 with h, svvptc and ztso, "
                      "TCG, QEMU's OpenSBI", command))
    # ktap-to-lava on what the kit printed on stock 6.12.
    name = "ktap-to-lava turns kit-stock's KTAP into LAVA test sets and cases: the svvptc " \
        "and gstage cases fail, no other"
    try:
        ktap = _kit_ktap(b, "kit-stock")
    except ConsoleError as e:
        return res + [Result(False, name, str(e))]
    with tempfile.NamedTemporaryFile("w", suffix=".ktap") as f:
        f.write("\n".join(ktap) + "\n")
        f.flush()
        calls = subprocess.run(["sh", TO_LAVA, f.name], capture_output=True, text=True,
                               env=dict(os.environ, PATH="/usr/bin:/bin")).stdout.splitlines()
    cases = [c.split() for c in calls if c.startswith("lava-test-case ")]
    failed = sorted(c[1] for c in cases if c[-1] == "fail")
    sets = [c.split()[-1] for c in calls if c.startswith("lava-test-set start")]
    res.append(Result(bool(failed) and all(f.split(".")[0] in ("svvptc", "gstage") for f in failed)
                      and "svvptc.isa_ext_reg_test" in failed and len(sets) >= 6 and
                      all(c[2] == "--result" for c in cases),
                      name, f"{len(cases)} cases in {len(sets)} sets; failed: {failed}"))
    return res


def _lava_run(d, out, job_id):
    """lava-run on OUT/job.yaml and OUT/device.yaml: its log in OUT/lava.log,
    {case: result} of what it recorded."""
    with open(os.path.join(out, "lava.log"), "w") as log:
        try:
            subprocess.run([os.path.join(d, "lava-run"), "--job-id", str(job_id), "--output-dir",
                            os.path.join(out, "output"), "--device",
                            os.path.join(out, "device.yaml"), os.path.join(out, "job.yaml")],
                           stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                           timeout=1800)
        except subprocess.TimeoutExpired:
            log.write("make lava: lava-run killed after 1800 s\n")
    got = {}
    for line in _job(d, "results", os.path.join(out, "lava.log")).splitlines():
        case, _, result = line.partition("\t")
        got[re.sub(r"_+", "_", case).strip("_")] = result
    return got


def make_lava(b):
    """make lava: the job, on the patched kernel and on stock 6.12."""
    d = tools(b)
    verdicts = []
    for job_id, (which, name, title) in enumerate((
            ("patched", "kit-patched", "the patched 6.12 kernel"),
            ("stock", "kit-stock", "stock 6.12")), 1):
        sc = scenario.load(name)
        kernel, l1, _, parts = boot.inputs(b, sc)
        out = os.path.join(b.p.lava, which)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        shutil.copy(kernel, os.path.join(out, "Image"))
        initramfs.concat(os.path.join(out, "kit-initramfs.cpio.gz"), [l1] + parts)
        _job(d, "prepare", JOB, f"svvptc kit on {title} (qemu riscv64, TCG)",
             os.path.join(out, "Image"), os.path.join(out, "kit-initramfs.cpio.gz"), DEVICE,
             _templates(d), out)
        print(f"  LAVA    {which}: lava-run {out}/job.yaml (log: {out}/lava.log)",
              file=sys.stderr)
        got = _lava_run(d, out, job_id)
        job = got.pop("job", "no result")
        fails = {c for c, r in got.items() if r == "fail"}
        print(f"{which}: job {job}, {len(got)} test cases: "
              f"{sum(r == 'pass' for r in got.values())} pass, {len(fails)} fail, "
              f"{sum(r == 'skip' for r in got.values())} skip")
        for c, r in got.items():
            print(f"  {r:5} {c}")
        want = STOCK_FAILS if which == "stock" else set()
        ok = job == "pass" and len(got) >= 20 and fails == want
        verdicts.append(ok)
        print(f"{which}: {'as expected' if ok else 'NOT as expected'}: "
              f"{'the Svvptc and G-stage cases fail, no other' if want else 'every case passes or skips'}"
              + ("" if ok else f" (failed: {sorted(fails)}; expected: {sorted(want)})"))
    return 0 if all(verdicts) else 1
