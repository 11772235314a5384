# SPDX-License-Identifier: GPL-2.0
"""make check: one KTAP document (ktap.py), a subtest per group.

  series, patches, maintainers, builds, inputs, distro, package, kit
             the static groups: the series applies, each patch's form,
             MAINTAINERS, every commit builds, the fetched inputs, the
             series with Debian's config, svvptc-kvm-dkms through a
             Debian 13 host's apt life (package.py), make kit's
             tarball (kit.py)
  sanitizer build
             the tip with KASAN, UBSAN and lockdep, built in a thread from
             the moment the series applies (the other scenarios boot
             meanwhile)
  scenario NAME
             every scenario of suites main and check, all booted first,
             then each judged (judge.py); those that need neither the
             package's modules nor the sanitizer kernel boot while the
             package's apt life runs in the fetch thread, and so do the
             LAVA jobs
  lava       lava/ against LAVA's own schemas, the test definition's
             steps under bash and dash, and the qemu job run by Debian's
             lava-run through lava-test-shell on the patched and the
             stock kernel (lava.py)
  bad input  prepare-tree.sh on a user's bad KERNEL_SRC (badinput.py)
  harness selftest
             the runner's unit tests (tools/runner/tests/), no boot

Then the kernel's own kunit.py parse must count the document as the run
did, and the last line is "N passed, N failed".
"""
import functools
import os
import re
import subprocess
import sys
import threading
import time

from . import badinput, boot, kit, lava, scenario, selftest, state
from .proc import BuildError
from .series import series, touched
from .judge import judge
from .ktap import Document, Result, counts_line, kunit_counts
from .package import results as package_results
from .state import TOP

STATIC = ["series", "patches", "maintainers", "builds", "inputs", "distro", "package", "kit"]
SELFTEST = "harness selftest (recorded consoles, no boot)"


class Phases:
    """When each phase of a make check run ended, counted from its start:
    a line on stderr each ("  PHASE   M:SS what") and the same lines in
    PATH (WORK/check.phases), for whoever times a run."""

    def __init__(self, path):
        self.start, self.path, self.lock = time.monotonic(), path, threading.Lock()
        with open(path, "w"):
            pass

    def __call__(self, what):
        t = int(time.monotonic() - self.start)
        line = f"{t // 60}:{t % 60:02d} {what}"
        with self.lock:
            print(f"  PHASE   {line}", file=sys.stderr)
            with open(self.path, "a") as f:
                f.write(line + "\n")


def ident(group):
    """A group's name on a command line: its words up to a parenthesis,
    joined by '-' ("scenario main": scenario-main)."""
    return "-".join(group.split(" (")[0].split())


def has(d, name, data):
    """File D/NAME has the bytes DATA."""
    with open(os.path.join(d, name), "rb") as f:
        return data in f.read()


