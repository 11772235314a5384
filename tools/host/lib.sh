# SPDX-License-Identifier: GPL-2.0
#
# lib.sh: what the host scripts share. A script starts with
#   . "$(dirname "$(realpath "$0")")/lib.sh" && args MIN MAX USAGE "$@"
# and has $here, the tools/host/ directory, from then on.

here=$(dirname "$(realpath "$0")")

# die MESSAGE: one line on stderr, named after the script, and exit 1.
die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# papt DIR ARCH [SOURCES-LINE...]: a private apt configuration under DIR:
# its own sources list (the lines given, if any), state and cache, for
# packages of ARCH. The host's apt setup is neither read nor changed.
# Sets the array aptc, an apt-get command line that uses it; the same
# options work for apt-cache ("${aptc[@]/#apt-get/apt-cache}").
papt() {
	local dir=$1 arch=$2

	shift 2
	mkdir -p "$dir"/{etc/sources.list.d,etc/preferences.d,state/lists/partial,cache/archives/partial}
	[ -f "$dir/state/status" ] || : >"$dir/state/status"
	[ $# = 0 ] || printf '%s\n' "$@" >"$dir/etc/sources.list"
	aptc=(apt-get -q -o Dir::Etc="$dir/etc" -o Dir::Etc::SourceList="$dir/etc/sources.list"
	      -o Dir::Etc::SourceParts="$dir/etc/sources.list.d"
	      -o Dir::Etc::Preferences="$dir/etc/preferences"
	      -o Dir::Etc::PreferencesParts="$dir/etc/preferences.d"
	      -o Dir::State="$dir/state" -o Dir::State::status="$dir/state/status"
	      -o Dir::Cache="$dir/cache" -o APT::Architecture="$arch" -o APT::Architectures::="$arch"
	      -o APT::Sandbox::User=root -o Debug::NoLocking=1 -o APT::Install-Recommends=0)
}

# stage_closure ROOT STAGE BINARY...: the BINARYs (unpacked under ROOT,
# a tree of riscv64 packages) as STAGE/bin/, and ROOT's loader and the
# closure of their DT_NEEDED libraries as STAGE/lib/, so that a guest
# runs them as
#   STAGE/lib/ld-linux-riscv64-lp64d.so.1 --library-path STAGE/lib STAGE/bin/NAME
# never mixing them with its own libc. STAGE is made anew.
stage_closure() {
	local root=$1 stage=$2 f n lib todo

	shift 2
	rm -rf "$stage" && mkdir -p "$stage/bin" "$stage/lib"
	cp "$@" "$stage/bin/"
	_lib() {
		local d
		for d in lib/riscv64-linux-gnu usr/lib/riscv64-linux-gnu lib usr/lib; do
			[ -e "$root/$d/$1" ] && { echo "$root/$d/$1"; return 0; }
		done
		return 1
	}
	lib=$(_lib ld-linux-riscv64-lp64d.so.1) || die "no ld-linux-riscv64-lp64d.so.1 under $root"
	cp -L "$lib" "$stage/lib/"
	todo=("$@")
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for n in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ -e "$stage/lib/$n" ] && continue
			lib=$(_lib "$n") || die "$n (needed by $(basename "$f")) not in the packages"
			cp -L "$lib" "$stage/lib/$n"
			todo+=("$stage/lib/$n")
		done
	done
}

# args MIN MAX USAGE "$@": die with "usage: SCRIPT USAGE" unless the
# script got MIN to MAX arguments (MAX "-": no limit).
args() {
	local min=$1 max=$2 usage=$3

	shift 3
	[ $# -ge "$min" ] && { [ "$max" = - ] || [ $# -le "$max" ]; } ||
		die "usage: ${0##*/} $usage"
}
