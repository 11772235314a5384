// SPDX-License-Identifier: GPL-2.0
/*
 * l2: boot an L2 guest from inside the L1 guest, with a real VMM (Debian's
 * riscv64 QEMU, /vmm, see tools/host/vmm.sh) on the L1 kernel's KVM.
 *
 *   l2 KERNEL CPU SMP MEM STEPS [TIMEOUT]
 *
 * Boots /l2/KERNEL/Image with /l2/initramfs.cpio.gz, whose /init is
 * tools/guest/init.c again, on a machine of SMP vCPUs of model CPU (-cpu) and
 * MEM of memory (-m), as the scenario's l2-cpu, l2-smp and l2-mem lines
 * say (the runner writes this step), on the machine (-M) that the L1
 * command line's svt.l2-machine= names (its l2-machine line; "virt" when
 * absent), running STEPS: the L2 svt.run=
 * list, written with
 * '+' between steps and '/' between a program's arguments (',' and ':'
 * already mean that one level up). Every line the L2 console prints is
 * echoed with the prefix "L2 ". Exits 0 when QEMU exited 0 after the L2
 * /init printed SVT-DONE; 124 when it ran longer than TIMEOUT seconds
 * (default 300) and was killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest.h"

static pid_t qemu;
static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	kill(-qemu, SIGKILL);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int timeout = argc > 6 ? atoi(argv[6]) : 300;
	char line[4096], *machine = cmdline_arg("svt.l2-machine");
	struct vmm_command vc;
	int fds[2], rc, done = 0;
	FILE *con;

	if (argc < 6) {
		fprintf(stderr, "usage: l2 KERNEL CPU SMP MEM STEPS [TIMEOUT]\n");
		return 2;
	}
	if (vmm_command(&vc, "trixie", argv[1], machine ? machine : "virt", argv[2], argv[3], argv[4],
			argv[5]) < 0)
		return 1;
	if (pipe2(fds, O_CLOEXEC))
		return 1;
	qemu = vmm_spawn(&vc, "l2", -1, fds[1]);
	if (qemu < 0)
		return 1;
	close(fds[1]);
	sigaction(SIGALRM, &sa, NULL);
	alarm(timeout);

	con = fdopen(fds[0], "r");
	while (con && fgets(line, sizeof(line), con)) {
		line[strcspn(line, "\r\n")] = '\0';
		printf(SVT_L2_PREFIX "%s\n", line);
		if (!strcmp(line, SVT_DONE))
			done = 1;
	}
	rc = guest_wait(qemu);
	alarm(0);
	if (timed_out) {
		printf("l2: timed out after %ds, VMM killed\n", timeout);
		return 124;
	}
	if (rc) {
		printf("l2: VMM failed (%s %d)\n", rc > 128 ? "signal" : "exit",
		       rc > 128 ? rc - 128 : rc);
		return 1;
	}
	if (!done) {
		printf("l2: the L2 /init did not finish its steps\n");
		return 1;
	}
	return 0;
}
