#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-sanitized.sh WORK FRAGMENT SANITIZER_FRAGMENT
#
# The KASAN + UBSAN variant of the tip kernel: the tree build-series.sh
# left checked out in WORK/src, configured with tinyconfig + FRAGMENT +
# SANITIZER_FRAGMENT, built into its own object tree WORK/out/sanitizers
# (so that neither build invalidates the other). Its artifacts go to
# WORK/img/sanitizers: the Image, and the tip's initramfs (userspace does
# not depend on the kernel's config). Skipped when the tree and both
# fragments are the ones it was last built from.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 3 3 "WORK FRAGMENT SANITIZER_FRAGMENT" "$@"

work=$(realpath -m "$1")
frag=$(realpath "$2")
sfrag=$(realpath "$3")
wt=$work/src
dst=$work/img/sanitizers
tip=$work/img/tip

[ -f "$tip/built" ] || die "$tip not built (run make first)"
key=$(git -C "$wt" rev-parse 'HEAD^{tree}'; cat "$frag" "$sfrag" | sha1sum)
if [ -f "$dst/built" ] && [ "$key" = "$(cat "$dst/key" 2>/dev/null)" ] &&
   [ ! "$tip/initramfs.cpio.gz" -nt "$dst/built" ]; then
	exit 0
fi
echo "  BUILD   sanitizers: $(git -C "$wt" log -1 --format='%h %s') + $(basename "$sfrag")"
KSFT=0 "$here/build-kernel.sh" "$wt" "$work/out/sanitizers" "$frag" "$sfrag"
rm -rf "$dst" && mkdir -p "$dst"
cp "$work/out/sanitizers/arch/riscv/boot/Image" "$dst/Image"
cp "$tip/initramfs.cpio.gz" "$dst/initramfs.cpio.gz"
printf '%s\n' "$key" >"$dst/key"
touch "$dst/built"
