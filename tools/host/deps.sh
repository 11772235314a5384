#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh [native]: make sure this Debian machine has what the harness
# needs, and install what is missing (as root); with "native", also
# qemu-user-static and binfmt-support (make package's riscv64 root). QEMU and OpenSBI come from
# bookworm-backports on Debian 12: bookworm's QEMU 7.2 has no svvptc/ztso
# CPU properties. The host's apt sources stay as they are: the suite is
# added in a private copy of them, for this install only. The kernel source is Debian's linux-source-6.12 unless
# KERNEL_SRC names a tree of your own.
set -euo pipefail

. "$(dirname "$(realpath "$0")")/lib.sh"

pkgs=(gcc-riscv64-linux-gnu libc6-dev-riscv64-cross make gcc git perl python3
      flex bison bc libelf-dev libssl-dev cpio gzip xz-utils rsync debootstrap gnuplot-nox sparse python3-ply python3-git
      pyflakes3 python3-mypy
      dpkg-dev debhelper dh-dkms)
[ "${1:-}" != native ] || pkgs+=(qemu-user-static binfmt-support)
[ -n "${KERNEL_SRC:-}" ] || pkgs+=(linux-source-6.12)
bpo_pkgs=(qemu-system-misc opensbi)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done

# QEMU >= 9.0 knows the svvptc CPU property; OpenSBI >= 1.5 goes with it.
qemu_ok() {
	local v
	v=$(dpkg-query -W -f='${Version}' qemu-system-misc 2>/dev/null) || return 1
	dpkg --compare-versions "$v" ge 1:9.0 &&
		dpkg-query -W -f='${Status}' opensbi 2>/dev/null | grep -q 'ok installed'
}

if [ ${#missing[@]} = 0 ] && qemu_ok; then
	exit 0
fi
[ "$(id -u)" = 0 ] ||
	die "missing ${missing[*]} ${bpo_pkgs[*]}: run 'sudo make deps' (or install them from Debian; QEMU >= 9 from bookworm-backports)"

export DEBIAN_FRONTEND=noninteractive
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
bpo=()
srcs=()
if [ "$codename" = bookworm ]; then
	# bookworm-backports for these apt-get runs only: a private copy of
	# the host's sources with that suite added. /etc/apt is read, never
	# written.
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp/parts"
	if [ -f /etc/apt/sources.list ]; then cp /etc/apt/sources.list "$tmp/"; else : >"$tmp/sources.list"; fi
	cp -a /etc/apt/sources.list.d/. "$tmp/parts/" 2>/dev/null || true
	if ! grep -rqs 'bookworm-backports' "$tmp"; then
		echo "  APT     bookworm-backports for this install (private sources: $tmp)"
		cat >"$tmp/parts/svvptc-bookworm-backports.sources" <<-EOF
			Types: deb
			URIs: http://deb.debian.org/debian
			Suites: bookworm-backports
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
	fi
	srcs=(-o Dir::Etc::SourceList="$tmp/sources.list" -o Dir::Etc::SourceParts="$tmp/parts")
	bpo=(-t bookworm-backports)
fi
echo "  APT     update"
apt-get "${srcs[@]}" update -qq >/dev/null || die "apt-get update failed"
if [ ${#missing[@]} -gt 0 ]; then
	echo "  APT     install ${missing[*]}"
	apt-get "${srcs[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed"
fi
if ! qemu_ok; then
	echo "  APT     install ${bpo_pkgs[*]} ${bpo[*]}"
	apt-get "${srcs[@]}" install -y -qq --no-install-recommends "${bpo[@]}" "${bpo_pkgs[@]}" >/dev/null ||
		die "apt-get install ${bpo_pkgs[*]} failed"
	qemu_ok || die "qemu-system-misc >= 9.0 and opensbi are needed (bookworm-backports on Debian 12)"
fi
