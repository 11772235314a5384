# SPDX-License-Identifier: GPL-2.0
"""The runner's unit tests (tools/runner/tests/, unittest) as results:
one per test, named by the first line of its docstring, a failure with
the assertion's message. They boot nothing and take seconds; the
recorded consoles they judge are in tools/runner/testdata/."""
from __future__ import annotations

import os
import traceback
import unittest

from .ktap import Result

RUNNER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(RUNNER, "tests")


class _Collect(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.out = []

    @staticmethod
    def _name(test):
        """The first paragraph of the test's docstring, on one line."""
        doc = (test._testMethodDoc or "").strip().split("\n\n")[0]
        return " ".join(doc.split()) or test.id()

    def addSuccess(self, test):
        self.out.append(Result(True, self._name(test)))

    def _bad(self, test, err):
        msg = traceback.format_exception_only(err[0], err[1])[-1].strip()
        where = traceback.extract_tb(err[2])[-1]
        self.out.append(Result(False, self._name(test),
                               f"{os.path.basename(where.filename)}:{where.lineno}: {msg}"))

    addFailure = addError = _bad

    def addSkip(self, test, reason):
        self.out.append(Result(True, self._name(test), skip=reason))


def results(kunit_py: str | None = None) -> list[Result]:
    """Run every unit test; KUNIT_PY (the kernel's kunit.py) lets the
    KTAP tests have kunit.py parse count the writer's output."""
    if kunit_py:
        os.environ["SVT_KUNIT_PY"] = kunit_py
    suite = unittest.defaultTestLoader.discover(TESTS, top_level_dir=RUNNER)
    collect = _Collect()
    suite.run(collect)
    return collect.out
