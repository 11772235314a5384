# SPDX-License-Identifier: GPL-2.0
#
# Svvptc for KVM guests on Linux 6.12.y: apply the series, build a small
# riscv64 kernel, boot it under QEMU with the H extension, boot an L2 guest
# inside it with Debian's riscv64 QEMU on KVM, and check it all.
#
#   make                     main job: deps, series, build, boot, verdict
#   make check               the test suite, KTAP (ends "N passed, N failed");
#                            CHECK_REBOOT=1 boots again what passed unchanged
#   make bench               patched 6.12 vs stock 6.12 vs mainline 7.2,
#                            ROUNDS=5 interleaved rounds -> Documentation/
#   make KERNEL_SRC=~/linux  the same on your own 6.12.y git tree
#   make boot S=patched [RUN=steps] [CPU=props] [DRY_RUN=1]
#                            one scenario of tools/scenarios/, by hand
#
# The scenarios, what each boots and expects, are the files of
# tools/scenarios/; tools/svt.py boots and judges them.
KERNEL_SRC ?=
ROUNDS ?= 5
WORK := build/$(if $(KERNEL_SRC),user,debian)
FRAG := arch/riscv/configs/svvptc_kvm.config
PLUGIN := build/plugin/fence-count.so
VMM := build/vmm/vmm.cpio.gz
MAINLINE := build/mainline/linux/.debian-version
SVT := python3 tools/svt.py
export KERNEL_SRC

.PHONY: all deps tree kernel boot check bench clean

all: kernel
	$(SVT) boot $(WORK) main; $(SVT) verdict $(WORK) main

deps:
	tools/deps.sh

tree: deps
	tools/prepare-tree.sh $(WORK) patches

kernel: tree $(VMM) $(PLUGIN)
	tools/build-series.sh $(WORK) $(FRAG)

boot: kernel
	$(SVT) boot $(WORK) $(S) --run '$(RUN)' --cpu '$(CPU)' $(if $(DRY_RUN),--dry-run)

check: deps
	tools/check.sh $(WORK) $(FRAG)

bench: tree $(VMM) $(PLUGIN) $(MAINLINE)
	tools/build-series.sh $(WORK) $(FRAG) all
	tools/build-series.sh $(WORK) $(FRAG) mainline
	tools/bench.sh $(WORK) $(ROUNDS)

# Inputs fetched or built once, remade when their source changes.
$(VMM): | deps
	tools/vmm.sh $(@D)

$(PLUGIN): tools/fence-count.c | deps
	tools/plugin.sh $(@D)

$(MAINLINE):
	tools/mainline.sh build/mainline

clean:
	rm -rf build
