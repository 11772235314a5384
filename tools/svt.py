#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""svt.py: the harness's one runner. A scenario is a file of data in
tools/scenarios/ (see its README): the machine, the steps /init runs, and
the expectations the console must meet. This program boots a scenario,
times it out, keeps its console and judges every expectation.

  svt.py list [SUITE]             the scenarios (of SUITE: main, check, bench)
  svt.py boot WORK NAME [--run STEPS] [--cpu CPU] [--dry-run]
                                  boot NAME; prints the QEMU command line first
  svt.py judge WORK NAME          the judgement of its console, as KTAP
  svt.py verdict WORK NAME        the same for a person, and a VERDICT line
  svt.py judge-log SCENARIO LOG   judge a console file against a scenario
                                  file (the offline tests, tools/selftest.py)
  svt.py kunit KUNIT_PY KTAP      how the kernel's kunit.py parse counts a
                                  KTAP file: "N tests: P passed, F failed,
                                  S skipped, E errors"

WORK is the build directory (build/debian): kernels under WORK/img/,
consoles under WORK/logs/NAME.log, the fence counts of the fence-count
QEMU plugin beside them (NAME.log.fences). A boot whose kernel,
initramfs, QEMU and command line are those of its last clean boot is not
run again with BOOT_REUSE=1 (make check): its console stands.
"""
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fences  # noqa: E402

SCENARIOS = os.path.join(HERE, "scenarios")
FIRMWARE = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
# A console line that fails any boot, L1 or L2 (the L2 lines are in it).
BAD = re.compile(r"BUG:|WARNING:|Oops|KASAN|UBSAN|Kernel panic")
# What the runner adds to a console when it had to kill QEMU.
TIMEOUT = "svt.py: timed out after {}s, QEMU killed"
KEYS = {"suite", "kernel", "timeout", "cpu", "smp", "mem", "append",
        "l2-cpu", "l2-smp", "l2-mem"}


class Bad(Exception):
    """A scenario file, or a console, that cannot be read as it must."""


class Expect:
    """One line "expect WHERE KIND ARGS... -- SENTENCE" of a scenario."""

    KINDS = {"rc": 1, "has": 1, "lacks": 1, "count": 2, "fences": 4, "covers": 2}

    def __init__(self, words, sentence, where):
        if len(words) < 2 or words[1] not in self.KINDS:
            raise Bad(f"{where}: expect WHERE KIND ..., KIND one of {', '.join(self.KINDS)}")
        if len(words) != 2 + self.KINDS[words[1]]:
            raise Bad(f"{where}: expect ... {words[1]} takes {self.KINDS[words[1]]} arguments")
        if not sentence or "#" in sentence:
            raise Bad(f"{where}: an expectation needs a sentence after ' -- ', without '#'")
        self.where, self.kind, self.args, self.sentence = words[0], words[1], words[2:], sentence
        if self.kind == "fences" and (self.args[1] not in ("<=", ">=") or
                                      not re.fullmatch(r"\d+/\d+", self.args[2])):
            raise Bad(f"{where}: expect WHERE fences COUNTER[,COUNTER] <=|>= N/D OPS")


class Scenario:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.conf = {"suite": "check", "smp": "2", "mem": "2G", "append": "",
                     "l2-cpu": "host", "l2-smp": "2", "l2-mem": "256M"}
        self.steps, self.expects, self.shows, self.metrics = [], [], [], {}
        for n, raw in enumerate(open(path), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            where = f"{path}:{n}"
            left, _, sentence = line.partition(" -- ")
            try:
                words = shlex.split(left)
            except ValueError as e:
                raise Bad(f"{where}: {e}") from None
            key, rest = words[0], words[1:]
            if key in KEYS and len(rest) == 1:
                self.conf[key] = rest[0]
            elif key == "step" and rest:
                self.steps.append((rest[0], rest[1:]))
            elif key == "expect":
                self.expects.append(Expect(rest, sentence.strip(), where))
            elif key == "show" and len(rest) == 2 and sentence:
                self.shows.append((rest[0], rest[1], sentence.strip()))
            elif key == "metric" and len(rest) >= 5:
                self.metrics[rest[0]] = {"where": rest[1], "regex": rest[2], "unit": rest[3],
                                         "better": rest[4],
                                         **dict(w.split("=", 1) for w in rest[5:])}
            else:
                raise Bad(f"{where}: cannot read '{line}' (see {SCENARIOS}/README)")
        for k in ("kernel", "timeout", "cpu"):
            if k not in self.conf:
                raise Bad(f"{path}: no '{k}' line")
        if not self.steps:
            raise Bad(f"{path}: no step")

    def __getitem__(self, key):
        return self.conf[key]

    def l2_kernels(self):
        return [s[3:] for s, _ in self.steps if s.startswith("l2:")]

    def run(self, steps=None):
        """The svt.run= value: the steps, an L2 step with its machine and
        its own steps ('+' and '/' stand for ',' and ':' one level down)."""
        if steps:
            return steps
        out = []
        for step, inner in self.steps:
            if step.startswith("l2:"):
                step = ":".join([step, self["l2-cpu"], self["l2-smp"], self["l2-mem"],
                                 "+".join(s.replace(":", "/") for s in inner)])
            out.append(step)
        return ",".join(out)

    def cmdline(self, steps=None):
        """The L1 kernel's command line: the console, the append line's
        words, and svt.run=."""
        return " ".join(w for w in ("console=ttyS0 panic=-1", self["append"],
                                    f"svt.run={self.run(steps)}") if w)


def load(name):
    path = name if os.sep in name else os.path.join(SCENARIOS, name)
    if not os.path.isfile(path):
        raise Bad(f"no scenario '{name}' in {SCENARIOS}")
    return Scenario(path)


def names(suite=None):
    out = []
    for n in sorted(os.listdir(SCENARIOS)):
        if n == "README" or n.startswith("."):
            continue
        if suite is None or load(n)["suite"] in suite.split(","):
            out.append(n)
    return out


# ---- consoles ----

def cut(lines, want):
    """The output lines and exit status (None: never ended) of the step
    WANT (its name, or its name up to a ':') among a console's lines."""
    found, cur = [], None
    for line in lines:
        if cur is None:
            if line.startswith("SVT-BEGIN "):
                name = line[len("SVT-BEGIN "):]
                if fences.matches(name, want):
                    cur = (name, [])
            continue
        m = re.fullmatch(r"SVT-END (\S+) rc=(-?\d+)", line)
        if m and m.group(1) == cur[0]:
            found.append((cur[0], cur[1], int(m.group(2))))
            cur = None
        else:
            cur[1].append(line)
    if cur:
        found.append((cur[0], cur[1], None))
    if not found:
        raise Bad(f"step {want} never ran")
    if len(found) > 1:
        raise Bad(f"'{want}' names {len(found)} steps: say which")
    return found[0]


