# SPDX-License-Identifier: GPL-2.0
"""make check's groups that judge the builds rather than a boot, each a
function of the Builder that returns its results (suite.py declares what
each needs):

  series       the series applies on the 6.12 base
  patches      each patch's form (checkpatch --strict, in the tree and
               --no-tree; its origin named)
  maintainers  MAINTAINERS covers every file the series touches
  builds       every commit of the series builds
  sanitizer    the tip with KASAN and UBSAN (the sanitizer build group)
  inputs       Debian's QEMU and kernel, the plugin, Debian's newest 6.12.y
  distro       the series with Debian 13's config, W=1, sparse
  package      svvptc-kvm-dkms built without root and through a Debian 13
               host's apt life (package.py judges the life)
"""
from __future__ import annotations

import os
import re
import subprocess
from typing import TYPE_CHECKING

from . import state
from .ktap import Result
from .package import results as package_results
from .proc import BuildError
from .series import series as patch_files, touched
from .state import TOP

if TYPE_CHECKING:
    from .build import Builder


def series(b: Builder) -> list[Result]:
    try:
        b.tree()
        ok, why = True, ""
    except BuildError as e:
        ok, why = False, str(e)
    out = [Result(ok, "the series applies with git am on the 6.12 base", why)]
    if not ok:
        return out
    r = subprocess.run(["git", "-C", b.p.src, "grep", "-q", "RISCV_ISA_EXT_SVVPTC",
                        b.state.get("base"), "--", "arch/riscv/include/asm/pgtable.h",
                        "arch/riscv/mm/pgtable.c"])
    out.append(Result(r.returncode == 0, "6.12 already has the Svvptc fast path for user PTEs "
                      "(update_mmu_cache_range, ptep_set_access_flags)"))
    return out


def _checkpatch(b, patch, cwd, *extra):
    """PATCH's checkpatch --strict findings, run from CWD. A new file
    makes checkpatch ask "does MAINTAINERS need updating?": answered
    instead of ignored, the kernel's own MAINTAINERS must send every
    new file to KVM/riscv. Whether an upstream commit id exists
    (UNKNOWN_COMMIT_ID) only a tree with mainline history can tell;
    the form of the reference (GIT_COMMIT_ID) is checked. The system
    python3 runs scripts/spdxcheck.py (it needs Debian's python3-ply).
    The answer is kept under the freshness rule: the same patch,
    checkpatch.pl, base and options give it again without a run."""
    script = os.path.join(b.p.src, "scripts", "checkpatch.pl")
    kept = os.path.join(b.p.checkpatch, os.path.basename(patch) + "".join(extra))

    def build():
        os.makedirs(os.path.dirname(kept), exist_ok=True)
        found = _run_checkpatch(b, patch, cwd, extra)
        with open(kept, "w") as f:
            f.write(found or "")
    state.Target(kept, "checkpatch", state.File(patch), state.File(script),
                 b.state.get("base"), *extra).make(build)
    with open(kept) as f:
        return f.read() or None


def _run_checkpatch(b, patch, cwd, extra):
    r = subprocess.run([os.path.join(b.p.src, "scripts", "checkpatch.pl"), "--strict",
                        "-q", "--ignore", "UNKNOWN_COMMIT_ID", *extra, patch], cwd=cwd,
                       capture_output=True, text=True,
                       env=dict(os.environ, PATH="/usr/bin:" + os.environ["PATH"]))
    found = [ln for ln in (r.stdout + r.stderr).splitlines()
             if re.match(r"(ERROR|WARNING|CHECK|Traceback)", ln) and ln !=
             "WARNING: added, moved or deleted file(s), does MAINTAINERS need updating?"]
    with open(patch) as f:
        text = f.read()
    for new in re.findall(r"^diff --git a/\S+ b/(\S+)\nnew file mode", text, re.M):
        m = subprocess.run(["./scripts/get_maintainer.pl", "--no-git", "--no-git-fallback",
                            "-f", new], cwd=b.p.src, capture_output=True, text=True).stdout
        if "kvm-riscv@lists.infradead.org" not in m:
            found.append(f"{new}: not covered by the kernel's MAINTAINERS")
    return found[0] if found else None


