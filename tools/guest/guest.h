/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest.h: what the guest programs (tools/guest/NAME.c, run by /init) share.
 *
 * svt_mark(0) marks the beginning of a phase, svt_mark(1) its end. A mark
 * is "slti x0, x0, 0x5c0" (begin) or "slti x0, x0, 0x5c1" (end)
 * (protocol.h's SVT_MARK_*_IMM): with
 * rd = x0 a HINT, which hardware and QEMU execute as a no-op, and which
 * the fence-count QEMU plugin (tools/plugin/fence-count.c) recognises to print its
 * TLB maintenance counts at that point.
 *
 * guest_wait() waits for a child the way a shell reports it: its exit
 * status, or 128 + the signal that ended it (127 when it cannot be
 * waited for).
 *
 * cmdline_arg(KEY) is the value of KEY=VALUE on the kernel's command line,
 * or NULL.
 *
 * vmm_command() and vmm_spawn() run Debian's QEMU (/vmm, from
 * tools/host/vmm.sh) on the L1 kernel's KVM, booting an L2 guest whose
 * /init is init.c again: l2.c boots one, migrate.c two (a migration's
 * source and destination).
 *
 * ktap_plan() and ktap_result() print KTAP, the kernel's test output
 * format, for a program that judges itself (see clock-test.c).
 */
#ifndef GUEST_H
#define GUEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "protocol.h"

#define SVT_STR_(x) #x
#define SVT_STR(x) SVT_STR_(x)

static inline void svt_mark(int end)
{
#if defined(__riscv)
	if (end)	/* 0x5c102013 */
		asm volatile("slti x0, x0, " SVT_STR(SVT_MARK_END_IMM) ::: "memory");
	else		/* 0x5c002013 */
		asm volatile("slti x0, x0, " SVT_STR(SVT_MARK_BEGIN_IMM) ::: "memory");
#else
	(void)end;
#endif
}

static inline int guest_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return SVT_RC_NOT_RUN;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static inline void ktap_plan(int tests)
{
	printf("KTAP version 1\n1..%d\n", tests);
}

/* "ok N DESCRIPTION" or "not ok N DESCRIPTION"; N counts from 1. */
static inline __attribute__((format(printf, 2, 3)))
void ktap_result(int ok, const char *fmt, ...)
{
	static int n;
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* The buffers behind a vmm_command(): CMD's words point into them. */
struct vmm_command {
	char *cmd[48];
	char loader[64], lib[64], qemu[64], image[256], append[1024];
};

/*
 * VC->cmd: a Debian QEMU booting /l2/KERNEL/Image and /l2/initramfs.cpio.gz
 * on MACHINE with SMP vCPUs of model CPU and MEM of memory, on KVM, with
 * no firmware (KVM is the SBI), its /init running STEPS (written with
 * SVT_L2_STEP_SEP and SVT_L2_ARG_SEP, decoded here). VMM says which QEMU:
 * "trixie" is Debian 13's, /vmm; any other codename C is /vmm-C (sid's:
 * vmm-sid.sh). Returns how many words CMD has (the caller may add more
 * before the NULL it ends with), or -1, said on stdout, when there is no
 * such kernel or QEMU. The words from the fourth on are QEMU's own (the
 * first three are the loader's).
 */
static inline int vmm_command(struct vmm_command *vc, const char *vmm, const char *kernel,
			      const char *machine, const char *cpu, const char *smp,
			      const char *mem, const char *steps)
{
	char run[900], root[32];
	char *words[] = {
		vc->loader, "--library-path", vc->lib, vc->qemu,
		"-M", (char *)machine, "-accel", "kvm",
		"-cpu", (char *)cpu, "-smp", (char *)smp, "-m", (char *)mem, "-bios", "none",
		"-nographic", "-no-reboot", "-kernel", vc->image,
		"-initrd", "/l2/initramfs.cpio.gz", "-append", vc->append, NULL
	};
	int n = 0;

	snprintf(root, sizeof(root), strcmp(vmm, "trixie") ? "/vmm-%s" : "/vmm", vmm);
	snprintf(vc->loader, sizeof(vc->loader), "%s/lib/ld-linux-riscv64-lp64d.so.1", root);
	snprintf(vc->lib, sizeof(vc->lib), "%s/lib", root);
	snprintf(vc->qemu, sizeof(vc->qemu), "%s/bin/qemu-system-riscv64", root);
	if (access(vc->qemu, X_OK)) {
		printf("l2: %s: %s\n", vc->qemu, strerror(errno));
		return -1;
	}
	snprintf(vc->image, sizeof(vc->image), "/l2/%s/Image", kernel);
	if (access(vc->image, R_OK)) {
		printf("l2: %s: %s\n", vc->image, strerror(errno));
		return -1;
	}
	snprintf(run, sizeof(run), "%s", steps);
	for (char *c = run; *c; c++)
		*c = *c == SVT_L2_STEP_SEP[0] ? SVT_STEP_SEP[0] :
		     *c == SVT_L2_ARG_SEP[0] ? SVT_ARG_SEP[0] : *c;
	snprintf(vc->append, sizeof(vc->append), "console=ttyS0 panic=-1 " SVT_RUN_KEY "=%s",
		 run);
	for (; words[n]; n++)
		vc->cmd[n] = words[n];
	vc->cmd[n] = NULL;
	return n;
}

/*
 * Start VC's command, with IN (or /dev/null, when IN is -1) as its
 * standard input and OUT as its standard output and error, in a process
 * group of its own (so that a watchdog can end it with what it started:
 * kill(-pid, SIGKILL)), after printing it as "WHO: VMM WORD...". Returns
 * the pid, or -1.
 */
static inline pid_t vmm_spawn(struct vmm_command *vc, const char *who, int in, int out)
{
	pid_t pid;

	printf("%s: VMM", who);
	for (char **a = vc->cmd + 3; *a; a++)
		printf(strchr(*a, ' ') ? " '%s'" : " %s", *a);
	printf("\n");
	fflush(stdout);
	pid = fork();
	if (pid > 0)
		setpgid(pid, pid);
	if (pid)
		return pid;
	setpgid(0, 0);
	/* Never closed: QEMU would reuse fd 0 and read its monitor from it. */
	if (in < 0)
		in = open("/dev/null", O_RDONLY);
	if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	execv(vc->cmd[0], vc->cmd);
	printf("%s: exec %s: %s\n", who, vc->cmd[0], strerror(errno));
	_exit(127);
}

static inline char *cmdline_arg(const char *key)
{
	static char buf[4096];
	size_t klen = strlen(key);
	char *tok;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f || !fgets(buf, sizeof(buf), f))
		return NULL;
	fclose(f);
	for (tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n"))
		if (!strncmp(tok, key, klen) && tok[klen] == '=')
			return tok + klen + 1;
	return NULL;
}

#endif
