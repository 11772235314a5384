# SPDX-License-Identifier: GPL-2.0
"""make check: one KTAP document (ktap.py), a subtest per group, each
group a task of the scheduler (schedule.py) that names what it needs.

  series, patches, maintainers, builds, inputs, distro, package
             the builds' groups (groups.py): the series applies, each
             patch's form, MAINTAINERS, every commit builds, the fetched
             inputs, the series with Debian's config, svvptc-kvm-dkms
             through a Debian 13 host's apt life (package.py)
  kit        make kit's tarball (kit.py)
  sanitizer build
             the tip with KASAN, UBSAN and lockdep (groups.py)
  scenario NAME
             every scenario of suites main and check, each judged
             (judge.py) once its boot has run
  lava       lava/ against LAVA's own schemas, the test definition's
             steps under bash and dash, and the qemu job run by Debian's
             lava-run through lava-test-shell on the patched and the
             stock kernel, the kit judged from its console (lava.py)
  bad input  prepare-tree.sh on a user's bad KERNEL_SRC (badinput.py)
  harness selftest
             the runner's unit tests (tools/runner/tests/), no boot

The work under them is tasks too: the fetches and the package's apt life
(lane fetch, nice 19), the sanitizer kernel (lane idle), each boot and
the LAVA jobs (lane main, with the builds and the judging); tasks() is
the whole table. The document is printed in its order as its groups end.
Then the kernel's own kunit.py parse must count it as the run did, and
the last line is "N passed, N failed".
"""
from __future__ import annotations

import sys
import threading
import time

from . import badinput, boot, groups, kit, lava, lavajob, scenario, selftest, state
from .judge import judge
from .ktap import Document, Result, counts_line, kunit_counts
from .proc import BuildError
from .schedule import Scheduler, Task, closure

BUILDS = ["series", "patches", "maintainers", "builds", "inputs", "distro", "package", "kit"]
SELFTEST = "harness selftest (recorded consoles, no boot)"


class Phases:
    """When each task of a make check run ended, counted from its start:
    a line on stderr each ("  PHASE   M:SS what") and the same lines in
    PATH (WORK/check.phases), for whoever times a run."""

    def __init__(self, path):
        self.start, self.path, self.lock = time.monotonic(), path, threading.Lock()
        with open(path, "w"):
            pass

    def __call__(self, task):
        t = int(time.monotonic() - self.start)
        line = f"{t // 60}:{t % 60:02d} {task.name}" + \
            (f" (failed: {task.failed})" if task.failed else "") + \
            (f" (skipped: {task.skipped})" if task.skipped else "")
        with self.lock:
            print(f"  PHASE   {line}", file=sys.stderr)
            with open(self.path, "a") as f:
                f.write(line + "\n")


def ident(group: str) -> str:
    """A group's name on a command line: its words up to a parenthesis,
    joined by '-' ("scenario main": scenario-main)."""
    return "-".join(group.split(" (")[0].split())


