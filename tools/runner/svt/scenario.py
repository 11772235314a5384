# SPDX-License-Identifier: GPL-2.0
"""The scenario grammar (tools/scenarios/README has it for a reader).

A scenario file is data: the L1 machine, the steps /init runs, the
expectations its console must meet, and for make bench the figures it
gives (metric) and the comparisons it leads (compare). "include NAME"
reads a base file (NAME.inc) in its place: its steps and expectations
stand where the include line does, and a key line, define or metric of
the including file wins over one of the same name in the base, wherever
either stands (among one file's own, the last wins). "define NAME VALUE"
sets $NAME (or ${NAME}), which any line may use, so an including file
can change what its base's steps say.
"""
from __future__ import annotations

import os
import re
import shlex

from . import protocol as P
from .state import SCENARIOS

KEYS = {"suite", "kernel", "timeout", "machine", "cpu", "smp", "mem", "append", "modules", "kit",
        "l2-machine", "l2-cpu", "l2-smp", "l2-mem", "label", "about", "rounds"}
DEFAULTS = {"suite": "check", "machine": "virt", "smp": "2", "mem": "2G", "append": "",
            "modules": "", "kit": "no", "l2-machine": "virt", "l2-cpu": "host", "l2-smp": "2",
            "l2-mem": "256M", "rounds": "every"}
MODULES = ("", "debian", "package")
# The steps that boot an L2 guest with Debian's QEMU: l2:KERNEL (l2.c) and
# migrate:KERNEL:MACHINE:MEM:QEMU (migrate.c; QEMU is trixie or sid, the
# Debian release whose QEMU migrates); the runner adds the L2 CPU, SMP,
# the memory (l2's: migrate names its own) and the guest's own steps.
L2_STEPS = ("l2:", "migrate:")
MIGRATE_QEMUS = ("trixie", "sid")
VAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


class ScenarioError(Exception):
    """A scenario file that cannot be read as the grammar says."""


class Expect:
    """One line "expect WHERE KIND ARGS... -- SENTENCE"."""

    KINDS = {"rc": 1, "has": 1, "lacks": 1, "count": 2, "fences": 4, "covers": 2, "ktap": 2,
             "kunit": 0}

    def __init__(self, words, sentence, where):
        if len(words) < 2 or words[1] not in self.KINDS:
            raise ScenarioError(f"{where}: expect WHERE KIND ..., KIND one of "
                                f"{', '.join(self.KINDS)}")
        if len(words) != 2 + self.KINDS[words[1]]:
            raise ScenarioError(f"{where}: expect ... {words[1]} takes "
                                f"{self.KINDS[words[1]]} arguments")
        if not sentence or "#" in sentence:
            raise ScenarioError(f"{where}: an expectation needs a sentence after ' -- ', "
                                "without '#'")
        self.where, self.kind, self.args, self.sentence = words[0], words[1], words[2:], sentence
        self.line = where
        if self.kind == "fences" and (self.args[1] not in ("<=", ">=") or
                                      not re.fullmatch(r"\d+/\d+", self.args[2])):
            raise ScenarioError(f"{where}: expect WHERE fences COUNTER[+COUNTER][,...] <=|>= N/D OPS")
        if self.kind == "ktap" and self.args[1] not in ("ok", "fail", "skip"):
            raise ScenarioError(f"{where}: expect WHERE ktap GROUP|all ok|fail|skip")


def expects(text: str, origin: str) -> list[Expect]:
    """The Expect of each line "WHERE KIND ARGS... -- SENTENCE" of TEXT
    (blank lines and # comments aside): expectations kept outside a
    scenario file, ORIGIN naming them in an error."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            left, _, sentence = line.partition(" -- ")
            out.append(Expect(shlex.split(left), sentence.strip(), f"{origin}:{n}"))
    return out


class Metric:
    """One line "metric NAME WHERE REGEX UNIT lower|higher [fences=C,C]
    [ops=OPS] [warmup=N]": a figure make bench reads from a console."""

    def __init__(self, words, where):
        if len(words) < 5 or words[4] not in ("lower", "higher"):
            raise ScenarioError(f"{where}: metric NAME WHERE REGEX UNIT lower|higher [KEY=VALUE...]")
        self.name, self.where, self.regex, self.unit, self.better = words[:5]
        opts = dict(w.split("=", 1) for w in words[5:] if "=" in w)
        if len(opts) != len(words) - 5 or not set(opts) <= {"fences", "ops", "warmup"}:
            raise ScenarioError(f"{where}: metric options are fences=, ops=, warmup=")
        self.fences = opts.get("fences", "").split(",") if opts.get("fences") else []
        self.ops = opts.get("ops", "1")
        self.warmup = int(opts.get("warmup", "0"))
        self.line = where
        try:
            re.compile(self.regex)
        except re.error as e:
            raise ScenarioError(f"{where}: metric {self.name}: {e}") from None

    def same_measure(self) -> tuple:
        """What must agree between the sides of a comparison."""
        return (self.regex, self.unit, self.better, self.ops, tuple(self.fences))


