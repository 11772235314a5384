# SPDX-License-Identifier: GPL-2.0
"""The scheduler (svt/schedule.py) on small tables of tasks that record
when they ran: needs first, in lanes, a stopped task skipped with the
reason, a failure kept, a table it refuses."""
import threading
import time
import unittest

from svt.schedule import Scheduler, Task, check, closure


class Log:
    """Tasks that append their names to one list as they run."""

    def __init__(self):
        self.order, self.lock = [], threading.Lock()

    def task(self, name, needs=(), lane="main", stop=(), value=None, sleep=0.0, raises=None,
             fails=lambda v: ""):
        def fn():
            time.sleep(sleep)
            with self.lock:
                self.order.append(name)
            if raises:
                raise raises
            return value
        return Task(name, fn, needs, lane, stop, fails)


class Scheduling(unittest.TestCase):
    def test_needs_first(self):
        """a task runs after what it needs, even when its lane lists it first, and a
        lane runs the next ready task meanwhile"""
        log = Log()
        tasks = [log.task("boot", ("kernel",)), log.task("judge other"),
                 log.task("kernel", lane="idle", sleep=0.2)]
        Scheduler(tasks).run()
        self.assertLess(log.order.index("kernel"), log.order.index("boot"))
        self.assertEqual(log.order[0], "judge other")

    def test_lanes_run_side_by_side(self):
        """tasks of two lanes overlap: each lane is a thread"""
        log = Log()
        start = time.monotonic()
        Scheduler([log.task("a", sleep=0.3), log.task("b", lane="fetch", sleep=0.3)]).run()
        self.assertLess(time.monotonic() - start, 0.55)
        self.assertEqual(sorted(log.order), ["a", "b"])

    def test_a_failed_stop_skips_with_the_reason(self):
        """a task whose stop need failed does not run and says why; one that only needs
        it runs"""
        log = Log()
        tasks = [log.task("series", value=[False], fails=lambda v: "does not apply"),
                 log.task("patches", ("series",), stop=("series",)),
                 log.task("selftest", ("series",))]
        Scheduler(tasks).run()
        self.assertEqual(log.order, ["series", "selftest"])
        self.assertEqual((tasks[0].failed, tasks[1].skipped), ("does not apply", "does not apply"))

    def test_an_exception_is_the_task_s_failure(self):
        """FN raising is the task's failure with its reason; what needs it still runs"""
        log = Log()
        tasks = [log.task("vmm", raises=OSError("no network")), log.task("inputs", ("vmm",))]
        ends = []
        Scheduler(tasks, ends.append).run()
        self.assertEqual(tasks[0].failed, "OSError: no network")
        self.assertEqual(log.order, ["vmm", "inputs"])
        self.assertEqual([t.name for t in ends], ["vmm", "inputs"])

    def test_a_report_that_raises(self):
        """ON_END raising does not stop the lane: every task still runs and ends"""
        log = Log()
        tasks = [log.task("a"), log.task("b", ("a",)), log.task("c", lane="fetch")]

        def broken(task):
            raise OSError("gone")
        Scheduler(tasks, broken).run()
        self.assertEqual(sorted(log.order), ["a", "b", "c"])
        self.assertTrue(all(t.ended.is_set() for t in tasks))

    def test_a_table_it_refuses(self):
        """two tasks of one name, a need no task is, tasks that need each other, a lane
        that does not exist"""
        log = Log()
        for tasks, says in (([log.task("a"), log.task("a")], "two tasks named 'a'"),
                            ([log.task("a", ("b",))], "needs 'b', which no task is"),
                            ([log.task("a", ("b",)), log.task("b", ("a",))], "need each other")):
            with self.assertRaises(ValueError) as e:
                check(tasks)
            self.assertIn(says, str(e.exception))
        with self.assertRaises(ValueError):
            Task("a", lambda: None, lane="gpu")

    def test_closure(self):
        """the tasks a group needs, through every need, and nothing else"""
        log = Log()
        by = {t.name: t for t in (log.task("a", ("b",)), log.task("b", ("c",)), log.task("c"),
                                  log.task("d"))}
        self.assertEqual(closure(by, ["a"]), {"a", "b", "c"})


if __name__ == "__main__":
    unittest.main()
