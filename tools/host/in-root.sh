#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# in-root.sh ROOT COMMAND...: run COMMAND chrooted in ROOT (a build root of
# trixie-root.sh), in a mount namespace of its own with /proc, /dev and
# /sys mounted there: they go away with the namespace, so nothing of the
# host's stays mounted in ROOT, whatever COMMAND does.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 2 - "ROOT COMMAND..." "$@"

root=$(realpath "$1")
shift
[ -x "$root/bin/sh" ] || die "$root is not a build root (no /bin/sh)"
exec unshare --mount --propagation private -- /bin/sh -c '
	root=$1; shift
	mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" &&
	mount -t sysfs sysfs "$root/sys" || exit 1
	exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive ${SVT_ROOT_ENV:-} "$@"
' in-root "$root" "$@"
