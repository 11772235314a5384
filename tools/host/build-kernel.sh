#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh SRC OUT FRAGMENT...
#
# Incremental riscv64 build of SRC into OUT: the Image (tinyconfig plus the
# fragments), the uapi headers and the riscv KVM selftests (the last two
# skipped with KSFT=0; KSFT_PROGS="a b" builds only those selftests). The
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
make -s -C "$src/tools/testing/selftests/kvm" -j"$jobs" ARCH=riscv \
	CROSS_COMPILE=riscv64-linux-gnu- OUTPUT="$out/kselftest/kvm" \
	KHDR_INCLUDES="-isystem $out/usr/include" \
	$(for p in ${KSFT_PROGS:-}; do echo "$out/kselftest/kvm/$p"; done) >"$out/kselftest.log" 2>&1 ||
	{ tail -30 "$out/kselftest.log" >&2; die "KVM selftests failed to build (log: $out/kselftest.log)"; }