def _guarded(group, fn):
    """FN()'s results; an exception is GROUP's failure, with the reason,
    and the document goes on."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - any exception is a failed group
        return [Result(False, f"the {group} group runs to its end", f"{type(e).__name__}: {e}")]


class Suite:
    def __init__(self, builder, reuse=True):
        self.b = builder
        self.p = builder.p
        self.reuse = reuse
        self.scenarios = scenario.names(["main", "check"])

    def groups(self) -> list[str]:
        """Every group of make check, in the document's order."""
        return BUILDS + ["sanitizer build"] + [f"scenario {s}" for s in self.scenarios] + \
            ["lava", "bad input", SELFTEST]

    def _boot(self, name):
        """Boot scenario NAME (its console is its group's to judge)."""
        try:
            boot.boot(self.b, scenario.load(name), reuse=self.reuse)
        except BuildError:
            # Not booted: no console of an earlier boot may stand.
            state.Target(self.p.log(name)).forget()
            raise

    def tasks(self) -> list[Task]:
        """The table: every task of make check, in the order each lane
        prefers (a group's task is named as the group)."""
        b, S = self.b, ("series",)
        fetched = ("vmm", "vmm-sid", "plugin")
        out = [Task("vmm", b.vmm, lane="fetch"),
               Task("vmm-sid", b.vmm_sid, lane="fetch"),
               Task("plugin", b.plugin, lane="fetch"),
               Task("newer", b.newer, lane="fetch"),
               Task("lava tools", lambda: lavajob.tools(b), lane="fetch"),
               Task("package life", b.dkms_host, ("vmm",), "fetch", stop=("vmm",)),
               Task("sanitizer kernel", lambda: groups.sanitizer(b), S, "idle", stop=S),
               Task("series", lambda: groups.series(b),
                    fails=lambda res: "" if res and res[0].ok else "the series does not apply")]
        for g in BUILDS[1:]:
            needs = {"inputs": S + fetched + ("newer",), "distro": S + ("vmm",),
                     "package": S + ("package life",)}.get(g, S)
            fn = kit.results if g == "kit" else getattr(groups, g)
            out.append(Task(g, lambda fn=fn: fn(b), needs, stop=S))
        for s in self.scenarios:
            sc = scenario.load(s)
            needs = S + fetched + (("package life",) if sc["modules"] else ()) + \
                (("sanitizer kernel",) if sc["kernel"] == "sanitizers" else ())
            out.append(Task(f"boot {s}", lambda s=s: self._boot(s), needs, stop=S))
        out.append(Task("lava jobs", lambda: lavajob.jobs(b), S + fetched + ("lava tools",),
                        stop=S))
        out.append(Task("sanitizer build", lambda: self._value("sanitizer kernel"),
                        ("sanitizer kernel",), stop=S))
        for s in self.scenarios:
            out.append(Task(f"scenario {s}", lambda s=s: judge(scenario.load(s), self.p.log(s),
                                                                self.p.kunit_py),
                            (f"boot {s}",), stop=S))
        out += [Task("lava", lambda: lava.results(b), ("lava jobs",), stop=S),
                Task("bad input", lambda: badinput.results(self.p.src, b.state.get("base")),
                     S, stop=S),
                Task(SELFTEST, lambda: selftest.results(self.p.kunit_py), S)]
        return out

    def _value(self, name):
        t = self.by[name]
        return t.value if not t.failed else [Result(False, f"the {name} ran", t.failed)]

    def run(self, only: list[str] | None = None) -> int:
        """make check: every group, or only those ONLY names (as in the
        document, or with '-' for each space: scenario-main, bad-input)
        and what they need, unreported."""
        groups = self.groups()
        ids = {ident(g): g for g in groups}
        unknown = [o for o in only or [] if ident(o) not in ids]
        if unknown:
            print(f"check: no group {unknown[0]!r} (groups: {' '.join(ids)})", file=sys.stderr)
            return 2
        chosen = [g for g in groups if ident(g) in {ident(o) for o in only}] if only else groups
        tasks = self.tasks()
        self.by = {t.name: t for t in tasks}
        keep = closure(self.by, chosen)
        tasks = [t for t in tasks if t.name in keep]
        for t in tasks:
            if t.name in groups:
                fn = t.fn
                t.fn = lambda g=t.name, fn=fn: _guarded(g, fn)
        doc = Document(len(chosen), self.p.check_only_ktap if only else self.p.check_ktap)
        sched = Scheduler(tasks, Phases(self.p.phases))
        runner = threading.Thread(target=sched.run)
        runner.start()
        for g in chosen:
            t = self.by[g]
            t.ended.wait()
            if t.skipped:
                doc.group(g, [], t.skipped)
            else:
                doc.group(g, t.value if t.value is not None else
                          [Result(False, f"the {g} group runs", t.failed)])
        runner.join()
        doc.close()
        return self.finish(doc)

    def finish(self, doc: Document) -> int:
        """kunit.py parse must count the document as this run did."""
        want = doc.counts()
        got = kunit_counts(self.p.kunit_py, doc.path)
        failed = doc.failed
        if got == want:
            print(f"# kunit.py parse {doc.path}: the same totals ({counts_line(want)})")
        else:
            print(f"# kunit.py parse {doc.path} disagrees: it counts "
                  f"{counts_line(got) if got else 'nothing'}, this run {counts_line(want)}")
            failed += 1
        print(f"{doc.passed} passed, {failed} failed")
        return 0 if failed == 0 else 1
