# SPDX-License-Identifier: GPL-2.0
"""What the unit tests share: the recorded consoles and scenario files of
tools/runner/testdata/, and scratch scenario files."""
import os
import tempfile

from svt import scenario

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testdata")
HEAD = "kernel tip\ntimeout 300\ncpu rv64\nstep cpuinfo\n"


def data(name):
    return os.path.join(DATA, name)


class Scratch:
    """A directory of scenario files made from text (with Scratch(...) as d:
    d.write(NAME, TEXT); d.load(NAME))."""

    def __enter__(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        return self

    def __exit__(self, *exc):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def load(self, name):
        return scenario.load(os.path.join(self.dir, name))
