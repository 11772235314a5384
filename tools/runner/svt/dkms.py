# SPDX-License-Identifier: GPL-2.0
"""Dkms, the part of the Builder that makes svvptc-kvm-dkms (deb.sh, as
make deb does, and its previous version) and takes it through a Debian
13 host's apt life (dkms-host.sh) and a native riscv64 build
(native-host.sh)."""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile

from . import initramfs, state
from .proc import BuildError, git, run
from .series import files_under, host_half
from .state import HOST, TOOLS, TOP, File


class Dkms(state.Part):
    """BUILD/deb, BUILD/deb-previous, BUILD/dkms, BUILD/native."""

    def deb(self) -> str:
        """BUILD/deb/svvptc-kvm-dkms_V_all.deb: the package from
        tools/dkms/ and the host half of the series, built by deb.sh:
        what make deb makes. Under root, deb.sh runs as nobody on a copy
        of what it reads (the clone may be where nobody cannot read), so
        that make check shows the build needs no root."""
        d = self.p.deb
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

    def previous_deb(self) -> str | None:
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
        d = self.p.deb_previous

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

    def dkms_host(self, autopkgtest: bool = False) -> str:
        """BUILD/dkms: svvptc-kvm-dkms through a Debian 13 host's apt life
        (dkms-host.sh), in a copy of the trixie root, with Debian's
        kernel of vmm() as N: the cases, the module dkms installed for
        N, the two /lib/modules trees of N and the facts make check
        asserts. AUTOPKGTEST (make package): BUILD/dkms-full, the same
        and then the package's autopkgtest."""
        d = self.p.dkms_full if autopkgtest else self.p.dkms
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

    def native_host(self, cross: str) -> str:
        """BUILD/native: the package built by dkms on a riscv64 Debian 13
        root under qemu-user, at install and at a kernel upgrade, and its
        module compared with CROSS, the cross-built one (native-host.sh)."""
        d = self.p.native
        deb, vmm = self.deb(), self.vmm()
        return state.Target(d, "native", *map(File, [os.path.join(HOST, "native-host.sh"),
                                                      os.path.join(HOST, "in-root.sh"),
                                                      os.path.join(vmm, "debian", "version"),
                                                      deb, cross])).make(
            lambda: run([os.path.join(HOST, "native-host.sh"), d, deb,
                         os.path.join(vmm, "debian"), cross]))

    def modules(self, which: str) -> str:
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
