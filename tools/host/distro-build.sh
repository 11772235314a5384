#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# distro-build.sh SRC OUT CONFIG BASE TIP: the files the series touches,
# compiled the way a distribution builds them: with CONFIG (Debian 13's
# own riscv64 kernel config, KVM=m; tools/host/vmm.sh fetches it), W=1 and
# sparse (C=1), at BASE and at every commit up to TIP of the git tree SRC
# (checked out in turn; left at TIP).
#
# Prints one line per commit, "STATUS<tab>SUBJECT<tab>NEW WARNINGS", where
# STATUS is 0 when the commit's objects compile and no warning appears
# that the base does not already have (line numbers aside), and the new
# warnings are joined with ';'.
# Objects go to OUT (incremental; each listed object is rebuilt at every
# commit so that its warnings are seen).
set -uo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 5 5 "SRC OUT CONFIG BASE TIP" "$@"

wt=$(realpath "$1")
out=$(realpath -m "$2")
config=$(realpath "$3")
base=$4
tip=$5
jobs=${JOBS:-$(nproc)}
kmake=(make -s -C "$wt" O="$out" ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- -j"$jobs")

# The kernel objects built from what the series touches (headers are
# covered by the objects that include them).
objs=$(git -C "$wt" diff --name-only "$base" "$tip" -- 'arch/*.c' 'arch/*.S' 'kernel/*.c' 'mm/*.c' |
	sed 's/\.[cS]$/.o/')
[ -n "$objs" ] || die "the series touches no kernel source file"
# uapi/asm/kvm.h changes every KVM object's view: compile its users too.
objs=$(printf '%s\n' $objs arch/riscv/kvm/vcpu_onereg.o | sort -u)

mkdir -p "$out"
# The object tree is configured when it has no .config, or with
# CONFIGURE=1 (the runner says so when CONFIG changed).
if [ ! -f "$out/.config" ] || [ "${CONFIGURE:-0}" = 1 ]; then
	echo "  CONFIG  $out ($(basename "$(dirname "$config")")'s config, olddefconfig)" >&2
	cp "$config" "$out/.config"
	"${kmake[@]}" olddefconfig >/dev/null 2>"$out/config.log" || die "olddefconfig failed ($out/config.log)"
	"${kmake[@]}" prepare >/dev/null 2>>"$out/config.log" || die "make prepare failed ($out/config.log)"
fi

# warnings COMMIT: the W=1 and sparse warnings of the objects at COMMIT,
# one per line, without line and column numbers.
warnings() {
	git -C "$wt" checkout -q --detach "$1" || return 1
	(cd "$out" && rm -f $objs)
	"${kmake[@]}" W=1 C=1 CHECK="$here/sparse-riscv" $objs >/dev/null 2>"$out/build.log" || {
		sed 's/^/  /' "$out/build.log" | tail -20 >&2
		return 1
	}
	{ grep -E '(warning|error):' "$out/build.log" || true; } |
		sed -E 's/^([^:]+):[0-9]+:([0-9]+:)? /\1: /' | sort -u
}

echo "  DISTRO  W=1 C=1: $(echo $objs | xargs)" >&2
known=$(warnings "$base") || die "the base does not build with $config"
for c in $(git -C "$wt" rev-list --reverse "$base..$tip"); do
	subject=$(git -C "$wt" log -1 --format=%s "$c")
	if ! now=$(warnings "$c"); then
		printf '1\t%s\tdoes not compile (%s)\n' "$subject" "$out/build.log"
		continue
	fi
	new=$(comm -13 <(printf '%s\n' "$known") <(printf '%s\n' "$now") | grep . | paste -sd';')
	printf '%s\t%s\t%s\n' "$([ -z "$new" ]; echo $?)" "$subject" "$new"
done
git -C "$wt" checkout -q --detach "$tip"
