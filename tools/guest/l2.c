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
	kill(qemu, SIGKILL);
}

int main(int argc, char **argv)
{
	char image[256], append[1024], steps[900], line[4096], *machine;
	struct sigaction sa = { .sa_handler = on_alarm };
	int timeout = argc > 6 ? atoi(argv[6]) : 300;
	int fds[2], rc, done = 0;
	FILE *con;

	if (argc < 6) {
		fprintf(stderr, "usage: l2 KERNEL CPU SMP MEM STEPS [TIMEOUT]\n");
		return 2;
	}
	snprintf(image, sizeof(image), "/l2/%s/Image", argv[1]);
	if (access(image, R_OK)) {
		printf("l2: %s: %s\n", image, strerror(errno));
		return 1;
	}
	snprintf(steps, sizeof(steps), "%s", argv[5]);
	for (char *c = steps; *c; c++)
		*c = *c == SVT_L2_STEP_SEP[0] ? SVT_STEP_SEP[0] :
		     *c == SVT_L2_ARG_SEP[0] ? SVT_ARG_SEP[0] : *c;
	snprintf(append, sizeof(append), "console=ttyS0 panic=-1 " SVT_RUN_KEY "=%s", steps);
	machine = cmdline_arg("svt.l2-machine");

	char *cmd[] = {
		"/vmm/lib/ld-linux-riscv64-lp64d.so.1", "--library-path", "/vmm/lib",
		"/vmm/bin/qemu-system-riscv64", "-M", machine ? machine : "virt", "-accel", "kvm",
		"-cpu", argv[2], "-smp", argv[3], "-m", argv[4], "-bios", "none",
		"-nographic", "-no-reboot", "-kernel", image,
		"-initrd", "/l2/initramfs.cpio.gz", "-append", append, NULL
	};

	printf("l2: VMM");
	for (char **a = cmd + 3; *a; a++)
		printf(strchr(*a, ' ') ? " '%s'" : " %s", *a);
	printf("\n");
	fflush(stdout);

	if (pipe(fds))
		return 1;
	qemu = fork();
	if (qemu < 0)
		return 1;
	if (!qemu) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		/* Not closed: QEMU would reuse fd 0 and read its monitor from it. */
		close(0);
		if (open("/dev/null", O_RDONLY) != 0)
			_exit(127);
		execv(cmd[0], cmd);
		printf("l2: exec %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
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
