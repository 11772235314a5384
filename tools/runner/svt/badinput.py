# SPDX-License-Identifier: GPL-2.0
"""make check's group on bad input: how prepare-tree.sh treats a user's
tree (KERNEL_SRC). The user trees are small git repositories holding the
files the series touches, copied from the 6.12 base, so no kernel is
checked out twice; each run of prepare-tree.sh gets a scratch WORK."""
from __future__ import annotations

import os
import subprocess
import tempfile

from .proc import git, git_probe
from .series import series, touched
from .ktap import Result
from .state import HOST, PATCHES

PREPARE = os.path.join(HOST, "prepare-tree.sh")
USER = ["-c", "user.name=u", "-c", "user.email=u@localhost"]


def _prepare(scratch, tree, name):
    """(exit status, stderr) of prepare-tree.sh on KERNEL_SRC=TREE."""
    r = subprocess.run([PREPARE, os.path.join(scratch, "work-" + name), PATCHES],
                       env=dict(os.environ, KERNEL_SRC=tree), capture_output=True, text=True)
    return r.returncode, r.stderr


def _state(repo):
    """Everything a user would notice changing in their repository."""
    return [git_probe(repo, *a) for a in (["symbolic-ref", "-q", "HEAD"], ["rev-parse", "HEAD"],
                                    ["status", "--porcelain"], ["for-each-ref"],
                                    ["worktree", "list", "--porcelain"], ["stash", "list"])]


def _user_tree(scratch, repo, base, name):
    """A small user tree: the series' files at the base, on the user's
    branch my-feature, with uncommitted work of their own (NOTES)."""
    t = os.path.join(scratch, name)
    os.makedirs(t)
    git(t, "init", "-q", "-b", "my-feature")
    for f in ["Makefile"] + touched():
        text = subprocess.run(["git", "-C", repo, "show", f"{base}:{f}"],
                              capture_output=True).stdout
        if not text:        # a file the series creates is not in the base
            continue
        os.makedirs(os.path.join(t, os.path.dirname(f)), exist_ok=True)
        with open(os.path.join(t, f), "wb") as out:
            out.write(text)
    git(t, "add", "-A")
    git(t, *USER, "commit", "-q", "-m", "user base")
    with open(os.path.join(t, "NOTES"), "w") as f:
        f.write("work in progress\n")
    return t


def _edit(tree, path, old, new, message):
    p = os.path.join(tree, path)
    with open(p) as f:
        text = f.read()
    with open(p, "w") as f:
        f.write(text.replace(old, new, 1))
    git(tree, *USER, "commit", "-q", "-am", message)


def one_line(rc: int, err: str, words: str) -> bool:
    return rc != 0 and len(err.strip().splitlines()) == 1 and words in err


def results(repo: str, base: str) -> list[Result]:
    """The group's results; the user trees are copied from BASE in REPO."""
    out = []
    with tempfile.TemporaryDirectory() as scratch:
        r = subprocess.run([PREPARE], capture_output=True, text=True)
        out.append(Result(one_line(r.returncode, r.stderr, "prepare-tree.sh: usage: "),
                          "a script run without its arguments: its usage in one line, "
                          "non-zero exit", r.stderr))
        rc, err = _prepare(scratch, "/nonexistent/linux", "nodir")
        out.append(Result(one_line(rc, err, "KERNEL_SRC"),
                          "KERNEL_SRC that does not exist: one-line error, non-zero exit", err))
        os.makedirs(os.path.join(scratch, "notgit"))
        rc, err = _prepare(scratch, os.path.join(scratch, "notgit"), "notgit")
        out.append(Result(one_line(rc, err, "not a git tree"),
                          "KERNEL_SRC that is not a git tree: one-line error, non-zero exit", err))

        t = _user_tree(scratch, repo, base, "old")
        _edit(t, "Makefile", "\nPATCHLEVEL = 12\n", "\nPATCHLEVEL = 6\n", "6.6")
        rc, err = _prepare(scratch, t, "old")
        out.append(Result(one_line(rc, err, "series is for 6.12.y"),
                          "KERNEL_SRC that is not 6.12.y: one-line error, non-zero exit", err))

        # Patch 2 cannot apply: the user's tree lists SVNAPOT differently.
        t = _user_tree(scratch, repo, base, "conflict")
        _edit(t, "arch/riscv/kvm/vcpu_onereg.c", "\tcase KVM_RISCV_ISA_EXT_SVNAPOT:\n",
              "\tcase KVM_RISCV_ISA_EXT_SVNAPOT: /* local change */\n", "local change")
        before = _state(t)
        rc, err = _prepare(scratch, t, "conflict")
        second = os.path.basename(series()[1])
        out.append(Result(rc != 0 and f"patch {second} does not apply" in err,
                          "a patch that does not apply is named and the run fails", err))
        out.append(Result("git am --abort done" in err,
                          "after a failed patch, git am --abort runs", err))
        out.append(Result(before == _state(t), "after a failed patch, the user's branch, HEAD, "
                          "files, refs and worktrees are as they were", "they changed"))

        t = _user_tree(scratch, repo, base, "good")
        before = _state(t)
        rc, err = _prepare(scratch, t, "good")
        wt = os.path.join(scratch, "work-good", "src")
        n = len(series())
        count = git(wt, "rev-list", "--count", "HEAD", "^" + git(t, "rev-parse", "HEAD"))
        out.append(Result(rc == 0 and count == str(n),
                          f"a 6.12.y KERNEL_SRC gets the series in a worktree of its own "
                          f"({n} commits)", err or f"{count} commits"))
        out.append(Result(git(t, "symbolic-ref", "HEAD") == "refs/heads/my-feature" and
                          git(t, "status", "--porcelain") == "?? NOTES" and
                          _state(t)[1] == before[1] and _state(t)[3] == before[3],
                          "a KERNEL_SRC run leaves the user's branch, HEAD and files alone",
                          "they changed"))
    return out
