# SPDX-License-Identifier: GPL-2.0
"""What the boots and the checks need, built or fetched by the host
scripts (tools/host/, tools/plugin/build.sh) and the guest Makefile
(tools/guest/), which the runner calls as subprocesses, each output
under the one freshness rule of state.py.

  tree        WORK/src: the series applied on the 6.12 base (prepare-tree.sh)
  kernel      WORK/img/<tree id>/: Image, uapi headers, KVM selftests of
              one commit, checked out explicitly (build-kernel.sh, one
              shared object tree WORK/out/kernel), and initramfs.cpio.gz
  sanitizers  WORK/img/sanitizers: the tip with KASAN, UBSAN
  mainline    WORK/img/mainline: Debian's linux-source-7.2 (make bench)
  vmm         BUILD/vmm: Debian 13's riscv64 QEMU, kmod and kernel (vmm.sh)
  deb         BUILD/deb: svvptc-kvm-dkms, from tools/dkms/ and the host
              half of the series, without root (deb.sh): make deb
  previous_deb BUILD/deb-previous: the package's previous version, built
              from the commit that released it
  trixie_root BUILD/trixie/root: Debian 13's toolchain, dkms (trixie-root.sh)
  dkms_host   BUILD/dkms: the package through a Debian 13 host's apt life
              in a copy of that root, with Debian's kernels N-1 and N
              (dkms-host.sh); modules: the /lib/modules trees of N it
              leaves, as initramfs parts
  plugin      BUILD/plugin/fence-count.so
  newer       BUILD/newer: Debian's newest 6.12.y, the files the series
              touches (newer-base.sh)
  distro      the series compiled with Debian's config (distro-build.sh)

Progress goes to stderr, so that make check's stdout is KTAP only.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

from . import initramfs, state
from .state import CONFIGS, FRAGMENT, GUEST, HOST, PATCHES, PLUGIN, TOOLS, TOP, File

SANITIZERS = os.path.join(CONFIGS, "svvptc_kvm_sanitizers.config")
MAINLINE_FRAGMENT = os.path.join(CONFIGS, "svvptc_kvm_mainline.config")
# Of 7.2's selftests, those make bench runs: others do not build with
# Debian 12's cross compiler (memslot_perf_test: "atomic bool is not
# lockless").
MAINLINE_KSFT = "kvm_page_table_test demand_paging_test"
CROSS = "riscv64-linux-gnu-"


class BuildError(Exception):
    """A build or fetch that failed; the script said why on stderr."""


def run(cmd, env=None, capture=False, cwd=None):
    """Run CMD with its stdout on our stderr (or captured and returned)."""
    full = dict(os.environ, **(env or {}))
    r = subprocess.run(cmd, env=full, cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE if capture else sys.stderr.fileno(), text=True)
    if r.returncode:
        raise BuildError(f"{os.path.basename(cmd[0])} {' '.join(cmd[1:3])}... "
                         f"failed (exit {r.returncode})")
    return r.stdout if capture else None


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], capture_output=True,
                          text=True).stdout.strip()


def series(d=PATCHES):
    """The patch files of the series in D (patches/), in order."""
    with open(os.path.join(d, "series")) as f:
        return [os.path.join(d, ln.strip()) for ln in f
                if ln.strip() and not ln.startswith("#")]


def series_position(name, d=PATCHES):
    """How many patches of the series in D the kernel NAME has: NAME is
    before-PATCH (the tree without PATCH and what follows it) or
    after-PATCH (the tree up to and with PATCH), PATCH the start of one
    patch file's name without its number and .patch
    (before-RISC-V-KVM-Walk-every-G-stage: the series without its G-stage
    walk and the patches after it). A name, not a position: reordering
    the series cannot change what it means, and a patch renamed away is
    an error."""
    m = re.fullmatch(r"(before|after)-(.+)", name)
    if not m:
        raise BuildError(f"kernel {name!r}: not before-PATCH or after-PATCH")
    stems = [re.sub(r"^\d+-|\.patch$", "", os.path.basename(p)) for p in series(d)]
    found = [i for i, s in enumerate(stems, 1) if s.startswith(m.group(2))]
    if len(found) != 1:
        raise BuildError(f"kernel {name!r}: {len(found)} patches of the series start with "
                         f"{m.group(2)!r}, not one")
    return found[0] - (m.group(1) == "before")


def files_of(patch, new=True):
    """The files PATCH touches (NEW: with those it creates)."""
    with open(patch) as f:
        return sorted({ln[6:].strip() for ln in f
                       if ln.startswith("--- a/") or (new and ln.startswith("+++ b/"))})


# The host half of the series: what a patch may touch to be carried by
# svvptc-kvm-dkms (the kvm module's sources and the KVM uapi header).
HOST_HALF = re.compile(r"arch/riscv/kvm/|arch/riscv/include/uapi/asm/kvm\.h$")


def host_half(d=PATCHES):
    """The patches of the series in D that touch the host half only, in
    order: what svvptc-kvm-dkms carries."""
    return [p for p in series(d) if all(HOST_HALF.match(f) for f in files_of(p))]


def files_under(d):
    """The files below D, sorted (parts of a key)."""
    return sorted(os.path.join(dp, f) for dp, _, fs in os.walk(d) for f in fs)


def touched(new=True):
    """The files the series touches (NEW: with those it creates)."""
    return sorted({f for p in series() for f in files_of(p, new)})


class Builder:
    def __init__(self, paths):
        self.p = paths
        self.state = state.State(paths.work)
        self.gcc = state.version(CROSS + "gcc", "--version")

    def _env(self):
        return {"KERNEL_SRC": self.p.kernel_src} if self.p.kernel_src else {}

    # ---- the series ----

    def _base_now(self):
        """The base commit as prepare-tree.sh would take it, if it can be
        told without running it."""
        if self.p.kernel_src:
            return git(self.p.kernel_src, "rev-parse", "--verify", "-q", "HEAD")
        return git(os.path.join(self.p.work, "linux"), "rev-parse", "-q", "--verify", "base")

    def tree(self):
        """Apply the series (prepare-tree.sh) unless the worktree already
        holds it on the same base, clean."""
        base = self._base_now()
        t = state.Target(self.p.src, "tree", base, File(os.path.join(PATCHES, "series")),
                         *map(File, series()), File(os.path.join(HOST, "prepare-tree.sh")))
        tip = self.state.get("tip")
        if base and tip and t.fresh() and \
                not git(self.p.src, "status", "--porcelain", "--untracked-files=no") and \
                git(self.p.src, "cat-file", "-t", tip) == "commit":
            print(f"  TREE    {self.p.src}: series already applied on {base[:12]} "
                  f"({self.state.get('version')})", file=sys.stderr)
            return
        t.stale()
        out = run([os.path.join(HOST, "prepare-tree.sh"), self.p.work, PATCHES],
                  env=self._env(), capture=True)
        found = dict(w.split("=", 1) for w in out.strip().splitlines()[-1].split())
        self.state.set(base=found["base"], tip=found["tip"], version=found["version"])
        t.done()

    def commits(self):
        """The base and every commit of the series, in order."""
        base, tip = self.state.get("base"), self.state.get("tip")
        return [base] + git(self.p.src, "rev-list", "--reverse", f"{base}..{tip}").split()

    def subject(self, commit):
        return git(self.p.src, "log", "-1", "--format=%h %s", commit)

    def _checkout(self, commit):
        if git(self.p.src, "rev-parse", "HEAD") != commit:
            run(["git", "-C", self.p.src, "checkout", "-q", "--detach", commit])

    # ---- kernels ----

    def _compile(self, src, obj, frags, dst, ksft=True, ksft_progs="", idle=False):
        """build-kernel.sh SRC into OBJ; keep the Image, uapi headers and
        KVM selftests in DST. IDLE: under SCHED_IDLE, on CPU time nothing
        else wants (the builds, the boots and the nice 19 fetches come
        first)."""
        config = state.Target(os.path.join(obj, ".config"), "config", *map(File, frags))
        env = {"KSFT": "1" if ksft else "0", "KSFT_PROGS": ksft_progs,
               "CONFIGURE": "0" if config.fresh() else "1"}
        run(["chrt", "--idle", "0"] * idle + [os.path.join(HOST, "build-kernel.sh"), src, obj,
                                              *frags],
            env=env)
        config.done()
        shutil.rmtree(dst, ignore_errors=True)
        os.makedirs(os.path.join(dst, "ksft"))
        shutil.copy(os.path.join(obj, "arch/riscv/boot/Image"), dst)
        if ksft:
            shutil.copytree(os.path.join(obj, "usr/include"), os.path.join(dst, "include"))
            if not ksft_progs:
                shutil.copytree(os.path.join(obj, "kselftest_install"),
                                os.path.join(dst, "kselftest"), symlinks=True)
            top = os.path.join(obj, "kselftest", "kvm")
            for d in [top] + glob.glob(os.path.join(top, "*", "")):
                for f in (os.path.join(d, n) for n in os.listdir(d)):
                    if os.path.isfile(f) and os.access(f, os.X_OK) and not f.endswith(".sh"):
                        shutil.copy(f, os.path.join(dst, "ksft"))

    def kernel(self, commit, initrd=True):
        """The artifacts of COMMIT of the series: WORK/img/<tree id>, with
        its initramfs unless INITRD is false (a commit no scenario boots)."""
        tree = git(self.p.src, "rev-parse", f"{commit}^{{tree}}")
        dst = os.path.join(self.p.img, tree)

        def build():
            print(f"  BUILD   {self.subject(commit)}", file=sys.stderr)
            self._checkout(commit)
            self._compile(self.p.src, os.path.join(self.p.out, "kernel"), [FRAGMENT], dst)
        state.Target(dst, "kernel", tree, File(FRAGMENT),
                     File(os.path.join(HOST, "build-kernel.sh")), self.gcc).make(build)
        if initrd:
            self.initramfs(dst)
        return dst

    def guest_parts(self, *extra):
        """The key parts of what the guest programs are built from."""
        return ("guest", *[File(f) for f in files_under(GUEST) if os.path.basename(f) != "README"],
                self.gcc,
                *[File(os.path.join(initramfs.SYSROOT, n)) for n in initramfs.LIBC], *extra)

    def programs(self, target, khdr=None):
        """The guest programs of TARGET (l1, l2), built in a scratch
        directory: {name: path} (the caller packs them before it goes)."""
        tmp = tempfile.mkdtemp(prefix="svt-guest-")
        run(["make", "-s", "-B", "-C", GUEST, f"O={tmp}", f"KHDR={khdr or ''}", target])
        return tmp, {n: os.path.join(tmp, n) for n in os.listdir(tmp)}

    def initramfs(self, art):
        """ART/initramfs.cpio.gz: the guest programs built against ART's
        uapi headers, its KVM selftests, the loader and libc."""
        out = os.path.join(art, "initramfs.cpio.gz")

        def build():
            print(f"  INITRD  {out}", file=sys.stderr)
            tmp, progs = self.programs("l1", os.path.join(art, "include"))
            initramfs.guest(out, progs, glob.glob(os.path.join(art, "ksft", "*")))
            shutil.rmtree(tmp)
        return state.Target(out, *self.guest_parts(state.made(art))).make(build)

    def l2_initramfs(self):
        """The L2 guests' initramfs: the +l2 programs (no kernel headers)."""
        out = os.path.join(self.p.img, "l2-initramfs.cpio.gz")

        def build():
            print(f"  INITRD  {out}", file=sys.stderr)
            os.makedirs(self.p.img, exist_ok=True)
            tmp, progs = self.programs("l2")
            initramfs.guest(out, progs)
            shutil.rmtree(tmp)
        return state.Target(out, *self.guest_parts()).make(build)

    def _own_worktree(self, name, commit):
        """WORK/NAME: a detached worktree of the series' repository at
        COMMIT, for a build that runs while the series' worktree checks
        out other commits. Reused like that one (git rewrites only what
        changes); started over if it belongs to another repository (a
        different KERNEL_SRC)."""
        wt = os.path.join(self.p.work, name)
        common = git(self.p.src, "rev-parse", "--path-format=absolute", "--git-common-dir")
        if os.path.exists(wt) and (not os.path.exists(os.path.join(wt, ".git")) or git(
                wt, "rev-parse", "--path-format=absolute", "--git-common-dir") != common):
            shutil.rmtree(wt)
        run(["git", "-C", self.p.src, "worktree", "prune"])
        if not os.path.exists(wt):
            run(["git", "-C", self.p.src, "worktree", "add", "-q", "--detach", wt, commit])
        run(["git", "-C", wt, "checkout", "-q", "--force", "--detach", commit])
        return wt

    def sanitizers(self, idle=False):
        """The tip with KASAN and UBSAN, in a worktree and an object tree
        of its own (make check builds it in a thread from the moment the
        series is applied); it boots with the tip's initramfs. IDLE: see
        _compile."""
        tip = self.state.get("tip")
        tree = git(self.p.src, "rev-parse", f"{tip}^{{tree}}")
        dst = os.path.join(self.p.img, "sanitizers")

        def build():
            print(f"  BUILD   sanitizers: {self.subject(tip)} + "
                  f"{os.path.basename(SANITIZERS)}", file=sys.stderr)
            src = self._own_worktree("sanitizers-src", tip)
            self._compile(src, os.path.join(self.p.out, "sanitizers"),
                          [FRAGMENT, SANITIZERS], dst, ksft=False, idle=idle)
        return state.Target(dst, "sanitizers", tree, File(FRAGMENT), File(SANITIZERS),
                            File(os.path.join(HOST, "build-kernel.sh")), self.gcc).make(build)

    def mainline(self):
        """Debian's linux-source-7.2 (mainline.sh), built from the same
        fragment: WORK/img/mainline (make bench only)."""
        src = os.path.join(self.p.mainline, "linux")
        pkg = os.environ.get("MAINLINE_PACKAGE", "linux-source-7.2")
        state.Target(src, "mainline", pkg, File(os.path.join(HOST, "mainline.sh"))).make(
            lambda: run([os.path.join(HOST, "mainline.sh"), self.p.mainline]))
        dst = os.path.join(self.p.img, "mainline")

        def build():
            print(f"  BUILD   {open(os.path.join(src, '.debian-version')).read().strip()}",
                  file=sys.stderr)
            self._compile(src, os.path.join(self.p.out, "mainline"), [FRAGMENT, MAINLINE_FRAGMENT],
                          dst, ksft_progs=MAINLINE_KSFT)
        state.Target(dst, "mainline-kernel", File(os.path.join(src, ".debian-version")),
                     File(FRAGMENT), File(MAINLINE_FRAGMENT), MAINLINE_KSFT,
                     File(os.path.join(HOST, "build-kernel.sh")), self.gcc).make(build)
        self.initramfs(dst)
        return dst

    def kernel_named(self, name):
        """(Image, initramfs) of the L1 kernel a scenario names: tip, base,
        before-PATCH or after-PATCH (series_position), sanitizers,
        mainline, debian (Debian 13's own kernel binary, with the tip's
        programs and KVM selftests)."""
        if name == "debian":
            tip = self.kernel_dir("tip")
            return os.path.join(self.vmm(), "debian", "Image"), os.path.join(tip, "initramfs.cpio.gz")
        if name == "sanitizers":
            tip = self.kernel_dir("tip")
            return os.path.join(self.sanitizers(), "Image"), os.path.join(tip, "initramfs.cpio.gz")
        d = self.kernel_dir(name)
        return os.path.join(d, "Image"), os.path.join(d, "initramfs.cpio.gz")

    def kernel_dir(self, name):
        if name == "mainline":
            return self.mainline()
        if name == "tip":
            return self.kernel(self.state.get("tip"))
        if name == "base":
            return self.kernel(self.state.get("base"))
        if re.match(r"(before|after)-", name):
            return self.kernel(self.commits()[series_position(name)])
        raise BuildError(f"no kernel '{name}' (tip, base, before-PATCH, after-PATCH, sanitizers, "
                         "mainline)")

    def l2_image(self, name):
        if name == "debian":
            return os.path.join(self.vmm(), "debian", "Image")
        return self.kernel_named(name)[0]

    # ---- fetched and built once ----

    def vmm(self):
        """BUILD/vmm: Debian 13's riscv64 QEMU (vmm/) and kernel (debian/),
        and vmm.cpio.gz, the QEMU as /vmm of an initramfs."""
        d = self.p.vmm

        def build():
            run([os.path.join(HOST, "vmm.sh"), d])
            initramfs.write(os.path.join(d, "vmm.cpio.gz"),
                            initramfs.tree(os.path.join(d, "vmm"), "vmm"))
        return state.Target(d, "vmm", File(os.path.join(HOST, "vmm.sh")),
                            os.environ.get("VMM_SUITE", ""),
                            os.environ.get("VMM_MIRROR", "")).make(build)

    def plugin(self):
        """The fence-count plugin, for the QEMU installed now."""
        so = self.p.plugin
        qemu = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "qemu-system-misc"],
                              capture_output=True, text=True).stdout
        return state.Target(so, "plugin", File(os.path.join(PLUGIN, "fence-count.c")),
                            File(os.path.join(PLUGIN, "build.sh")),
                            File(os.path.join(GUEST, "protocol.h")), qemu,
                            state.version("qemu-system-riscv64", "--version")).make(
            lambda: run([os.path.join(PLUGIN, "build.sh"), os.path.dirname(so)]))

    def trixie_root(self):
        """BUILD/trixie/root: a Debian 13 amd64 build root with Debian 13's
        riscv64 toolchain, dkms, debhelper and lintian (trixie-root.sh)."""
        d = os.path.join(self.p.root, "trixie")
        state.Target(d, "trixie-root", File(os.path.join(HOST, "trixie-root.sh")),
                     File(os.path.join(HOST, "in-root.sh"))).make(
            lambda: run([os.path.join(HOST, "trixie-root.sh"), d]))
        return os.path.join(d, "root")

    def deb(self):
        """BUILD/deb/svvptc-kvm-dkms_V_all.deb: the package from
        tools/dkms/ and the host half of the series, built by deb.sh:
        what make deb makes. Under root, deb.sh runs as nobody on a copy
        of what it reads (the clone may be where nobody cannot read), so
        that make check shows the build needs no root."""
        d = os.path.join(self.p.root, "deb")
        script, pkg = os.path.join(HOST, "deb.sh"), os.path.join(TOOLS, "dkms")

        def build():
            if os.path.exists(d):
                shutil.rmtree(d)
            if os.geteuid() != 0:
                run([script, d, pkg, *host_half()], capture=True)
            else:
                with tempfile.TemporaryDirectory() as t:
                    os.chmod(t, 0o755)
                    for f in ("deb.sh", "lib.sh"):
                        shutil.copy2(os.path.join(HOST, f), os.path.join(t, f))
                    shutil.copytree(pkg, os.path.join(t, "dkms"))
                    os.makedirs(os.path.join(t, "patches"))
                    for p in host_half():
                        shutil.copy2(p, os.path.join(t, "patches"))
                    out = os.path.join(t, "out")
                    os.makedirs(out)
                    shutil.chown(out, "nobody", "nogroup")
                    run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                         "--reset-env", os.path.join(t, "deb.sh"), os.path.join(out, "deb"),
                         os.path.join(t, "dkms"),
                         *[os.path.join(t, "patches", os.path.basename(p)) for p in host_half()]],
                        capture=True)
                    shutil.copytree(os.path.join(out, "deb"), d)
        state.Target(d, "deb", File(script), *map(File, files_under(pkg)),
                     *map(File, host_half())).make(build)
        debs = glob.glob(os.path.join(d, "svvptc-kvm-dkms_*_all.deb"))
        if len(debs) != 1:
            raise BuildError(f"{d}: no svvptc-kvm-dkms_*_all.deb (log: {d}/build.log)")
        return debs[0]

    def previous_deb(self):
        """BUILD/deb-previous: the package's previous version (the second
        entry of tools/dkms/debian/changelog), built by deb.sh from the
        last commit whose changelog starts with it, with that commit's
        host half. None when this clone has no such commit."""
        changelog = os.path.join(TOOLS, "dkms", "debian", "changelog")
        with open(changelog) as f:
            versions = re.findall(r"^svvptc-kvm \(([^)]*)\)", f.read(), re.M)
        if len(versions) < 2:
            return None
        rel = os.path.relpath(changelog, TOP)
        commit = next((c for c in git(TOP, "log", "--format=%H", "--", rel).split()
                       if git(TOP, "show", f"{c}:{rel}").startswith(f"svvptc-kvm ({versions[1]})")),
                      None)
        if commit is None:
            return None
        d = os.path.join(self.p.root, "deb-previous")

        def build():
            if os.path.exists(d):
                shutil.rmtree(d)
            src = os.path.join(d, "src")
            os.makedirs(src)
            tar = subprocess.run(["git", "-C", TOP, "archive", commit, "tools/dkms", "patches"],
                                 capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", src], input=tar, check=True)
            run([os.path.join(HOST, "deb.sh"), os.path.join(d, "deb"),
                 os.path.join(src, "tools", "dkms"), *host_half(os.path.join(src, "patches"))],
                capture=True)
        state.Target(d, "deb-previous", commit, File(os.path.join(HOST, "deb.sh"))).make(build)
        debs = glob.glob(os.path.join(d, "deb", "svvptc-kvm-dkms_*_all.deb"))
        return debs[0] if debs else None

    def dkms_host(self, autopkgtest=False):
        """BUILD/dkms: svvptc-kvm-dkms through a Debian 13 host's apt life
        (dkms-host.sh), in a copy of the trixie root, with Debian's
        kernel of vmm() as N: the cases, the module dkms installed for
        N, the two /lib/modules trees of N and the facts make check
        asserts. AUTOPKGTEST (make package): BUILD/dkms-full, the same
        and then the package's autopkgtest."""
        d = os.path.join(self.p.root, "dkms-full" if autopkgtest else "dkms")
        vmm, root, deb, old = self.vmm(), self.trixie_root(), self.deb(), self.previous_deb()
        dsc = glob.glob(os.path.join(os.path.dirname(deb), "svvptc-kvm_*.dsc"))[:1]
        return state.Target(d, "dkms", *map(File, [os.path.join(HOST, "dkms-host.sh"),
                                                    os.path.join(HOST, "in-root.sh"),
                                                    os.path.join(vmm, "debian", "version")]),
                            state.made(os.path.dirname(root)),
                            *map(File, [deb, *([old] if old else [])]), autopkgtest).make(
            lambda: run([os.path.join(HOST, "dkms-host.sh"), d, root, os.path.join(vmm, "debian"),
                         deb, *([old] if old else [])],
                        env={"SVT_AUTOPKGTEST": dsc[0]} if autopkgtest and dsc else None))

    def native_host(self, cross):
        """BUILD/native: the package built by dkms on a riscv64 Debian 13
        root under qemu-user, at install and at a kernel upgrade, and its
        module compared with CROSS, the cross-built one (native-host.sh)."""
        d = os.path.join(self.p.root, "native")
        deb, vmm = self.deb(), self.vmm()
        return state.Target(d, "native", *map(File, [os.path.join(HOST, "native-host.sh"),
                                                      os.path.join(HOST, "in-root.sh"),
                                                      os.path.join(vmm, "debian", "version"),
                                                      deb, cross])).make(
            lambda: run([os.path.join(HOST, "native-host.sh"), d, deb,
                         os.path.join(vmm, "debian"), cross]))

    def modules(self, which):
        """BUILD/dkms/modules-WHICH.cpio.gz: /lib/modules/ABI of Debian's
        kernel as Debian's packages (debian) or svvptc-kvm-dkms (package)
        leave it, as an initramfs part."""
        d = self.dkms_host()
        out = os.path.join(d, f"modules-{which}.cpio.gz")

        def build():
            with open(os.path.join(self.vmm(), "debian", "version")) as f:
                abi = f.read().split()[0][len("linux-image-"):]
            initramfs.write(out, [("lib", None), ("lib/modules", None)] +
                            initramfs.tree(os.path.join(d, f"modules-{which}"),
                                           f"lib/modules/{abi}"))
        return state.Target(out, "modules", state.made(d), File(initramfs.__file__)).make(build)

    def newer(self):
        """Debian's newest 6.12.y: a git tree of the files the series
        touches (and the Makefile), and the series applied to it as a
        user's KERNEL_SRC under WORK/newer. Returns the tree."""
        script = os.path.join(HOST, "newer-base.sh")
        ver = run([script, self.p.newer], capture=True).strip()
        files = touched(new=False)
        tree = os.path.join(self.p.newer, f"linux-{ver}")
        state.Target(tree, "newer", ver, *files).make(
            lambda: run([script, self.p.newer, ver, *files], capture=True))
        run([os.path.join(HOST, "prepare-tree.sh"), os.path.join(self.p.work, "newer"), PATCHES],
            env={"KERNEL_SRC": tree}, capture=True)
        return tree

    def distro(self):
        """distro-build.sh's lines: "STATUS<tab>SUBJECT<tab>NEW WARNINGS"
        per commit of the series (Debian 13's config, W=1, sparse)."""
        config = os.path.join(self.vmm(), "debian", "config")
        out = os.path.join(self.p.out, "distro")
        result = os.path.join(out, "result")
        script = os.path.join(HOST, "distro-build.sh")
        base, tip = self.state.get("base"), self.state.get("tip")

        def build():
            os.makedirs(out, exist_ok=True)
            kconf = state.Target(os.path.join(out, ".config"), "config", File(config))
            env = {"CONFIGURE": "0" if kconf.fresh() else "1"}
            text = run([script, self.p.src, out, config, base, tip], env=env, capture=True)
            kconf.done()
            with open(result, "w") as f:
                f.write(text)
        state.Target(result, "distro", *self.commits(), File(config), self.gcc,
                     state.version("sparse", "--version"), File(script),
                     File(os.path.join(HOST, "sparse-riscv"))).make(build)
        with open(result) as f:
            return f.read()
