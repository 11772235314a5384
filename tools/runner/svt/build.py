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
  vmm_sid     BUILD/vmm-sid: Debian unstable's riscv64 QEMU, for the
              migration checks (vmm-sid.sh)
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

Builder is made of one part per kind of output, each in its module:
Series (series.py), Kernels (kernels.py), Guests (guests.py), Fetched
(fetch.py) and Dkms (dkms.py); proc.py runs the scripts.

Progress goes to stderr, so that make check's stdout is KTAP only.
"""
from . import state
from .dkms import Dkms
from .fetch import Fetched
from .guests import Guests
from .kernels import CROSS, Kernels
from .series import Series


class Builder(Series, Kernels, Guests, Fetched, Dkms):
    """Every output of the list above, for the directories PATHS."""

    def __init__(self, paths):
        self.p = paths
        self.state = state.State(paths.work)
        self.gcc = state.version(CROSS + "gcc", "--version")

    def _env(self):
        return {"KERNEL_SRC": self.p.kernel_src} if self.p.kernel_src else {}
