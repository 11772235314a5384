#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fence-checks.sh WORK ON OFF STOCK: the TLB maintenance claims of the
# series, judged on exact counts of executed fences (the fence-count QEMU
# plugin, per step: tools/fences.py), from the consoles of three boots:
#
#   ON     the patched host, L1 CPU with svvptc
#   OFF    the patched host, L1 CPU without svvptc
#   STOCK  the unpatched 6.12 host, L1 CPU with svvptc
#
# The L2 guest is the same in ON and STOCK (the tip kernel, "l2:tip"):
# only the host differs.
# Each boot must have run the steps named below (tools/scenarios). Prints
# one "STATUS NAME" line per assertion (0 = pass) for check.sh to count.
# QEMU's TCG cannot show a missing fence: it caches no invalid PTE and
# walks the page table again on a missing permission, so every functional
# test passes without one. Counting what the guest executes can: each
# bound below fails on a kernel with the matching bug (see testing.rst).
set -uo pipefail

work=$(realpath -m "$1")
on=$2 off=$3 stock=$4
here=$(dirname "$(realpath "$0")")

say() { echo "$1 $2${3:+ ($3)}"; }
# fence SCENARIO COUNTER STEP [L2STEP]: how many COUNTER instructions
# (sfence.vma, hfence.gvma, ...) all harts executed during the step.
fence() {
	local s=$1 k=$2

	shift 2
	python3 "$here/fences.py" "$work/logs/$s.log" "$work/logs/$s.log.fences" "$@" |
		sed -n "s/.* $k=\([0-9]*\).*/\1/p"
}
# faults SCENARIO [L2KERNEL]: the page faults pf-bench took (its own count).
faults() {
	local out

	if [ $# = 2 ]; then
		out=$("$here/step.sh" "$work/logs/$1.log" "l2:$2" | sed -n 's/^L2 //p')
		out=$("$here/step.sh" <(printf '%s\n' "$out") pf-bench)
	else
		out=$("$here/step.sh" "$work/logs/$1.log" pf-bench)
	fi
	sed -n 's/^pf-bench faults=\([0-9]*\) .*/\1/p' <<<"$out"
}
# at_most N PER COUNT OPS: COUNT is at most N per PER OPS (at_least: at
# least). False when either count is missing.
at_most() { [ -n "$3" ] && [ -n "$4" ] && [ "$4" -gt 0 ] && [ $(($3 * $2)) -le $(($1 * $4)) ]; }
at_least() { [ -n "$3" ] && [ -n "$4" ] && [ "$4" -gt 0 ] && [ $(($3 * $2)) -ge $(($1 * $4)) ]; }
# The pages the memory selftests map (4 KiB): demand_paging_test's -b is
# per vCPU (2 here), kvm_page_table_test's in all. The latter runs with one
# vCPU for its count: its dirty-logging pass write-protects every page
# while the vCPU is out of the guest (those flush requests overflow the
# vCPU's queue of 64 and collapse into one VMID-wide fence), then the vCPU
# writes every page again and each write fault turns a valid read-only
# leaf writable, a flush that one vCPU executes once per page.
dp_pages=$((2 * 64 * 256)) pt_pages=$((32 * 256)) pt_step=kvm_page_table_test:-b:32M:-v:1:-m:0

n=$(faults "$on") c=$(fence "$on" sfence.vma pf-bench)
at_most 1 100 "$c" "$n"
say $? "svvptc=true: L1 pf-bench executes at most 1 sfence.vma per 100 faults (6.12's fast path)" \
	"$c for $n faults"
n=$(faults "$off") c=$(fence "$off" sfence.vma pf-bench)
at_least 99 100 "$c" "$n"
say $? "svvptc=false: L1 pf-bench executes at least 99 sfence.vma per 100 faults" "$c for $n faults"

c=$(fence "$on" hfence.gvma demand_paging_test)
at_most 1 100 "$c" "$dp_pages"
say $? "svvptc=true: demand_paging_test maps $dp_pages new guest pages with at most 1 hfence.gvma per 100" "$c"
c=$(fence "$off" hfence.gvma demand_paging_test)
at_least 1 1 "$c" "$dp_pages"
say $? "svvptc=false: demand_paging_test executes at least 1 hfence.gvma per new guest page" \
	"$c for $dp_pages pages"
c=$(fence "$on" hfence.gvma "$pt_step")
at_least 1 1 "$c" "$pt_pages"
say $? "svvptc=true: kvm_page_table_test's dirty-log write faults (a valid leaf made writable) still flush, at least 1 hfence.gvma per page" \
	"$c for $pt_pages pages"

n=$(faults "$on" tip)
c=$(fence "$on" sfence.vma l2:tip pf-bench) g=$(fence "$on" hfence.gvma l2:tip pf-bench)
at_most 1 100 "$c" "$n" && at_most 1 100 "$g" "$n"
say $? "patched host: L2 pf-bench through the real VMM executes at most 1 sfence.vma and 1 hfence.gvma per 100 faults" \
	"$c sfence.vma, $g hfence.gvma for $n faults"
n=$(faults "$stock" tip)
c=$(fence "$stock" sfence.vma l2:tip pf-bench) g=$(fence "$stock" hfence.gvma l2:tip pf-bench)
at_least 99 100 "$c" "$n" && at_least 1 2 "$g" "$n"
say $? "stock 6.12 host: L2 pf-bench executes about 1 sfence.vma per fault and 1 hfence.gvma per new L2 page (at least 1 per 2 faults)" \
	"$c sfence.vma, $g hfence.gvma for $n faults"
exit 0
