# SPDX-License-Identifier: GPL-2.0
"""Running the host scripts and git for the runner: a failed build or
fetch is a BuildError, its script's output on our stderr (make check's
stdout stays KTAP)."""
from __future__ import annotations

import os
import subprocess
import sys


class BuildError(Exception):
    """A build or fetch that failed; the script said why on stderr."""


def run(cmd: list[str], env: dict[str, str] | None = None, capture: bool = False,
        cwd: str | None = None) -> str:
    """Run CMD with its stdout on our stderr (or captured and returned)."""
    full = dict(os.environ, **(env or {}))
    r = subprocess.run(cmd, env=full, cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE if capture else sys.stderr.fileno(), text=True)
    if r.returncode:
        raise BuildError(f"{os.path.basename(cmd[0])} {' '.join(cmd[1:3])}... "
                         f"failed (exit {r.returncode})")
    return r.stdout if capture else ""


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], capture_output=True,
                          text=True).stdout.strip()

