# SPDX-License-Identifier: GPL-2.0
"""make check: one KTAP document (ktap.py), a subtest per group.

  series, patches, maintainers, builds, inputs, distro, package, kit
             the static groups: the series applies, each patch's form,
             MAINTAINERS, every commit builds, the fetched inputs, the
             series with Debian's config, svvptc-kvm-dkms built,
             installed and removed in a Debian 13 root, make kit's
             tarball (kit.py)
  sanitizer build
             the tip with KASAN, UBSAN and lockdep, built in a thread from
             the moment the series applies (the other scenarios boot
             meanwhile)
  scenario NAME
             every scenario of suites main and check, all booted first,
             then each judged (judge.py)
  lava       lava/ against LAVA's own schemas, and ktap-to-lava on the
             kit's KTAP from kit-stock (lava.py)
  bad input  prepare-tree.sh on a user's bad KERNEL_SRC (badinput.py)
  harness selftest
             the runner's unit tests (tools/runner/tests/), no boot

Then the kernel's own kunit.py parse must count the document as the run
did, and the last line is "N passed, N failed".
"""
import os
import re
import subprocess
import sys
import threading

from . import badinput, boot, build, kit, lava, scenario, selftest, state
from .build import BuildError, series
from .judge import judge
from .ktap import Document, Result, counts_line, kunit_counts
from .state import TOP

STATIC = ["series", "patches", "maintainers", "builds", "inputs", "distro", "package", "kit"]


def has(d, name, data):
    """File D/NAME has the bytes DATA."""
    with open(os.path.join(d, name), "rb") as f:
        return data in f.read()