def step(lines, where):
    """(output, rc) of WHERE: a step, or L1STEP/L2STEP for a step of the
    L2 guest that L1STEP booted ("L2 " lines of its output)."""
    path = where.split("/")
    _, out, rc = cut(lines, path[0])
    for want in path[1:]:
        if rc is None:
            raise Bad(f"step {path[0]} never ended")
        _, out, rc = cut([ln[3:] for ln in out if ln.startswith("L2 ")], want)
    return out, rc


def number(out, ops):
    """OPS: a number, or KEY= for what the step printed as KEY=N (the sum,
    when a repeat:N step printed it once per run)."""
    if ops.isdigit():
        return int(ops)
    found = [int(m.group(1)) for m in
             (re.search(r"(?:^|\s)" + re.escape(ops) + r"(\d+)", line) for line in out) if m]
    if not found:
        raise Bad(f"the step printed no {ops}N")
    return sum(found)


def boot_problem(lines):
    """Why the boot of this console failed, or None."""
    why = []
    for line in lines:
        if line.startswith(TIMEOUT.split("{")[0]):
            why.append(line[len("svt.py: "):])
    if not why and "SVT-DONE" not in lines:
        why.append("the guest did not finish its steps")
    why += [f"console line {i}: {ln}" for i, ln in enumerate(lines, 1) if BAD.search(ln)][:3]
    return "; ".join(why) or None