def patches(b: Builder) -> list[Result]:
    out = []
    for p in patch_files():
        name = os.path.basename(p)
        why = _checkpatch(b, p, b.p.src)
        out.append(Result(why is None, f"checkpatch --strict, in the tree: {name}", why or ""))
        # From outside any git tree, as a tree with mainline history
        # checks the commit references (commit <sha> ("subject")).
        why = _checkpatch(b, p, "/", "--no-tree")
        out.append(Result(why is None, f"checkpatch --strict --no-tree: {name}", why or ""))
        with open(p) as f:
            text = f.read()
        out.append(Result(
            bool(re.search(r'^(commit [0-9a-f]{12,40} \(".+|This patch has no upstream '
                           r'counterpart)', text, re.M)) and
            not re.search(r"^Upstream:", text, re.M),
            f"{name} names its origin (commit <sha> (\"subject\")) or says it has none"))
    return out


def maintainers(b: Builder) -> list[Result]:
    out = []
    for f in touched():
        m = subprocess.run(["./scripts/get_maintainer.pl", "--mpath",
                            os.path.join(TOP, "MAINTAINERS"), "--no-git", "--no-git-fallback",
                            "--no-rolestats", "-f", f], cwd=b.p.src,
                           capture_output=True, text=True).stdout
        out.append(Result("maintainers@users.noreply" in m,
                          f"MAINTAINERS covers {f} (get_maintainer.pl)"))
    return out


def builds(b: Builder) -> list[Result]:
    out = []
    for c in b.commits():
        try:
            b.kernel(c, initrd=False)
            ok, why = True, ""
        except BuildError as e:
            ok, why = False, str(e)
        out.append(Result(ok, "builds (Image, KVM selftests): " +
                          b.subject(c), why))
    return out


def sanitizer(b: Builder) -> list[Result]:
    """The tip with KASAN, UBSAN and lockdep, built under SCHED_IDLE on
    the CPU time nothing else wants: it is the longest build, and nothing
    but its own scenario needs it."""
    out = []
    try:
        b.sanitizers(idle=True)
        ok, why = True, ""
    except BuildError as e:
        ok, why = False, str(e)
    out.append(Result(ok, "the tip builds with KASAN and UBSAN (svvptc_kvm_sanitizers.config)",
                      why))
    try:
        with open(os.path.join(b.p.obj("sanitizers"), ".config")) as f:
            config = f.read()
    except OSError:
        config = ""
    out.append(Result("\nCONFIG_KASAN_GENERIC=y\n" in config and
                      "\nCONFIG_UBSAN_BOUNDS=y\n" in config,
                      "the sanitizer kernel's .config has KASAN_GENERIC and UBSAN_BOUNDS"))
    return out


def inputs(b: Builder) -> list[Result]:
    out = []
    for name, make in (
            ("Debian trixie's riscv64 qemu-system-riscv64, its libraries and linux-image-6.12, "
             "fetched with a private apt config", b.vmm),
            ("Debian unstable's riscv64 qemu-system-riscv64 and its libraries (the migration "
             "checks' VMM), fetched with a private apt config", b.vmm_sid),
            ("the fence-count plugin builds against the installed QEMU's plugin API "
             "(qemu-plugin.h of its Debian source)", b.plugin)):
        try:
            make()
            out.append(Result(True, name))
        except BuildError as e:
            out.append(Result(False, name, str(e)))
    try:
        tree = b.newer()
        out.append(Result(True, f"the series applies with git am on {os.path.basename(tree)}"))
    except BuildError as e:
        out.append(Result(False, "the series applies with git am on Debian's newest "
                          "linux-source-6.12", str(e)))
    return out


def distro(b: Builder) -> list[Result]:
    try:
        text = b.distro()
        out = [Result(True, "the base and every patch compile with Debian 13's riscv64 "
                      "config (KVM=m)")]
    except BuildError as e:
        return [Result(False, "the base and every patch compile with Debian 13's riscv64 "
                       "config (KVM=m)", str(e))]
    for line in text.splitlines():
        status, subject, new = (line.split("\t") + ["", ""])[:3]
        out.append(Result(status == "0", "Debian config, W=1 C=1, no warning the base does "
                          f"not have: {subject}", new))
    return out


def package(b: Builder) -> list[Result]:
    name = "svvptc-kvm-dkms through a Debian 13 host's apt life"
    try:
        d = b.dkms_host()
    except BuildError as e:
        return [Result(False, name, str(e))]
    deb = b.deb()
    with open(os.path.join(os.path.dirname(deb), "built-by")) as f:
        user = f.read().strip()
    return [Result(user not in ("", "root"),
                   "make deb builds svvptc-kvm-dkms without root (dpkg-buildpackage, "
                   "debhelper, dh-dkms)", f"built by {user!r}: {deb}")] + package_results(d)