class Suite:
    def __init__(self, builder, reuse=True):
        self.b = builder
        self.p = builder.p
        self.reuse = reuse

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
        k = state.key("checkpatch", state.File(patch), state.File(script),
                      self.b.state.get("base"), *extra)
        if state.fresh(kept, k):
            with open(kept) as f:
                return f.read() or None
        os.makedirs(os.path.dirname(kept), exist_ok=True)
        found = self._run_checkpatch(patch, cwd, extra)
        with open(kept, "w") as f:
            f.write(found or "")
        state.done(kept, k)
        return found

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
        for f in build.touched():
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
        name = "svvptc-kvm-dkms builds, installs and removes in a Debian 13 root"
        try:
            d = self.b.dkms_host()
        except BuildError as e:
            return [Result(False, name, str(e))]
        facts = {}
        with open(os.path.join(d, "facts.txt")) as f:
            for ln in f:
                k, _, v = ln.rstrip("\n").partition(": ")
                facts[k] = v.strip()

        def text(f):
            try:
                with open(os.path.join(d, f), errors="replace") as fh:
                    return fh.read()
            except OSError:
                return ""

        def compilers(f):
            try:
                with open(os.path.join(d, f), "rb") as fh:
                    return sorted(set(re.findall(rb"GCC: \([^)]*\) [0-9.]+", fh.read())))
            except OSError:
                return []

        half = [os.path.basename(p) for p in build.host_half()]
        mixed = [os.path.basename(p) for p in series() if os.path.basename(p) not in half and
                 any(build.HOST_HALF.match(f) for f in build.files_of(p))]
        carried = facts.get("patches", "").split()
        lint = [ln for ln in text("lintian.txt").splitlines() if re.match(r"[EW]: ", ln)]
        errs = {k: text(f"bad-{k}.err").strip().splitlines() for k in ("kernel", "source", "patch")}
        ours, debs = compilers("kvm.ko"), compilers("kvm-debian.ko")
        return [
            Result(any(f.startswith("svvptc-kvm-dkms_") and f.endswith("_all.deb")
                       for f in os.listdir(d)),
                   "dpkg-buildpackage builds svvptc-kvm-dkms (debhelper, dh-dkms)"),
            Result(facts.get("lintian") == "rc=0" and not lint,
                   "lintian finds no error or warning in svvptc-kvm-dkms", "; ".join(lint[:3])),
            Result(carried == half and not mixed,
                   "the package carries every patch of the series that touches KVM's module, "
                   "and those touch nothing else",
                   f"carries {carried}, host half {half}, mixed {mixed}"),
            Result(facts.get("install") == "rc=0" and
                   facts.get("installed", "").endswith(("/updates/dkms/kvm.ko", "/updates/dkms/kvm.ko.xz")),
                   "apt-get install ./svvptc-kvm-dkms: dkms builds kvm.ko and installs it under "
                   "updates/dkms", facts.get("installed", "nothing installed; see install.log")),
            Result(facts.get("install") == "rc=0" and facts.get("older-kernel") == "skipped" and
                   facts.get("older-kernel-modules") == "",
                   "an older 6.12 kernel without its linux-source is skipped by dkms, and the "
                   "package still installs", facts.get("older-kernel", "")),
            Result(facts.get("machine") == "RISC-V" and bool(ours) and ours == debs,
                   "the module is RISC-V code built by the compiler that built Debian's kvm.ko",
                   f"{ours} vs {debs}"),
            Result(bool(ours) and not has(d, "kvm.ko", b".debug_info") and
                   not has(d, "kvm-debian.ko", b".debug_info"),
                   "the installed module has no debug information, as Debian's (dkms strips it)"),
            Result(bool(facts.get("vermagic")) and facts.get("vermagic") == facts.get("debian-vermagic"),
                   "the module's vermagic is Debian's kvm.ko's",
                   f"{facts.get('vermagic')!r} vs {facts.get('debian-vermagic')!r}"),
            Result("/updates/dkms/kvm.ko" in facts.get("modprobe-finds", ""),
                   "installed: modprobe kvm finds the package's module",
                   facts.get("modprobe-finds", "")),
            Result(facts.get("bad-kernel") == "rc=1" and len(errs["kernel"]) == 1 and
                   "is not 6.12.y" in errs["kernel"][0],
                   "bad input: a kernel that is not 6.12.y is refused in one line",
                   " / ".join(errs["kernel"])),
            Result(facts.get("bad-source") == "rc=1" and len(errs["source"]) == 1 and
                   "is Linux 6.12.1 but kernel" in errs["source"][0],
                   "bad input: a linux-source of another version is refused in one line",
                   " / ".join(errs["source"])),
            Result(facts.get("bad-patch") == "rc=1" and len(errs["patch"]) == 1 and
                   re.search(r"patch 0004-\S+ does not apply", errs["patch"][0]) is not None,
                   "bad input: a patch that no longer applies is named in one line",
                   " / ".join(errs["patch"])),
            Result(facts.get("bad-modules") == "unchanged",
                   "bad input leaves the kernel's modules as they were"),
            Result(facts.get("remove") == "rc=0" and facts.get("removed-left") == "" and
                   "/kernel/arch/riscv/kvm/kvm.ko.xz" in facts.get("removed-modprobe-finds", ""),
                   "apt-get remove: nothing left under updates, modprobe finds Debian's kvm.ko again",
                   facts.get("removed-modprobe-finds", "")),
        ]

    # ---- the document ----

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
            self.b.dkms_host()
        except BuildError as e:
            print(f"  FETCH   {e} (its group reports it)", file=sys.stderr)
        finally:
            fetched.set()

    def run(self):
        scenarios = scenario.names(["main", "check"])
        groups = STATIC + ["sanitizer build"] + [f"scenario {s}" for s in scenarios] + \
            ["lava", "bad input", "harness selftest (recorded consoles, no boot)"]
        doc = Document(len(groups), os.path.join(self.p.work, "check.ktap"))
        stop = ""
        fetched = threading.Event()
        fetch = threading.Thread(target=self._fetch, args=(fetched,))
        fetch.start()
        # The sanitizer kernel builds in a worktree of its own from the
        # moment the series is applied, under SCHED_IDLE: it takes only
        # what the other builds, the fetches and the boots leave.
        sanitized = []
        san = threading.Thread(target=lambda: sanitized.extend(self.sanitizer_build()))
        for g in STATIC:
            if g == "inputs":
                fetched.wait()
            if g == "package":
                fetch.join()
            if stop:
                doc.group(g, [], stop)
            elif not doc.group(g, getattr(self, g)()) and g == "series":
                stop = "the series does not apply"
            if g == "series" and not stop:
                san.start()
        if not stop:
            # The other scenarios do not wait for the sanitizer kernel;
            # its scenario waits only if nothing else is left to boot.
            pending = list(scenarios)
            while pending:
                ready = [s for s in pending
                         if not san.is_alive() or scenario.load(s)["kernel"] != "sanitizers"]
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
                    for f in (self.p.log(s), self.p.log(s) + ".key"):
                        if os.path.exists(f):
                            os.unlink(f)
        fetch.join()
        if stop:
            doc.group("sanitizer build", [], stop)
        else:
            san.join()
            doc.group("sanitizer build", sanitized)
        for s in scenarios:
            if stop:
                doc.group(f"scenario {s}", [], stop)
            else:
                doc.group(f"scenario {s}", judge(scenario.load(s), self.p.log(s),
                                                            self.kunit_py()))
        if stop:
            doc.group("lava", [], stop)
        else:
            doc.group("lava", lava.results(self.b))
        if stop:
            doc.group("bad input", [], stop)
        else:
            doc.group("bad input", badinput.results(self.p.src, self.b.state.get("base")))
        doc.group("harness selftest (recorded consoles, no boot)",
                  selftest.results(self.kunit_py()))
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

