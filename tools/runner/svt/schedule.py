# SPDX-License-Identifier: GPL-2.0
"""make check's scheduler: tasks that name what they need, run in lanes.

A Task is one piece of work (a fetch, a build, a boot, a group's
judgement) with the names of the tasks it needs and the lane it runs in.
Each lane is a thread that runs its tasks one at a time: always the
first of them, in the order given, whose needs are all done, and when
none is, it waits for any task to end. The lanes are what the machine
has to share: "main" (the kernel builds, the boots, the judging),
"fetch" (Debian's archive and the package's apt life, at nice 19) and
"idle" (the sanitizer kernel, which runs its build under SCHED_IDLE).
So a boot whose kernel is not built yet lets the next one go first, and
nothing waits by hand.

A task whose STOP need failed does not run: it ends with that need's
reason (the series that does not apply stops everything built on it).
Any other failure is the task's own: a group turns an exception into a
failed result, and a later task that asks the Builder again meets the
same error and says it.
"""
from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable

LANES = ("main", "fetch", "idle")


class Task:
    """NAME's work FN() in LANE, after the tasks NEEDS names; STOP: the
    needs whose failure skips it. FN's value is kept as .value. A task
    failed when FN raised, or when FAILS(value) says why: .failed is
    the reason. A skipped task has .skipped, the reason of the need
    that stopped it."""

    def __init__(self, name, fn, needs=(), lane="main", stop=(), fails=lambda value: ""):
        if lane not in LANES:
            raise ValueError(f"task {name}: no lane {lane!r} ({', '.join(LANES)})")
        self.name, self.fn, self.needs, self.lane = name, fn, tuple(needs), lane
        self.stop, self.fails = tuple(stop), fails
        self.value, self.failed, self.skipped = None, "", ""
        self.ended = threading.Event()


def closure(tasks: dict[str, Task], names: Iterable[str]) -> set[str]:
    """The tasks of TASKS ({name: Task}) NAMES name, and all they need."""
    out, todo = set(), list(names)
    while todo:
        n = todo.pop()
        if n in out:
            continue
        if n not in tasks:
            raise KeyError(f"no task {n!r}")
        out.add(n)
        todo += tasks[n].needs
    return out


def check(tasks: list[Task]) -> dict[str, Task]:
    """TASKS (a list, in order) as a scheduler can run them: names unique,
    every need a task, no cycle. Raises ValueError saying what is wrong."""
    by = {}
    for t in tasks:
        if t.name in by:
            raise ValueError(f"two tasks named {t.name!r}")
        by[t.name] = t
    for t in tasks:
        for n in t.needs + t.stop:
            if n not in by:
                raise ValueError(f"task {t.name!r} needs {n!r}, which no task is")
    state: dict[str, int] = {}

    def visit(n, path):
        if state.get(n) == 1:
            raise ValueError(f"tasks need each other: {' -> '.join(path + [n])}")
        if state.get(n) == 2:
            return
        state[n] = 1
        for m in by[n].needs:
            visit(m, path + [n])
        state[n] = 2
    for t in tasks:
        visit(t.name, [])
    return by


class Scheduler:
    """Run TASKS (a list, in order: the order each lane prefers) in their
    lanes; ON_END(task) is called as each ends, from its lane's thread."""

    def __init__(self, tasks, on_end=lambda task: None):
        self.by = check(tasks)
        self.tasks = tasks
        self.on_end = on_end
        self.changed = threading.Condition()

    def _ready(self, t):
        return all(self.by[n].ended.is_set() for n in t.needs)

    def _run(self, t):
        stopped = [self.by[n] for n in t.stop if self.by[n].failed or self.by[n].skipped]
        if stopped:
            t.skipped = stopped[0].skipped or stopped[0].failed
        else:
            try:
                t.value = t.fn()
                t.failed = t.fails(t.value)
            except Exception as e:  # noqa: BLE001 - a failed task, said on stderr
                t.failed = f"{type(e).__name__}: {e}"
                print(f"  TASK    {t.name}: {t.failed}", file=sys.stderr)
        t.ended.set()
        try:
            self.on_end(t)
        except Exception as e:  # noqa: BLE001 - the report of an end must not stop the lane
            print(f"  TASK    {t.name}: its end not reported: {type(e).__name__}: {e}",
                  file=sys.stderr)
        with self.changed:
            self.changed.notify_all()

    def _lane(self, lane):
        if lane == "fetch":
            os.nice(19)
        pending = [t for t in self.tasks if t.lane == lane]
        while pending:
            with self.changed:
                ready = [t for t in pending if self._ready(t)]
                if not ready:
                    self.changed.wait(timeout=5)
                    continue
            pending.remove(ready[0])
            self._run(ready[0])

    def run(self) -> None:
        """Every task, each lane in a thread of its own; returns when all
        have ended."""
        threads = [threading.Thread(target=self._lane, args=(lane,), name=f"lane {lane}")
                   for lane in LANES if any(t.lane == lane for t in self.tasks)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        # A lane that stopped (a bug) leaves its tasks failed, not awaited.
        for t in self.tasks:
            if not t.ended.is_set():
                t.failed = "never ran: its lane stopped"
                t.ended.set()
