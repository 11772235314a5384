# SPDX-License-Identifier: GPL-2.0
"""LAVA's jobs, run as a lab runs them (make lava, and the lava group of
make check, which judges them: lava.py).

The project's LAVA files are in lava/ (lava/README): the kit's test
definition in Linaro test-definitions' layout (automated/linux/svvptc-kit/,
with the sh-test-lib and send-to-lava.sh it uses), a job for LAVA's qemu
device type that runs it through lava-test-shell (svvptc-kit-qemu.yaml),
a board job (svvptc-kit-board.yaml) and a lab's plain qemu device
(qemu-01.jinja2). LAVA itself is Debian 12's, fetched and unpacked by
tools/host/lava.sh; tools/host/lava-job.py runs LAVA's own code on them.

The qemu job runs as a lab runs it: lava-run downloads the kernel, the
board ramdisk (ramdisk() below: busybox's init, getty and login, Debian
13's bash as root's shell, Debian 13's QEMU) and the kit over http from a
server on 127.0.0.1, appends its overlay and the kit to the ramdisk,
clones the test definition from a git repository of this tree served
there too, logs in and runs the definition's steps under bash. It runs on
the patched kernel (the tip) and on stock 6.12 (the base); each run is
kept under the freshness rule, keyed by what it reads (this module, not
the judging), so make lava and make check share one.
"""
from __future__ import annotations

import functools
import http.server
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from typing import TYPE_CHECKING

from . import initramfs, kit, state
from .proc import BuildError, run
from .state import HOST, TOP, File

if TYPE_CHECKING:
    from .build import Builder

LAVA = os.path.join(TOP, "lava")
JOB = os.path.join(LAVA, "svvptc-kit-qemu.yaml")
BOARD_JOB = os.path.join(LAVA, "svvptc-kit-board.yaml")
DEFINITION = os.path.join(LAVA, "automated", "linux", "svvptc-kit")
TESTDEF = os.path.join(DEFINITION, "svvptc-kit.yaml")
TO_RESULTS = os.path.join(DEFINITION, "ktap-to-result.sh")
DEVICE = os.path.join(LAVA, "qemu-01.jinja2")
SCRIPT = os.path.join(HOST, "lava-job.py")
HOSTNAME = "svvptc-board"
# The kernels the qemu job boots: (directory, kernel, what it is).
KERNELS = (("patched", "tip", "the patched 6.12 kernel"),
           ("stock", "base", "stock 6.12"))


def tools(b: Builder) -> str:
    """BUILD/lava: Debian's LAVA (lava.sh)."""
    d = b.p.lava_tools
    return state.Target(d, "lava", File(os.path.join(HOST, "lava.sh"))).make(
        lambda: run([os.path.join(HOST, "lava.sh"), d]))


def templates(d: str) -> str:
    return os.path.join(d, "root", "usr", "share", "lava-server", "device-types")


def job(d: str, *args: str) -> str:
    r = subprocess.run([os.path.join(d, "python"), SCRIPT, *args], capture_output=True,
                       text=True, cwd=TOP)
    if r.returncode:
        raise BuildError(f"lava-job.py {args[0]} failed: {r.stderr.strip()[-300:]}")
    return r.stdout

# ---- what the qemu job deploys ----

_INITTAB = """\
# busybox init: the board ramdisk of lava/svvptc-kit-qemu.yaml
::sysinit:/etc/init.d/rcS
ttyS0::respawn:/usr/bin/getty -L 115200 ttyS0 vt100
::shutdown:/usr/bin/umount -a -r
"""
_RCS = f"""\
#!/bin/sh
# The board ramdisk's start: busybox's commands, the file systems, the
# host name that getty's login prompt shows.
/usr/bin/busybox --install -s /usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
hostname {HOSTNAME}
"""
_PROFILE = """\
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PS1='\\u@\\h:\\w\\$ '
"""
_OS_RELEASE = """\
PRETTY_NAME="svvptc-kvm board ramdisk (busybox, Debian 13 riscv64 bash and QEMU)"
NAME="svvptc-kvm board ramdisk"
ID=svvptc-board
ID_LIKE=debian
"""


