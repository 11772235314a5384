#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh DIR PKGDIR PATCH...: the svvptc-kvm-dkms package,
# DIR/svvptc-kvm-dkms_V_all.deb, and its source package (DIR/svvptc-kvm_V.dsc,
# for autopkgtest), built from PKGDIR (tools/dkms/, or an earlier version
# of it) with the PATCH files in their order (the host
# half of the series: the runner picks them, build.host_half()) as
# patches/.
# What make deb runs: no root, nothing but dpkg-dev, debhelper and dh-dkms
# (Debian 12 or 13, any architecture). The source tree, the build log and
# built-by (the user who built it) stay in DIR; the .deb's path is printed
# on stdout.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 3 - "DIR PKGDIR PATCH..." "$@"

dir=$(realpath -m "$1")
pkgsrc=$(realpath "$2")
shift 2
[ -f "$pkgsrc/debian/changelog" ] || die "$pkgsrc is not a package source (no debian/changelog)"
for t in dpkg-buildpackage dpkg-parsechangelog dh dh_dkms; do
	command -v "$t" >/dev/null || die "$t missing: apt install dpkg-dev debhelper dh-dkms"
done
for p in "$@"; do
	[ -f "$p" ] || die "$p: no such patch"
done
pver=$(dpkg-parsechangelog -l "$pkgsrc/debian/changelog" -S Version)
src=$dir/svvptc-kvm-$pver
rm -rf "$dir" && mkdir -p "$src/patches"
cp -a "$pkgsrc/." "$src/"
rm -f "$src/README"
for p in "$@"; do
	cp "$p" "$src/patches/"
	basename "$p" >>"$src/patches/series"
done
echo "  DEB     svvptc-kvm-dkms $pver, $# patches (log: $dir/build.log)" >&2
(cd "$src" && dpkg-buildpackage -us -uc) >"$dir/build.log" 2>&1 ||
	{ tail -5 "$dir/build.log" >&2; die "dpkg-buildpackage failed (log: $dir/build.log)"; }
id -un >"$dir/built-by"
echo "$dir/svvptc-kvm-dkms_${pver}_all.deb"