class Console:
    def __init__(self, log):
        self.log = log
        self.steps = None
        try:
            self.lines = open(log, errors="replace").read().splitlines()
        except OSError:
            self.lines = None

    def fences(self, where, counter):
        """How many COUNTER fences all harts executed during WHERE."""
        path = where.split("/")
        if self.steps is None:
            try:
                self.steps = fences.steps(self.log, self.log + ".fences")
            except (SystemExit, OSError) as e:
                raise Bad(f"fence counts: {e}") from None
        for p, delta in self.steps:
            names = p.split(" > ")
            if len(names) == len(path) and all(map(fences.matches, names, path)):
                return delta[counter]
        raise Bad(f"no fence counts for {where}")


def check(e, con, logdir):
    """(passed, why) of expectation E on console CON."""
    out, rc = step(con.lines, e.where) if e.where != "console" else (con.lines, 0)
    a = e.args
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
        ops = number(out, a[3])
        got = {c: con.fences(e.where, c) for c in a[0].split(",")}
        ok = all(c * d <= n * ops if a[1] == "<=" else c * d >= n * ops for c in got.values())
        return ok, ", ".join(f"{v} {c}" for c, v in got.items()) + f" for {ops} operations"
    # covers OTHER REGEX: what OTHER's same step printed (group 1 of the
    # lines matching REGEX) this one printed too.
    other = Console(os.path.join(logdir, a[0] + ".log"))
    if other.lines is None:
        raise Bad(f"no console of {a[0]}")
    theirs = {m.group(1) for m in map(re.compile(a[1]).search, step(other.lines, e.where)[0]) if m}
    ours = {m.group(1) for m in map(re.compile(a[1]).search, out) if m}
    lost = sorted(theirs - ours)
    return bool(theirs) and not lost, f"lost: {' '.join(lost)}; {a[0]} has: {' '.join(sorted(theirs))}"


def judge(sc, log):
    """[(passed, sentence, why)]: the boot itself, then every expectation."""
    con = Console(log)
    first = f"boot {sc.name}: /init ran every step, no BUG:, WARNING:, Oops, KASAN, UBSAN or panic"
    if con.lines is None:
        return [(False, first, f"no console log {log}")] + \
            [(False, e.sentence, "no console") for e in sc.expects]
    why = boot_problem(con.lines)
    out = [(why is None, first, f"{why} (console log: {log})")]
    for e in sc.expects:
        try:
            ok, why = check(e, con, os.path.dirname(log))
        except (Bad, re.error, ValueError) as err:
            ok, why = False, str(err)
        out.append((ok, e.sentence, f"{e.where}: {why}"))
    return out


def ktap(results):
    """A KTAP document: version, plan, a line per result (why as a
    diagnostic line before a failure)."""
    lines = ["KTAP version 1", f"1..{len(results)}"]
    for i, (ok, sentence, why) in enumerate(results, 1):
        if not ok:
            lines.append(f"# {why}")
        lines.append(f"{'ok' if ok else 'not ok'} {i} {sentence}")
    return "\n".join(lines)


def shown(sc, log):
    """The "show" lines of a scenario: (label, value) from its console."""
    con = Console(log)
    for where, regex, label in sc.shows:
        try:
            m = [m for m in map(re.compile(regex).search, step(con.lines or [], where)[0]) if m]
            yield label, m[0].group(1) if m else "(not printed)"
        except Bad as e:
            yield label, f"({e})"


