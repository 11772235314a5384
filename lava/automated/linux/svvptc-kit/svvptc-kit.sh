#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# svvptc-kit.sh: the svvptc kit (tools/kit/README of the svvptc-kvm tree)
# on this riscv64 KVM host, its KTAP results as output/result.txt for
# ../../utils/send-to-lava.sh. Linaro test-definitions' layout: run from
# this directory, sourcing ../../lib/sh-test-lib.
#
# A case per KTAP result (ktap-to-result.sh: GROUP, GROUP.TEST, figures
# as measurements); if the kit cannot run at all, one failing case
# svvptc-kit-run says so.
# shellcheck disable=SC1091 # sh-test-lib is beside the tree, not here
. ../../lib/sh-test-lib

OUTPUT="$(pwd)/output"
RESULT_FILE="$OUTPUT/result.txt"
export RESULT_FILE

KIT_URL=
KIT_GROUPS=
KIT_SELFTESTS=
KIT_TIMEOUT=600
DEMAND_PAGING_ARGS=
SKIP_INSTALL=false

usage() {
	echo "usage: $0 -u KIT_URL [-g GROUPS] [-t SELFTESTS] [-T TIMEOUT] [-d DEMAND_PAGING_ARGS] [-s true|false]" >&2
	echo "  KIT_URL: the kit's tarball (http(s)://, file:// or a path); GROUPS and SELFTESTS comma-separated, empty for all" >&2
	exit 2
}

while getopts "u:g:t:T:d:s:h" opt; do
	case $opt in
	u) KIT_URL=$OPTARG ;;
	g) KIT_GROUPS=$OPTARG ;;
	t) KIT_SELFTESTS=$OPTARG ;;
	T) KIT_TIMEOUT=$OPTARG ;;
	d) DEMAND_PAGING_ARGS=$OPTARG ;;
	s) SKIP_INSTALL=$OPTARG ;;
	*) usage ;;
	esac
done
[ -n "$KIT_URL" ] || usage

create_out_dir "$OUTPUT"
check_root || warn_msg "not root: /dev/kvm needs root or the kvm group"
install_deps "qemu-system-misc wget tar gzip" "$SKIP_INSTALL" ||
	warn_msg "could not install QEMU: the kit skips its guest checks without it"

# cannot_run WHY: the one case that says the kit did not run.
cannot_run() {
	error=$*
	echo "ERROR: $error" >&2
	report_fail svvptc-kit-run
	exit 0
}

kit=$OUTPUT/svvptc-kit-riscv64.tar.gz
case $KIT_URL in
file://*) cp "${KIT_URL#file://}" "$kit" ;;
*://*)	if command -v wget >/dev/null 2>&1; then
		wget -q -O "$kit" "$KIT_URL"
	else
		curl -fsSL -o "$kit" "$KIT_URL"
	fi ;;
*)	cp "$KIT_URL" "$kit" ;;
esac || cannot_run "cannot fetch the kit from $KIT_URL"
tar -C "$OUTPUT" -xzf "$kit" || cannot_run "$KIT_URL is not the kit's tarball"
[ -x "$OUTPUT/svvptc-kit/run" ] || cannot_run "no svvptc-kit/run in $KIT_URL"

info_msg "svvptc kit: $(cat "$OUTPUT/svvptc-kit/VERSION" 2>/dev/null)"
set -- --output "$OUTPUT/kit"
[ -z "$KIT_GROUPS" ] || set -- "$@" --groups "$KIT_GROUPS"
[ -z "$KIT_SELFTESTS" ] || set -- "$@" --selftests "$KIT_SELFTESTS"
[ -z "$KIT_TIMEOUT" ] || set -- "$@" --timeout "$KIT_TIMEOUT"
KSELFTEST_DEMAND_PAGING_TEST_ARGS=$DEMAND_PAGING_ARGS "$OUTPUT/svvptc-kit/run" "$@"
rc=$?
info_msg "the kit's exit status: $rc"
ktap=$OUTPUT/kit/results.ktap
case $rc in
0|1|4) [ -s "$ktap" ] || cannot_run "the kit wrote no $ktap (exit status $rc)" ;;
*) cannot_run "the kit exited $rc (2: bad options; see above)" ;;
esac

./ktap-to-result.sh "$ktap" >>"$RESULT_FILE"
info_msg "$(wc -l <"$RESULT_FILE") test cases in $RESULT_FILE"
