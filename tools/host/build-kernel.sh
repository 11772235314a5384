#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh SRC OUT FRAGMENT...
#
# Incremental riscv64 build of SRC into OUT: the Image (tinyconfig plus the
# fragments), the uapi headers and the riscv KVM selftests, also in the
# kernel's kselftest layout in OUT/kselftest_install (the last two skipped
# with KSFT=0; KSFT_PROGS="a b" builds only those selftests). The
# .config is made (tinyconfig + the fragments, olddefconfig) when OUT has
# none or with CONFIGURE=1 (the runner says so when the fragments changed);
# every option a fragment asks for must survive olddefconfig, or the build
# fails (a silently dropped option would make a test prove nothing).
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 3 - "SRC OUT FRAGMENT..." "$@"

src=$(realpath "$1")
out=$(realpath -m "$2")
shift 2
frags=()
for f in "$@"; do frags+=("$(realpath "$f")"); done

jobs=${JOBS:-$(nproc)}
kmake=(make -s -C "$src" O="$out" ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- -j"$jobs")

# An object tree built from another source tree: its dependency files
# name that tree's files, so an incremental build there would mix both.
if [ -L "$out/source" ] && [ "$(realpath "$out/source")" != "$src" ]; then
	echo "  CLEAN   $out (it was built from $(realpath "$out/source"))" >&2
	rm -rf "$out"
fi
mkdir -p "$out"
if [ ! -f "$out/.config" ] || [ "${CONFIGURE:-0}" = 1 ]; then
	echo "  CONFIG  $out (tinyconfig + $(for f in "${frags[@]}"; do basename "$f"; done | xargs))" >&2
	"${kmake[@]}" tinyconfig >/dev/null
	(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >/dev/null)
	"${kmake[@]}" olddefconfig >/dev/null
	miss=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=n) sym=${line%%=*}
			grep -q "^$sym=" "$out/.config" && { echo "  $line: still set" >&2; miss=1; } ;;
		CONFIG_*) grep -qx -- "$line" "$out/.config" || { echo "  $line: not in final .config" >&2; miss=1; } ;;
		esac
	done < <(cat "${frags[@]}" | sed 's/[[:space:]]*#.*//' | grep '^CONFIG_' || true)
	[ $miss = 0 ] || die "fragment options were dropped (missing dependency?)"
fi

echo "  KERNEL  $out/arch/riscv/boot/Image" >&2
"${kmake[@]}" Image
[ "${KSFT:-1}" = 1 ] || exit 0
"${kmake[@]}" headers_install INSTALL_HDR_PATH="$out/usr" >/dev/null

echo "  KSFT    $out/kselftest/kvm" >&2
sel=$src/tools/testing/selftests
kvm=(-C "$sel/kvm" ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- OUTPUT="$out/kselftest/kvm"
     KHDR_INCLUDES="-isystem $out/usr/include")
make -s -j"$jobs" "${kvm[@]}" \
	$(for p in ${KSFT_PROGS:-}; do echo "$out/kselftest/kvm/$p"; done) >"$out/kselftest.log" 2>&1 ||
	{ tail -30 "$out/kselftest.log" >&2; die "KVM selftests failed to build (log: $out/kselftest.log)"; }
[ -z "${KSFT_PROGS:-}" ] || exit 0

# The kernel's own kselftest layout in $out/kselftest_install: what
# "make -C tools/testing/selftests TARGETS=kvm install" writes there (the
# same rules, for the one target, on the objects just built).
inst=$out/kselftest_install
rm -rf "$inst" && mkdir -p "$inst/kselftest"
for f in module.sh runner.sh prefix.pl ktap_helpers.sh ksft.py; do
	install -m 744 "$sel/kselftest/$f" "$inst/kselftest/"
done
install -m 744 "$sel/run_kselftest.sh" "$inst/"
make -s "${kvm[@]}" INSTALL_PATH="$inst/kvm" install >>"$out/kselftest.log" 2>&1 ||
	die "installing the KVM selftests failed (log: $out/kselftest.log)"
make -s --no-print-directory "${kvm[@]}" COLLECTION=kvm emit_tests >"$inst/kselftest-list.txt"