def kunit(kunit_py, path):
    """The counts of "kunit.py parse PATH": (tests, passed, failed,
    skipped, errors); kunit leaves out the zero ones, and counts a crash
    as a failure here."""
    out = subprocess.run([sys.executable, kunit_py, "parse", os.path.abspath(path)],
                         capture_output=True, text=True).stdout
    m = re.search(r"Testing complete\. Ran (\d+) tests:(.*)", out)
    if not m:
        raise Bad(f"kunit.py parse {path} printed no totals")
    n = {k: int(v) for k, v in re.findall(r"(\w+): (\d+)", m.group(2))}
    return (int(m.group(1)), n.get("passed", 0), n.get("failed", 0) + n.get("crashed", 0),
            n.get("skipped", 0), n.get("errors", 0))


def counts_line(counts):
    return "{} tests: {} passed, {} failed, {} skipped, {} errors".format(*counts)


# ---- booting ----

def sha1(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def pack(stage, out):
    """tools/lib.sh's pack: STAGE as a gzipped newc cpio archive."""
    with open(out, "wb") as f:
        subprocess.run(["bash", "-c", '. "$0" && pack "$1"', os.path.join(HERE, "lib.sh"), stage],
                       stdout=f, check=True)


def l2_image(work, kernel):
    if kernel == "debian":
        return os.path.join(os.path.dirname(work), "vmm", "debian", "Image")
    return os.path.join(work, "img", kernel, "Image")


def nested_initrd(work, l2, l1_initrd, vmm, out):
    """OUT: the L1 initramfs, the VMM and, under /l2/, the L2 initramfs and
    the Images of the L2 kernels L2, one archive after the other (the
    kernel unpacks concatenated archives in order)."""
    stage = out[:-len(".cpio.gz")]
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(os.path.join(stage, "l2"))
    shutil.copy(os.path.join(work, "img", "l2-initramfs.cpio.gz"),
                os.path.join(stage, "l2", "initramfs.cpio.gz"))
    for k in l2:
        os.makedirs(os.path.join(stage, "l2", k))
        shutil.copy(l2_image(work, k), os.path.join(stage, "l2", k, "Image"))
    pack(stage, stage + ".l2.cpio.gz")
    with open(out, "wb") as f:
        for part in (l1_initrd, vmm, stage + ".l2.cpio.gz"):
            with open(part, "rb") as p:
                shutil.copyfileobj(p, f)
    shutil.rmtree(stage)
    os.unlink(stage + ".l2.cpio.gz")


def boot(sc, work, run=None, cpu=None, dry_run=False):
    """Boot SC, keep its console; returns the console log's path, or None
    for a dry run. Raises Bad when an input is missing."""
    img = os.path.join(work, "img", sc["kernel"])
    logs = os.path.join(work, "logs")
    log = os.path.join(logs, sc.name + (".byhand" if run or cpu else "") + ".log")
    plugin = os.path.join(os.path.dirname(work), "plugin", "fence-count.so")
    kernel = os.path.join(img, "Image")
    initrd = l1_initrd = os.path.join(img, "initramfs.cpio.gz")
    vmm = os.path.join(os.path.dirname(work), "vmm", "vmm.cpio.gz")
    inputs = [kernel, l1_initrd, FIRMWARE, plugin]
    l2 = sc.l2_kernels()
    if l2:
        inputs += [vmm, os.path.join(work, "img", "l2-initramfs.cpio.gz")]
        inputs += [l2_image(work, k) for k in l2]
        initrd = os.path.join(work, "nested", sc.name + ".cpio.gz")
    for f in inputs:
        if not os.path.isfile(f):
            raise Bad(f"{f} missing (run make first)")
    cmd = ["qemu-system-riscv64", "-M", "virt", "-cpu", cpu or sc["cpu"], "-smp", sc["smp"],
           "-m", sc["mem"], "-nographic", "-no-reboot", "-bios", FIRMWARE,
           "-kernel", kernel, "-initrd", initrd,
           "-append", sc.cmdline(run),
           "-plugin", plugin, "-d", "plugin", "-D", log + ".fences"]
    version = subprocess.run(["qemu-system-riscv64", "--version"], capture_output=True,
                             text=True).stdout.splitlines()[:1]
    key = hashlib.sha1("\n".join([sc["timeout"]] + cmd + version +
                                 [sha1(f) for f in inputs]).encode()).hexdigest()
    if os.environ.get("BOOT_REUSE") == "1" and not (run or cpu or dry_run):
        try:
            if open(log + ".pass").read().strip() == key and os.path.isfile(log):
                print(f"  REUSE   {sc.name}: same kernel, initramfs, QEMU and command line "
                      f"as its last clean boot ({log})", file=sys.stderr)
                return log
        except OSError:
            pass
    if l2:
        nested_initrd(work, l2, l1_initrd, vmm, initrd)
    print(f"  BOOT    {sc.name}: {shlex.join(cmd)}", file=sys.stderr)
    if dry_run:
        return None
    os.makedirs(logs, exist_ok=True)
    for f in (log + ".pass", log):
        if os.path.exists(f):
            os.unlink(f)
    timeout = int(sc["timeout"])
    with open(log + ".raw", "wb") as raw:
        rc = subprocess.run(["timeout", "-k", "5", str(timeout)] + cmd, stdin=subprocess.DEVNULL,
                            stdout=raw, stderr=subprocess.STDOUT).returncode
    text = open(log + ".raw", "rb").read().decode(errors="replace").replace("\r", "")
    os.unlink(log + ".raw")
    if rc in (124, 137):
        text += ("" if text.endswith("\n") or not text else "\n") + TIMEOUT.format(timeout) + "\n"
    with open(log, "w") as f:
        f.write(text)
    if l2:
        with open(log[:-len(".log")] + ".l2.log", "w") as f:
            f.writelines(ln[3:] + "\n" for ln in text.splitlines() if ln.startswith("L2 "))
    why = boot_problem(text.splitlines())
    if why:
        print(f"boot: {sc.name} FAILED: {why}\nboot: console log: {log}", file=sys.stderr)
    elif not (run or cpu):
        with open(log + ".pass", "w") as f:
            f.write(key + "\n")
    else:
        print(f"  LOG     {log}", file=sys.stderr)
    return log


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    try:
        if cmd == "kunit":
            print(counts_line(kunit(args[0], args[1])))
        elif cmd == "list":
            print("\n".join(names(args[0] if args else None)))
        elif cmd == "boot":
            work, sc = os.path.realpath(args[0]), load(args[1])
            opts = dict(zip(args[2::2], args[3::2]))
            log = boot(sc, work, opts.get("--run") or None, opts.get("--cpu") or None,
                       "--dry-run" in args)
            return 0 if log is None or not boot_problem(Console(log).lines) else 1
        elif cmd in ("judge", "judge-log", "verdict"):
            if cmd == "judge-log":
                sc, log = load(os.path.abspath(args[0])), args[1]
            else:
                sc = load(args[1])
                log = os.path.join(os.path.realpath(args[0]), "logs", sc.name + ".log")
            results = judge(sc, log)
            if cmd != "verdict":
                print(ktap(results))
                return 0
            for ok, sentence, why in results:
                print(f"  {'ok  ' if ok else 'FAIL'}  {sentence}" + ("" if ok else f" ({why})"))
            for label, value in shown(sc, log):
                print(f"  info  {label}: {value}")
            if all(r[0] for r in results):
                print("VERDICT: PASS - KVM on this 6.12 kernel offers Svvptc and Ztso to guests, "
                      "and a real VMM passes them on")
                return 0
            print(f"VERDICT: FAIL - console log: {log}")
            return 1
        else:
            sys.exit(__doc__)
    except Bad as e:
        print(f"svt.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
