# SPDX-License-Identifier: GPL-2.0
#
# Svvptc for KVM guests on Linux 6.12.y: apply the series, build a small
# riscv64 kernel, boot it under QEMU with the H extension, boot an L2 guest
# inside it with Debian's riscv64 QEMU on KVM, and check it all.
#
#   make                     main job: deps, series, build, boot, verdict
#   make check               the test suite (ends with "N passed, N failed");
#                            CHECK_REBOOT=1 boots again what passed unchanged
#   make bench               patched 6.12 vs stock 6.12 vs mainline 7.2,
#                            ROUNDS=5 interleaved rounds -> Documentation/
#   make KERNEL_SRC=~/linux  the same on your own 6.12.y git tree
#   make boot S=patched [RUN=steps] [CPU=props] [DRY_RUN=1]
#                            one scenario of tools/scenarios, by hand
#
KERNEL_SRC ?=
ROUNDS ?= 5
WORK := build/$(if $(KERNEL_SRC),user,debian)
FRAG := arch/riscv/configs/svvptc_kvm.config
export KERNEL_SRC

.PHONY: all deps tree kernel boot check bench clean

all: kernel
	tools/boot.sh $(WORK) main
	tools/verdict.sh $(WORK)/logs/main.log

deps:
	tools/deps.sh

tree: deps
	tools/prepare-tree.sh $(WORK) patches

kernel: tree
	tools/build-series.sh $(WORK) $(FRAG)
	tools/vmm.sh build/vmm
	tools/plugin.sh build/plugin

boot: kernel
	RUN='$(RUN)' CPU='$(CPU)' DRY_RUN='$(DRY_RUN)' tools/boot.sh $(WORK) $(S)

check: deps
	tools/check.sh $(WORK) $(FRAG)

bench: tree
	tools/build-series.sh $(WORK) $(FRAG) all
	tools/mainline.sh build/mainline
	tools/build-series.sh $(WORK) $(FRAG) mainline
	tools/vmm.sh build/vmm
	tools/plugin.sh build/plugin
	tools/bench.sh $(WORK) $(ROUNDS)

clean:
	rm -rf build