class Compare:
    """One line "compare METRIC SCENARIO... -- TITLE" of a scenario: its
    METRIC against the same metric of the other SCENARIOs (make bench)."""

    def __init__(self, owner: str, words: list[str], title: str, where: str) -> None:
        if len(words) < 2 or not title:
            raise ScenarioError(f"{where}: compare METRIC SCENARIO... -- TITLE")
        self.metric, self.scenarios, self.title = words[0], [owner] + words[1:], title
        self.line = where
        self.sides: list[Scenario] = []  # the scenarios, loaded by comparisons()


def _lines(path, seen=()):
    """(where, depth, text) of PATH's lines, includes read in their place;
    DEPTH counts the includes a line is read through."""
    if path in seen:
        raise ScenarioError(f"{path}: includes itself")
    try:
        with open(path) as f:
            raw = f.read().splitlines()
    except OSError as e:
        raise ScenarioError(f"{path}: {e.strerror}") from None
    for n, text in enumerate(raw, 1):
        line = text.strip()
        if not line or line.startswith("#"):
            continue
        if line.split()[0] == "include":
            words = line.split()
            if len(words) != 2:
                raise ScenarioError(f"{path}:{n}: include NAME")
            for where, depth, text in _lines(os.path.join(os.path.dirname(path),
                                                          words[1] + ".inc"), seen + (path,)):
                yield where, depth + 1, text
        else:
            yield f"{path}:{n}", 0, line


