# SPDX-License-Identifier: GPL-2.0
#
# Svvptc for KVM guests on Linux 6.12.y: apply the series, build a small
# riscv64 kernel, boot it under QEMU with the H extension, boot an L2 guest
# inside it with Debian's riscv64 QEMU on KVM, and check it all.
#
#   make                     main job: deps, series, build, boot, verdict
#   make check               the test suite, KTAP (ends "N passed, N failed");
#                            CHECK_REBOOT=1 boots again what passed unchanged;
#                            ONLY="lava scenario-main": those groups and what
#                            they need
#   make bench               the comparisons of the bench scenarios,
#                            ROUNDS=5 interleaved rounds -> Documentation/;
#                            ONLY=bench-dh-package: the rows it leads alone,
#                            -> build/*/bench-only/
#   make KERNEL_SRC=~/linux  the same on your own 6.12.y git tree
#   make boot S=patched [RUN=steps] [CPU=props] [DRY_RUN=1]
#                            one scenario of tools/scenarios/, by hand
#   make deb                 svvptc-kvm-dkms for Debian 13 hosts, built
#                            without root (debhelper, dh-dkms) -> build/deb/
#   make package             that package through a Debian 13 host's apt
#                            life in a Debian 13 root (make check's package
#                            group), then built natively on riscv64 and
#                            by autopkgtest -> build/dkms/, build/native/
#   make kit                 the checks for any riscv64 KVM host, one tarball
#                            -> build/debian/kit/ (tools/kit/README)
#   make lava                lava/'s qemu job run by Debian's lava-run through
#                            lava-test-shell on the patched and the stock
#                            kernel -> build/debian/lava/
#
# Every target but deps is a command of the runner (tools/runner, see
# tools/README): python3 tools/runner COMMAND --help.
KERNEL_SRC ?=
ROUNDS ?= 5
RUNNER := python3 tools/runner
export KERNEL_SRC

.PHONY: all deps check bench boot deb package kit lava clean

all: deps
	$(RUNNER) verdict

deps:
	tools/host/deps.sh

check: deps
	$(RUNNER) check $(if $(filter 1,$(CHECK_REBOOT)),--reboot) $(if $(ONLY),--only $(ONLY))

bench: deps
	$(RUNNER) bench --rounds $(ROUNDS) $(foreach s,$(ONLY),--only $(s))

boot: deps
	$(RUNNER) boot $(S) $(if $(RUN),--run '$(RUN)') $(if $(CPU),--cpu '$(CPU)') \
		$(if $(DRY_RUN),--dry-run)

deb:
	$(RUNNER) deb

package:
	tools/host/deps.sh native
	$(RUNNER) package

kit: deps
	$(RUNNER) kit

lava: deps
	$(RUNNER) lava

clean:
	rm -rf build