def ramdisk(b: Builder) -> str:
    """WORK/lava/ramdisk.cpio.gz: a board's root file system as small as
    the kit allows. busybox (Debian's busybox-static) is init, getty,
    login and the commands; root logs in without a password to Debian
    13's bash, as on a Debian board; Debian 13's loader and libraries
    are the system's (/usr/lib/riscv64-linux-gnu), so bash and
    qemu-system-riscv64 run as installed. All of it is vmm.sh's /vmm."""
    vmm = b.vmm()
    d = b.p.lava
    out = os.path.join(d, "ramdisk.cpio.gz")
    target = state.Target(out, "lava ramdisk", state.made(vmm), File(__file__))
    if target.fresh():
        return out
    os.makedirs(d, exist_ok=True)
    target.stale()
    etc = os.path.join(d, "ramdisk-etc")
    shutil.rmtree(etc, ignore_errors=True)
    os.makedirs(os.path.join(etc, "init.d"))
    for name, text, mode in (("inittab", _INITTAB, 0o644), ("init.d/rcS", _RCS, 0o755),
                             ("profile", _PROFILE, 0o644), ("os-release", _OS_RELEASE, 0o644),
                             ("hostname", HOSTNAME + "\n", 0o644),
                             ("passwd", "root::0:0:root:/root:/bin/bash\n", 0o644),
                             ("group", "root:x:0:\n", 0o644)):
        with open(os.path.join(etc, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(etc, name), mode)
    loader = "ld-linux-riscv64-lp64d.so.1"
    entries: list[initramfs.Entry] = [
        ("dev", None), ("dev/console", initramfs.Char((5, 1))), ("proc", None),
        ("sys", None), ("tmp", None), ("root", None), ("run", None), ("srv", None),
        ("usr", None), ("usr/bin", None), ("usr/lib", None),
        ("usr/lib/riscv64-linux-gnu", initramfs.Link("/vmm/lib")),
        (f"usr/lib/{loader}", initramfs.Link(f"/vmm/lib/{loader}")),
        ("usr/sbin", initramfs.Link("bin")), ("bin", initramfs.Link("usr/bin")),
        ("sbin", initramfs.Link("usr/bin")), ("lib", initramfs.Link("usr/lib")),
        ("usr/bin/busybox", initramfs.Link("/vmm/bin/busybox")),
        ("usr/bin/sh", initramfs.Link("busybox")),
        ("usr/bin/bash", initramfs.Link("/vmm/bin/bash")),
        ("usr/bin/timeout", initramfs.Link("/vmm/bin/timeout")),
        ("usr/bin/qemu-system-riscv64", initramfs.Link("/vmm/bin/qemu-system-riscv64")),
        ("init", initramfs.Link("/usr/bin/busybox"))]
    entries += initramfs.tree(etc, "etc") + initramfs.tree(os.path.join(vmm, "vmm"), "vmm")
    initramfs.write(out, entries)
    target.done()
    return out

GIT_BACKEND = "/usr/lib/git-core/git-http-backend"


def repository(out: str) -> str:
    """OUT: a bare git repository of this tree as it is in the work tree
    (its files that git does not ignore, as they are now; one commit)."""
    files = subprocess.run(["git", "-C", TOP, "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], capture_output=True,
                           check=True).stdout.decode().split("\0")
    shutil.rmtree(out, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tree:
        for f in files:
            src = os.path.join(TOP, f)
            if f and os.path.isfile(src):
                os.makedirs(os.path.dirname(os.path.join(tree, f)), exist_ok=True)
                shutil.copy2(src, os.path.join(tree, f))
        env = dict(os.environ, GIT_AUTHOR_NAME="make lava", GIT_COMMITTER_NAME="make lava",
                   GIT_AUTHOR_EMAIL="make-lava@localhost", GIT_COMMITTER_EMAIL="make-lava@localhost",
                   GIT_AUTHOR_DATE="@0 +0000", GIT_COMMITTER_DATE="@0 +0000")
        for cmd in (["init", "-q", "-b", "main"], ["add", "-A", "-f"],
                    ["commit", "-q", "-m", "svvptc-kvm as make lava found it"]):
            subprocess.run(["git", "-C", tree, *cmd], env=env, check=True, capture_output=True)
        subprocess.run(["git", "clone", "-q", "--bare", tree, out], check=True,
                       capture_output=True)
    return out


class _Handler(http.server.CGIHTTPRequestHandler):
    """Files, and git's smart http through git-http-backend as a CGI
    program (/cgi-bin/git/REPO.git): LAVA clones a test definition's
    repository with --depth=1, which git's dumb http cannot serve. The
    CGI program runs by subprocess, not fork: the server is a thread."""
    have_fork = False

    def log_message(self, *args):
        pass


class Server:
    """An http server on 127.0.0.1 (a free port) for DIRECTORY, in a thread,
    while the with block runs: .url is its address, .git the address of
    the git repositories in DIRECTORY."""

    def __init__(self, directory):
        cgi = os.path.join(directory, "cgi-bin")
        os.makedirs(cgi, exist_ok=True)
        # git-http-backend with its environment: the CGI's own, not the
        # runner's (the other threads' programs never see it).
        with open(os.path.join(cgi, "git"), "w") as f:
            f.write("#!/bin/sh\n# git's smart http for the repositories beside cgi-bin/\n"
                    f"GIT_PROJECT_ROOT={shlex.quote(directory)} GIT_HTTP_EXPORT_ALL=1 "
                    f"exec {GIT_BACKEND}\n")
        os.chmod(os.path.join(cgi, "git"), 0o755)
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Handler, directory=directory))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.git = f"{self.url}/cgi-bin/git"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _lava_run(d, out, job_id):
    """lava-run on OUT/job.yaml and OUT/device.yaml, its log in
    OUT/lava.log; the cases it recorded in OUT/results.tsv, the board's
    console in OUT/console.log."""
    with open(os.path.join(out, "lava.log"), "w") as log:
        try:
            subprocess.run([os.path.join(d, "lava-run"), "--job-id", str(job_id), "--output-dir",
                            os.path.join(out, "output"), "--device",
                            os.path.join(out, "device.yaml"), os.path.join(out, "job.yaml")],
                           stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                           timeout=1800)
        except subprocess.TimeoutExpired:
            log.write("make lava: lava-run killed after 1800 s\n")
    with open(os.path.join(out, "results.tsv"), "w") as f:
        f.write(job(d, "results", os.path.join(out, "lava.log")))
    with open(os.path.join(out, "console.log"), "w") as f:
        f.write(job(d, "console", os.path.join(out, "lava.log")))


def jobs(b: Builder) -> dict[str, str]:
    """The qemu job run by lava-run on each of KERNELS, or kept from the
    last run on the same inputs: {which: WORK/lava/WHICH}, each with
    job.yaml, device.yaml, lava.log, results.tsv and console.log."""
    d = tools(b)
    disk, tar = ramdisk(b), kit.build(b)
    www = os.path.join(b.p.lava, "www")
    done = {}
    todo = []
    for job_id, (which, kernel, title) in enumerate(KERNELS, 1):
        image = b.kernel_named(kernel)[0]
        out = os.path.join(b.p.lava, which)
        target = state.Target(out, "lava job", which, File(image), File(disk), File(tar),
                              File(JOB), File(DEVICE), File(os.path.join(LAVA, "automated")),
                              state.made(d), File(SCRIPT), File(__file__),
                              state.version("qemu-system-riscv64", "--version"))
        done[which] = out
        if target.fresh():
            print(f"  REUSE   lava {which}: the same job, kernel, ramdisk, kit and LAVA "
                  f"({out}/lava.log)", file=sys.stderr)
        else:
            todo.append((job_id, which, image, title, out, target))
    if not todo:
        return done
    shutil.rmtree(www, ignore_errors=True)
    os.makedirs(www)
    os.symlink(disk, os.path.join(www, "ramdisk.cpio.gz"))
    os.symlink(tar, os.path.join(www, os.path.basename(tar)))
    repository(os.path.join(www, "svvptc-kvm.git"))
    with Server(www) as server:
        for job_id, which, image, title, out, target in todo:
            target.stale()
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(os.path.join(www, which))
            os.makedirs(out)
            os.symlink(image, os.path.join(www, which, "Image"))
            job(d, "prepare", JOB, f"svvptc kit on {title} (qemu riscv64, TCG)", server.url,
                 f"{server.git}/svvptc-kvm.git", which, DEVICE, templates(d), out)
            print(f"  LAVA    {which}: lava-run {out}/job.yaml, files from {server.url} "
                  f"(log: {out}/lava.log)", file=sys.stderr)
            _lava_run(d, out, job_id)
            target.done()
    return done


def recorded(out: str) -> tuple[str, dict[str, tuple[str, str, str]]]:
    """(the job's result, {case: (result, measurement, units)}) of a run."""
    job, cases = "no result", {}
    with open(os.path.join(out, "results.tsv")) as f:
        for line in f:
            case, result, measurement, units = (line.rstrip("\n").split("\t") + ["", ""])[:4]
            if case == "job":
                job = result
            else:
                cases[case] = (result, measurement, units)
    return job, cases


def console(out: str) -> list[str]:
    """The board's console lines in the job of OUT."""
    with open(os.path.join(out, "console.log"), errors="replace") as f:
        return f.read().splitlines()