class Suite:
    def __init__(self, builder, reuse=True):
        self.b = builder
        self.p = builder.p
        self.reuse = reuse
        self.phase = lambda what: None

    def kunit_py(self):
        return self.p.kunit_py

    # ---- the static groups ----

    def series(self):
        try:
            self.b.tree()
            ok, why = True, ""
        except BuildError as e:
            ok, why = False, str(e)
        out = [Result(ok, "the series applies with git am on the 6.12 base", why)]
        if not ok:
            return out
        r = subprocess.run(["git", "-C", self.p.src, "grep", "-q", "RISCV_ISA_EXT_SVVPTC",
                            self.b.state.get("base"), "--", "arch/riscv/include/asm/pgtable.h",
                            "arch/riscv/mm/pgtable.c"])
        out.append(Result(r.returncode == 0, "6.12 already has the Svvptc fast path for user PTEs "
                          "(update_mmu_cache_range, ptep_set_access_flags)"))
        return out

    def _checkpatch(self, patch, cwd, *extra):
        """PATCH's checkpatch --strict findings, run from CWD. A new file
        makes checkpatch ask "does MAINTAINERS need updating?": answered
        instead of ignored, the kernel's own MAINTAINERS must send every
        new file to KVM/riscv. Whether an upstream commit id exists
        (UNKNOWN_COMMIT_ID) only a tree with mainline history can tell;
        the form of the reference (GIT_COMMIT_ID) is checked. The system
        python3 runs scripts/spdxcheck.py (it needs Debian's python3-ply).
        The answer is kept under the freshness rule: the same patch,
        checkpatch.pl, base and options give it again without a run."""
        script = os.path.join(self.p.src, "scripts", "checkpatch.pl")
        kept = os.path.join(self.p.out, "checkpatch", os.path.basename(patch) + "".join(extra))

        def build():
            os.makedirs(os.path.dirname(kept), exist_ok=True)
            found = self._run_checkpatch(patch, cwd, extra)
            with open(kept, "w") as f:
                f.write(found or "")
        state.Target(kept, "checkpatch", state.File(patch), state.File(script),
                     self.b.state.get("base"), *extra).make(build)
        with open(kept) as f:
            return f.read() or None

    def _run_checkpatch(self, patch, cwd, extra):
        r = subprocess.run([os.path.join(self.p.src, "scripts", "checkpatch.pl"), "--strict",
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
                                "-f", new], cwd=self.p.src, capture_output=True, text=True).stdout
            if "kvm-riscv@lists.infradead.org" not in m:
                found.append(f"{new}: not covered by the kernel's MAINTAINERS")
        return found[0] if found else None

    def patches(self):
        out = []
        for p in series():
            name = os.path.basename(p)
            why = self._checkpatch(p, self.p.src)
            out.append(Result(why is None, f"checkpatch --strict, in the tree: {name}", why or ""))
            # From outside any git tree, as a tree with mainline history
            # checks the commit references (commit <sha> ("subject")).
            why = self._checkpatch(p, "/", "--no-tree")
            out.append(Result(why is None, f"checkpatch --strict --no-tree: {name}", why or ""))
            with open(p) as f:
                text = f.read()
            out.append(Result(
                bool(re.search(r'^(commit [0-9a-f]{12,40} \(".+|This patch has no upstream '
                               r'counterpart)', text, re.M)) and
                not re.search(r"^Upstream:", text, re.M),
                f"{name} names its origin (commit <sha> (\"subject\")) or says it has none"))
        return out

    def maintainers(self):
        out = []
        for f in touched():
            m = subprocess.run(["./scripts/get_maintainer.pl", "--mpath",
                                os.path.join(TOP, "MAINTAINERS"), "--no-git", "--no-git-fallback",
                                "--no-rolestats", "-f", f], cwd=self.p.src,
                               capture_output=True, text=True).stdout
            out.append(Result("maintainers@users.noreply" in m,
                              f"MAINTAINERS covers {f} (get_maintainer.pl)"))
        return out

    def builds(self):
        out = []
        for c in self.b.commits():
            try:
                self.b.kernel(c, initrd=False)
                ok, why = True, ""
            except BuildError as e:
                ok, why = False, str(e)
            out.append(Result(ok, "builds (Image, KVM selftests): " +
                              self.b.subject(c), why))
        return out

    def sanitizer_build(self):
        """The tip with KASAN, UBSAN and lockdep, in a thread from the
        moment the series applies (see run), on the CPU time nothing else
        wants: it is the longest build, and nothing but its own scenario
        needs it."""
        out = []
        try:
            self.b.sanitizers(idle=True)
            ok, why = True, ""
        except BuildError as e:
            ok, why = False, str(e)
        self.phase("the sanitizer kernel built")
        out.append(Result(ok, "the tip builds with KASAN and UBSAN (svvptc_kvm_sanitizers.config)",
                          why))
        try:
            with open(os.path.join(self.p.out, "sanitizers", ".config")) as f:
                config = f.read()
        except OSError:
            config = ""
        out.append(Result("\nCONFIG_KASAN_GENERIC=y\n" in config and
                          "\nCONFIG_UBSAN_BOUNDS=y\n" in config,
                          "the sanitizer kernel's .config has KASAN_GENERIC and UBSAN_BOUNDS"))
        return out

    def inputs(self):
        out = []
        for name, make in (
                ("Debian trixie's riscv64 qemu-system-riscv64, its libraries and linux-image-6.12, "
                 "fetched with a private apt config", self.b.vmm),
                ("the fence-count plugin builds against the installed QEMU's plugin API "
                 "(qemu-plugin.h of its Debian source)", self.b.plugin)):
            try:
                make()
                out.append(Result(True, name))
            except BuildError as e:
                out.append(Result(False, name, str(e)))
        try:
            tree = self.b.newer()
            out.append(Result(True, f"the series applies with git am on {os.path.basename(tree)}"))
        except BuildError as e:
            out.append(Result(False, "the series applies with git am on Debian's newest "
                              "linux-source-6.12", str(e)))
        return out

    def distro(self):
        try:
            text = self.b.distro()
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

    def package(self):
        name = "svvptc-kvm-dkms through a Debian 13 host's apt life"
        try:
            d = self.b.dkms_host()
        except BuildError as e:
            return [Result(False, name, str(e))]
        deb = self.b.deb()
        with open(os.path.join(os.path.dirname(deb), "built-by")) as f:
            user = f.read().strip()
        return [Result(user not in ("", "root"),
                       "make deb builds svvptc-kvm-dkms without root (dpkg-buildpackage, "
                       "debhelper, dh-dkms)", f"built by {user!r}: {deb}")] + package_results(d)

    def kit(self):
        return kit.results(self.b)

    def _fetch(self, fetched):
        """What comes from Debian's archive (QEMU and the kernel, QEMU's
        plugin header, the newest 6.12.y, LAVA, the trixie root) and the
        module built there, while the kernels compile: mostly waiting for
        the network. FETCHED is set once the inputs group's part is there;
        the module follows (the package group waits for it). A failure is
        reported by the group that needs it, which asks again; after one,
        this thread stops, so that no two threads fetch the same. At nice
        19 (on Linux a thread's own, and its children's): the kernel builds
        come first, the module's build in the trixie root takes what they
        leave."""
        os.nice(19)
        try:
            for fetch in (self.b.vmm, self.b.plugin, self.b.newer, lambda: lava.tools(self.b)):
                fetch()
            fetched.set()
            self.phase("fetched: Debian's QEMU, the plugin header, the newest 6.12.y, LAVA")
            self.b.dkms_host()
            self.phase("the package's apt life in the Debian 13 root")
        except BuildError as e:
            print(f"  FETCH   {e} (its group reports it)", file=sys.stderr)
        finally:
            fetched.set()

    # ---- the document ----

    def groups(self):
        """Every group of make check, in the document's order."""
        return STATIC + ["sanitizer build"] + \
            [f"scenario {s}" for s in scenario.names(["main", "check"])] + \
            ["lava", "bad input", SELFTEST]

    def needs(self, group):
        """The scenarios GROUP needs booted (the lava group runs its own
        boots, LAVA's jobs)."""
        return [group[len("scenario "):]] if group.startswith("scenario ") else []

    def _guarded(self, group, fn):
        """FN()'s results; an exception is GROUP's failure, with the reason,
        and the document goes on."""
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - any exception is a failed group
            return [Result(False, f"the {group} group runs to its end",
                           f"{type(e).__name__}: {e}")]

    def _boot_all(self, names, san):
        """Boot the scenarios NAMES; the sanitizer kernel's scenario waits
        for its build (thread SAN, if running) only if nothing else is
        left to boot."""
        pending = list(names)
        while pending:
            ready = [s for s in pending
                     if san is None or not san.is_alive() or
                     scenario.load(s)["kernel"] != "sanitizers"]
            if not ready:
                san.join()
                continue
            s = ready[0]
            pending.remove(s)
            try:
                boot.boot(self.b, scenario.load(s), reuse=self.reuse)
            except BuildError as e:
                # Not booted: no console of an earlier boot may stand.
                print(f"boot: {s}: {e}", file=sys.stderr)
                state.Target(self.p.log(s)).forget()

    def _early(self, names):
        """While the fetch thread takes the package through its apt life
        (mostly apt and dpkg, one core), the boots that do not need it
        (NAMES) and the LAVA jobs (lava.jobs: they need the kernels and the
        kit only) run; their groups are judged later, in the document's
        order. A LAVA failure here is reported by the lava group, which
        asks again."""
        self._boot_all(names, None)
        self.phase(f"the {len(names)} boots that need neither the package nor the sanitizer "
                   "kernel")
        try:
            lava.jobs(self.b)
        except (BuildError, OSError, subprocess.CalledProcessError) as e:
            print(f"  LAVA    {e} (the lava group reports it)", file=sys.stderr)
        self.phase("the LAVA jobs")

    def _late(self, doc, groups, stop):
        """The groups after the boots: each scenario judged, then lava, bad
        input and the harness selftest."""
        late = {"lava": lambda: lava.results(self.b),
                "bad input": lambda: badinput.results(self.p.src, self.b.state.get("base")),
                SELFTEST: lambda: selftest.results(self.kunit_py())}
        for g in groups:
            if g.startswith("scenario "):
                name = g[len("scenario "):]
                fn = functools.partial(judge, scenario.load(name), self.p.log(name),
                                       self.kunit_py())
            elif g in late:
                fn = late[g]
            else:
                continue
            if stop and g != SELFTEST:
                doc.group(g, [], stop)
            else:
                doc.group(g, self._guarded(g, fn))

    def run(self, only=None):
        """make check: every group, or only those ONLY names (and what
        they need, unreported)."""
        groups = self.groups()
        if only:
            return self.run_only(groups, only)
        doc = Document(len(groups), os.path.join(self.p.work, "check.ktap"))
        self.phase = Phases(os.path.join(self.p.work, "check.phases"))
        stop = ""
        fetched = threading.Event()
        fetch = threading.Thread(target=self._fetch, args=(fetched,))
        fetch.start()
        # The sanitizer kernel builds in a worktree of its own from the
        # moment the series is applied, under SCHED_IDLE: it takes only
        # what the other builds, the fetches and the boots leave.
        sanitized = []
        san = threading.Thread(target=lambda: sanitized.extend(
            self._guarded("sanitizer build", self.sanitizer_build)))
        names = scenario.names(["main", "check"])
        early = [s for s in names if not scenario.load(s)["modules"] and
                 scenario.load(s)["kernel"] != "sanitizers"]
        for g in STATIC:
            if g == "inputs":
                fetched.wait()
            if g == "package":
                if not stop:
                    self._early(early)
                fetch.join()
            if stop:
                doc.group(g, [], stop)
            elif not doc.group(g, self._guarded(g, getattr(self, g))) and g == "series":
                stop = "the series does not apply"
            self.phase(f"group {g}")
            if g == "series" and not stop:
                san.start()
        if not stop:
            # The rest: the scenarios of Debian's kernel with the package's
            # or Debian's modules, and the sanitizer kernel's, which waits
            # for its build only if nothing else is left to boot.
            self._boot_all([s for s in names if s not in early], san)
            self.phase("the boots of Debian's kernel and of the sanitizer kernel")
        fetch.join()
        if stop:
            doc.group("sanitizer build", [], stop)
        else:
            san.join()
            doc.group("sanitizer build", sanitized)
        self._late(doc, groups, stop)
        self.phase("every group judged")
        doc.close()
        return self.finish(doc)

    def run_only(self, groups, only):
        """check --only: the groups ONLY names (as in the document, or with
        '-' for each space: scenario-main, bad-input), each after what it
        needs, in the document's order; no thread."""
        ids = {ident(g): g for g in groups}
        unknown = [o for o in only if ident(o) not in ids]
        if unknown:
            print(f"check: no group {unknown[0]!r} (groups: {' '.join(ids)})", file=sys.stderr)
            return 2
        chosen = [g for g in groups if ident(g) in {ident(o) for o in only}]
        doc = Document(len(chosen), os.path.join(self.p.work, "check-only.ktap"))
        stop = ""
        try:
            self.b.tree()
        except BuildError as e:
            stop = f"the series does not apply: {e}"
        for g in chosen:
            if g in STATIC or g == "sanitizer build":
                fn = self.sanitizer_build if g == "sanitizer build" else getattr(self, g)
                doc.group(g, [], stop) if stop else doc.group(g, self._guarded(g, fn))
        if not stop:
            self._boot_all([s for g in chosen for s in self.needs(g)], None)
        self._late(doc, chosen, stop)
        doc.close()
        return self.finish(doc)

    def finish(self, doc):
        """kunit.py parse must count the document as this run did."""
        want = doc.counts()
        got = kunit_counts(self.kunit_py(), doc.path)
        failed = doc.failed
        if got == want:
            print(f"# kunit.py parse {doc.path}: the same totals ({counts_line(want)})")
        else:
            print(f"# kunit.py parse {doc.path} disagrees: it counts "
                  f"{counts_line(got) if got else 'nothing'}, this run {counts_line(want)}")
            failed += 1
        print(f"{doc.passed} passed, {failed} failed")
        return 0 if failed == 0 else 1

