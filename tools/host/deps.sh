#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh: make sure this Debian machine has what the harness needs, and
# install what is missing (as root). QEMU and OpenSBI come from
# bookworm-backports on Debian 12: bookworm's QEMU 7.2 has no svvptc/ztso
# CPU properties. The kernel source is Debian's linux-source-6.12 unless
# KERNEL_SRC names a tree of your own.
set -euo pipefail

. "$(dirname "$(realpath "$0")")/lib.sh"

pkgs=(gcc-riscv64-linux-gnu libc6-dev-riscv64-cross make gcc git perl python3
      flex bison bc libelf-dev libssl-dev cpio gzip xz-utils rsync debootstrap gnuplot-nox sparse python3-ply python3-git)
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
if [ "$codename" = bookworm ]; then
	if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		echo "  APT     adding bookworm-backports to /etc/apt/sources.list.d/"
		cat >/etc/apt/sources.list.d/bookworm-backports.sources <<-EOF
			Types: deb
			URIs: http://deb.debian.org/debian
			Suites: bookworm-backports
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
	fi
	bpo=(-t bookworm-backports)
fi
echo "  APT     update"
apt-get update -qq >/dev/null || die "apt-get update failed"
if [ ${#missing[@]} -gt 0 ]; then
	echo "  APT     install ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed"
fi
if ! qemu_ok; then
	echo "  APT     install ${bpo_pkgs[*]} ${bpo[*]}"
	apt-get install -y -qq --no-install-recommends "${bpo[@]}" "${bpo_pkgs[@]}" >/dev/null ||
		die "apt-get install ${bpo_pkgs[*]} failed"
	qemu_ok || die "qemu-system-misc >= 9.0 and opensbi are needed (bookworm-backports on Debian 12)"
fi
