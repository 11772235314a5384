#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lava.sh DIR: LAVA as Debian 12 ships it (lava-dispatcher, lava-common,
# lava-server's device-type templates, 2023.01) and the Python modules
# lava-run imports, downloaded from bookworm through a private apt
# configuration under DIR/apt and unpacked with dpkg-deb into DIR/root
# (nothing is installed; the host's apt setup is neither read nor changed):
#
#   DIR/root/usr/lib/python3/dist-packages   lava_common, lava_dispatcher(_host),
#                                            voluptuous, pexpect, ...
#   DIR/root/usr/share/lava-server/device-types
#                                            qemu.jinja2 and its bases
#   DIR/lava-run    Debian's lava-run on Debian's python3, with that tree on
#                   PYTHONPATH and its work directory DIR/dispatcher-tmp
#                   (lava-run's own, /var/lib/lava/dispatcher/tmp, is not
#                   created on the host)
#   DIR/python      Debian's python3 with that tree on PYTHONPATH
#
# lava-run imports guestfs when it reads a job; python3-guestfs would bring
# libguestfs and a supermin appliance, and a tmpfs job with test monitors
# never calls it, so DIR/shim/guestfs.py stands in and refuses to run.
set -euo pipefail
. "$(dirname "$(realpath "$0")")/lib.sh" && args 1 1 "DIR" "$@"
dir=$(realpath -m "$1")
suite=${LAVA_SUITE:-bookworm}
mirror=${LAVA_MIRROR:-http://deb.debian.org/debian}
pkgs=(lava-common lava-dispatcher lava-dispatcher-host lava-server python3-voluptuous python3-yaml python3-jinja2
      python3-markupsafe python3-pexpect python3-ptyprocess python3-requests python3-urllib3
      python3-idna python3-certifi python3-charset-normalizer python3-chardet python3-configobj
      python3-six python3-setproctitle python3-magic python3-netifaces python3-pyudev
      python3-tz)

echo "  LAVA    $suite lava-dispatcher, lava-common (private apt: $dir/apt)" >&2
papt "$dir/apt" amd64 \
	"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main"
"${aptc[@]}" update >"$dir/apt.log" 2>&1 ||
	{ tail -5 "$dir/apt.log" >&2; die "apt-get update for $suite failed (log: $dir/apt.log)"; }
rm -rf "$dir/debs" "$dir/root" "$dir/shim" && mkdir -p "$dir/debs" "$dir/root" "$dir/shim"
(cd "$dir/debs" && "${aptc[@]}" download "${pkgs[@]}") >>"$dir/apt.log" 2>&1 ||
	{ tail -5 "$dir/apt.log" >&2; die "downloading ${pkgs[*]} failed (log: $dir/apt.log)"; }
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done
dpkg-deb -W --showformat='${Package} ${Version}\n' "$dir"/debs/lava-dispatcher_*.deb >"$dir/version"
[ -d "$dir/root/usr/share/lava-server/device-types" ] ||
	die "no usr/share/lava-server/device-types in lava-server"

cat >"$dir/shim/guestfs.py" <<'EOF'
"""Stands in for python3-guestfs, which lava-run imports and a tmpfs job
with test monitors never uses (tools/host/lava.sh)."""


class GuestFS:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("libguestfs is not here: this LAVA runs tmpfs jobs only")
EOF
cat >"$dir/python" <<EOF
#!/bin/sh
# Debian's python3 with Debian's LAVA 2023.01 unpacked (tools/host/lava.sh).
PYTHONPATH=$dir/shim:$dir/root/usr/lib/python3/dist-packages exec /usr/bin/python3 "\$@"
EOF
cat >"$dir/lava-run" <<EOF
#!/bin/sh
# Debian's lava-run (tools/host/lava.sh), its work directory under $dir.
exec "$dir/python" - "\$@" <<'PY'
import runpy
import sys

import lava_common.constants as c

c.DISPATCHER_DOWNLOAD_DIR = "$dir/dispatcher-tmp"
sys.argv[0] = "lava-run"
runpy.run_path("$dir/root/usr/bin/lava-run", run_name="__main__")
PY
EOF
chmod +x "$dir/python" "$dir/lava-run"
echo "  LAVA    $dir: $(cat "$dir/version")" >&2
