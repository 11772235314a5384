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
    """What git -C REPO ARGS printed, stripped; a BuildError with git's
    own words when it fails."""
    r = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True)
    if r.returncode:
        raise BuildError(f"git -C {repo} {' '.join(args)}: "
                         f"{(r.stderr.strip() or f'exit {r.returncode}').splitlines()[-1]}")
    return r.stdout.strip()


def git_probe(repo: str, *args: str) -> str:
    """git(), for a question whose answer may be no (a ref that may not
    exist, a directory that may not be a repository): "" when git fails."""
    try:
        return git(repo, *args)
    except BuildError:
        return ""

