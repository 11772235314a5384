# SPDX-License-Identifier: GPL-2.0
"""The runner's own Python, read by Debian's checkers (tools/host/deps.sh
installs them): pyflakes3 finds no unused import, undefined name or
redefinition in tools/runner or tools/host/lava-job.py; every public
function of svt/ has type hints, and mypy (python3-mypy, run by Debian's
python3) finds them consistent; no definition there is over 150 lines."""
import ast
import glob
import os
import shutil
import subprocess
import tempfile
import unittest

from svt.state import HOST, TOOLS

SVT = os.path.join(TOOLS, "runner", "svt")


def _mypy_python():
    """A python3 that has mypy: this one, or Debian's."""
    for exe in (shutil.which("python3"), "/usr/bin/python3"):
        if exe and subprocess.run([exe, "-c", "import mypy"], capture_output=True).returncode == 0:
            return exe
    return None


def public(tree):
    """The public functions of a module's TREE: its own, and the methods of
    its public classes (functions inside functions are the code's)."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            yield from (n for n in node.body if isinstance(n, ast.FunctionDef))
        elif isinstance(node, ast.FunctionDef):
            yield node


def unhinted(path):
    """The public functions of PATH without a hint on a parameter (self
    and cls aside) or on the return."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    out = []
    for node in public(tree):
        if not node.name.startswith("_"):
            a = node.args
            params = [p for p in a.posonlyargs + a.args + a.kwonlyargs
                      if p.arg not in ("self", "cls")] + [p for p in (a.vararg, a.kwarg) if p]
            if node.returns is None or any(p.annotation is None for p in params):
                out.append(f"{os.path.basename(path)}:{node.lineno} {node.name}")
    return out


LONGEST = 150


def long_definitions(path):
    """The functions and classes of PATH longer than LONGEST lines."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    return [f"{os.path.basename(path)}:{n.lineno} {n.name} ({n.end_lineno - n.lineno + 1} lines)"
            for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and
            n.end_lineno - n.lineno + 1 > LONGEST]


class Checkers(unittest.TestCase):
    @unittest.skipUnless(shutil.which("pyflakes3"), "no pyflakes3 (Debian's pyflakes3 package; "
                         "make deps installs it)")
    def test_pyflakes(self):
        """pyflakes3 finds nothing in the runner, its unit tests and lava-job.py"""
        r = subprocess.run(["pyflakes3", os.path.join(TOOLS, "runner"),
                            os.path.join(HOST, "lava-job.py")], capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))

    def test_public_functions_have_hints(self):
        """every public function of svt/ has a type hint on each parameter and its return"""
        found = [u for f in sorted(glob.glob(os.path.join(SVT, "*.py"))) for u in unhinted(f)]
        self.assertEqual(found, [])

    def test_no_long_definition(self):
        """no function or class of svt/ is longer than 150 lines: a reader finds one
        thing in one place"""
        found = [d for f in sorted(glob.glob(os.path.join(SVT, "*.py")))
                 for d in long_definitions(f)]
        self.assertEqual(found, [])

    def test_long_is_seen(self):
        """a function of 151 lines is named with its length; one of 150 is not"""
        with tempfile.NamedTemporaryFile("w", suffix=".py") as f:
            f.write("def a():\n" + "    x = 1\n" * 150 + "\n\ndef b():\n" + "    x = 1\n" * 149)
            f.flush()
            self.assertEqual([d.split(" ", 1)[1] for d in long_definitions(f.name)],
                             ["a (151 lines)"])

    def test_unhinted_is_seen(self):
        """a public function or method without hints, and one with a parameter unhinted,
        are named; a private one, a hinted one and a function inside it are not"""
        with tempfile.NamedTemporaryFile("w", suffix=".py") as f:
            f.write("def a(x):\n    pass\n\n\ndef b(x: int, y) -> None:\n    pass\n\n\n"
                    "def _c(x):\n    pass\n\n\ndef d(x: int, *r: str) -> int:\n"
                    "    def inner(y):\n        return y\n    return x\n\n\n"
                    "class E:\n    def f(self, x):\n        pass\n")
            f.flush()
            self.assertEqual([u.split(" ")[1] for u in unhinted(f.name)], ["a", "b", "f"])

    @unittest.skipUnless(_mypy_python(), "no mypy (Debian's python3-mypy package; make deps "
                         "installs it)")
    def test_mypy(self):
        """mypy finds the runner's hints consistent"""
        with tempfile.TemporaryDirectory() as cache:
            r = subprocess.run([_mypy_python(), "-m", "mypy", "--cache-dir", cache,
                                "--no-error-summary", SVT], capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()
