// SPDX-License-Identifier: GPL-2.0
/*
 * kmod: run Debian 13's kmod (/vmm/bin/kmod, staged by tools/host/vmm.sh
 * with its loader and libraries) as one of its tools:
 *
 *   kmod TOOL ARGS...      TOOL: modprobe, depmod, modinfo, lsmod, ...
 *
 * kmod picks the tool by the name it runs under: trixie's loader runs it
 * with that name as argv[0] (--argv0), so a step "kmod:modprobe:kvm" is
 * "modprobe kvm" on an installed Debian system, reading /lib/modules.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *cmd[32] = {
		"/vmm/lib/ld-linux-riscv64-lp64d.so.1", "--library-path", "/vmm/lib",
		"--argv0", NULL, "/vmm/bin/kmod",
	};
	int n = 6;

	if (argc < 2 || argc > 32 - n) {
		fprintf(stderr, "usage: kmod TOOL [ARGS...]\n");
		return 2;
	}
	cmd[4] = argv[1];
	for (int i = 2; i < argc; i++)
		cmd[n++] = argv[i];
	cmd[n] = NULL;
	fflush(stdout);
	execv(cmd[0], cmd);
	printf("kmod: exec %s: %s\n", cmd[0], strerror(errno));
	return 127;
}