class Scenario:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.conf = dict(DEFAULTS)
        self.steps, self.expects, self.shows = [], [], []
        self.metrics, self.compares = {}, []
        self._depth = {}        # what set a key, define or metric: how deep
        lines = list(_lines(path))
        defines = {}
        for where, depth, line in lines:
            if line.split()[0] == "define":
                words = line.split(None, 2)
                if len(words) != 3:
                    raise ScenarioError(f"{where}: define NAME VALUE")
                if self._wins("$" + words[1], depth):
                    defines[words[1]] = words[2]
        self._depth = {k: v for k, v in self._depth.items() if not k.startswith("$")}
        for where, depth, line in lines:
            if line.split()[0] != "define":
                self._read(where, depth, self._expand(line, defines, where))
        for k in ("kernel", "timeout", "cpu"):
            if k not in self.conf:
                raise ScenarioError(f"{path}: no '{k}' line")
        if not self.steps:
            raise ScenarioError(f"{path}: no step")
        if self.conf["kit"] not in ("yes", "no"):
            raise ScenarioError(f"{path}: kit is yes or no")
        if self.conf["modules"] not in MODULES:
            raise ScenarioError(f"{path}: modules is debian (Debian's kvm.ko) or package "
                                "(svvptc-kvm-dkms's), not '{self.conf['modules']}'")
        if bool(self.conf["modules"]) != (self.conf["kernel"] == "debian"):
            raise ScenarioError(f"{path}: kernel debian, and only it, takes a modules line")

    @staticmethod
    def _expand(line, defines, where):
        def value(m):
            name = m.group(1) or m.group(2)
            if name not in defines:
                raise ScenarioError(f"{where}: ${name} is not defined")
            return defines[name]
        return VAR.sub(value, line)

    def _wins(self, name, depth):
        """A line DEPTH includes deep may set NAME: nothing shallower did."""
        if depth > self._depth.get(name, depth):
            return False
        self._depth[name] = depth
        return True

    def _read(self, where, depth, line):
        left, _, sentence = line.partition(" -- ")
        sentence = sentence.strip()
        try:
            words = shlex.split(left)
        except ValueError as e:
            raise ScenarioError(f"{where}: {e}") from None
        key, rest = words[0], words[1:]
        if key in KEYS and len(rest) == 1:
            if self._wins(key, depth):
                self.conf[key] = rest[0]
        elif key == "step" and rest:
            fields = rest[0].split(P.ARG_SEP)
            if fields[0] == "migrate" and (len(fields) != 5 or fields[4] not in MIGRATE_QEMUS):
                raise ScenarioError(f"{where}: '{rest[0]}' is not migrate:KERNEL:MACHINE:MEM:QEMU "
                                    f"(QEMU one of {', '.join(MIGRATE_QEMUS)})")
            self.steps.append((rest[0], rest[1:]))
        elif key == "expect":
            self.expects.append(Expect(rest, sentence, where))
        elif key == "show" and len(rest) == 2 and sentence:
            self.shows.append((rest[0], rest[1], sentence))
        elif key == "metric":
            m = Metric(rest, where)
            if self._wins("metric " + m.name, depth):
                self.metrics[m.name] = m
        elif key == "compare":
            self.compares.append(Compare(self.name, rest, sentence, where))
        else:
            raise ScenarioError(f"{where}: cannot read '{line}' (see {SCENARIOS}/README)")

    def __getitem__(self, key):
        return self.conf[key]

    def label(self) -> str:
        return self.conf.get("label", self.name)

    def l2_kernels(self) -> list[str]:
        """The L2 kernels the steps boot (l2:KERNEL, migrate:KERNEL:...), once each."""
        return list(dict.fromkeys(s.split(P.ARG_SEP)[1] for s, _ in self.steps
                                  if s.startswith(L2_STEPS)))

    def sid_qemu(self) -> bool:
        """Whether a migrate step migrates with Debian unstable's QEMU."""
        return any(s.startswith("migrate:") and s.split(P.ARG_SEP)[4] == "sid"
                   for s, _ in self.steps)

    def run(self, steps: str | None = None) -> str:
        """The svt.run= value: the steps, an L2 step with its machine and
        its own steps ('+' and '/' stand for ',' and ':' one level down;
        protocol.h)."""
        if steps:
            return steps
        out = []
        for step, inner in self.steps:
            if step.startswith(L2_STEPS):
                mem = [] if step.startswith("migrate:") else [self["l2-mem"]]
                step = P.ARG_SEP.join([step, self["l2-cpu"], self["l2-smp"], *mem,
                                       P.L2_STEP_SEP.join(s.replace(P.ARG_SEP, P.L2_ARG_SEP)
                                                          for s in inner)])
            out.append(step)
        return P.STEP_SEP.join(out)

    def cmdline(self, steps: str | None = None) -> str:
        """The L1 kernel's command line: the console, the append line's
        words, svt.l2-machine= (when not virt) and svt.run=."""
        l2m = self["l2-machine"]
        return " ".join(w for w in ("console=ttyS0 panic=-1", self["append"],
                                    "" if l2m == "virt" else f"svt.l2-machine={l2m}",
                                    f"{P.RUN_KEY}={self.run(steps)}") if w)


def load(name: str, directory: str = SCENARIOS) -> "Scenario":
    path = name if os.sep in name else os.path.join(directory, name)
    if not os.path.isfile(path):
        raise ScenarioError(f"no scenario '{name}' in {directory}")
    return Scenario(path)


def names(suites: list[str] | None = None, directory: str = SCENARIOS) -> list[str]:
    """The scenarios (of SUITES, a list), in name order; not README and
    not the include files."""
    out = []
    for n in sorted(os.listdir(directory)):
        if n == "README" or n.startswith(".") or n.endswith(".inc"):
            continue
        if suites is None or load(n, directory)["suite"] in suites:
            out.append(n)
    return out


def comparisons(directory: str = SCENARIOS) -> list[Compare]:
    """Every compare line of the bench scenarios, checked: each side has
    the metric, and its regex, unit, direction, operations and fence
    counters are those of the first side (or the line that differs is
    named)."""
    out = []
    for n in names(["bench"], directory):
        for c in load(n, directory).compares:
            sides = [load(s, directory) for s in c.scenarios]
            first = None
            for sc in sides:
                if sc["suite"] != "bench":
                    raise ScenarioError(f"{c.line}: {sc.name} is not a bench scenario")
                m = sc.metrics.get(c.metric)
                if m is None:
                    raise ScenarioError(f"{c.line}: {sc.name} has no metric {c.metric}")
                if first is None:
                    first = m
                elif m.same_measure() != first.same_measure():
                    raise ScenarioError(
                        f"{m.line}: metric {c.metric} of {sc.name} does not measure what "
                        f"{first.line} does (regex, unit, direction, ops, fences must agree)")
            c.sides = sides
            out.append(c)
    return out
