# SPDX-License-Identifier: GPL-2.0
#
# Svvptc for KVM guests on Linux 6.12.y: apply the series, build a small
# riscv64 kernel, boot it under QEMU with the H extension and check it.
#
#   make                     main job: deps, series, build, boot, verdict
#   make check               the test suite (ends with "N passed, N failed")
#   make bench               side-by-side benchmarks -> Documentation/
#   make KERNEL_SRC=~/linux  the same on your own 6.12.y git tree
#
KERNEL_SRC ?=
WORK := build/$(if $(KERNEL_SRC),user,debian)
FRAG := arch/riscv/configs/svvptc_kvm.config
export KERNEL_SRC

.PHONY: all deps tree kernel check bench clean

all: kernel
	tools/boot.sh $(WORK) main
	tools/verdict.sh $(WORK)/logs/main.log

deps:
	tools/deps.sh

tree: deps
	tools/prepare-tree.sh $(WORK) patches

kernel: tree
	tools/build-series.sh $(WORK) $(FRAG)

check: deps
	tools/check.sh $(WORK) $(FRAG)

bench: tree
	tools/build-series.sh $(WORK) $(FRAG) all
	tools/bench.sh $(WORK)

clean:
	rm -rf build
