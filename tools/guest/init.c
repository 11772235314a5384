// SPDX-License-Identifier: GPL-2.0
/*
 * /init for the test guests. Mounts what the tests need, runs the steps
 * named on the kernel command line, frames each step's output so the host
 * can parse it, and powers the machine off.
 *
 *   svt.run=STEP[,STEP...]
 *
 * A step is one of the built-ins below or the name of a program in /bin
 * (arguments follow the name, separated by ':'); repeat:N:STEP runs the
 * program of STEP N times in one step (make bench: a warm-up run, then
 * the runs it takes the median of). Output:
 *
 *   SVT-BEGIN <step>
 *   ...what the step printed...
 *   SVT-END <step> rc=<exit status, or 128+signal>
 *   SVT-DONE
 *
 * The words, separators and marks are protocol.h's (Documentation/
 * design.rst, "The guest protocol").
 *
 * Each SVT-BEGIN line is followed by a begin mark, each SVT-END line
 * preceded by an end mark (guest.h), so a QEMU plugin that counts what the
 * guest executes (tools/plugin/fence-count.c) can tell the steps apart: its marks
 * come in the order of these lines. The L2 guests run this /init too;
 * their marks come between those of the L1 step that runs them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest.h"

#define DT_ISA "/sys/firmware/devicetree/base/cpus/cpu@0/riscv,isa-extensions"

static void mount_one(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, NULL) && errno != EBUSY)
		printf("init: mount %s on %s: %s\n", type, dir, strerror(errno));
}

/* The "isa" line of the first hart in /proc/cpuinfo. */
static int step_cpuinfo(void)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "isa\t", 4)) {
			printf("cpuinfo %s", line);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return 1;
}

/* What the VMM put in the device tree: NUL-separated names, one line. */
static int step_dt_isa(void)
{
	char buf[8192];
	ssize_t n, i;
	int fd = open(DT_ISA, O_RDONLY);

	if (fd < 0)
		return 1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	for (i = 0; i < n - 1; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[n - 1] = '\0';
	printf("dt-isa %s\n", buf);
	return 0;
}

static int run_program(char *step)
{
	char *argv[16], path[256];
	int argc = 0;
	pid_t pid;

	for (char *tok = strtok(step, SVT_ARG_SEP); tok && argc < 15;
	     tok = strtok(NULL, SVT_ARG_SEP))
		argv[argc++] = tok;
	argv[argc] = NULL;
	/* The KVM selftests load guest code from their own ELF file (argv[0]). */
	snprintf(path, sizeof(path), "/bin/%s", argv[0]);
	argv[0] = path;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return SVT_RC_NOT_RUN;
	if (!pid) {
		execv(path, argv);
		printf("init: exec %s: %s\n", path, strerror(errno));
		_exit(SVT_RC_NOT_RUN);
	}
	return guest_wait(pid);
}

/* repeat:N:PROGRAM[:ARGS]: the program N times; the first failure ends it. */
static int step_repeat(const char *args)
{
	char *end, prog[1024];
	long n = strtol(args, &end, 10);
	int rc = 0;

	if (end == args || *end != SVT_ARG_SEP[0] || n < 1) {
		printf("init: repeat:%s: want repeat:N:PROGRAM[:ARGS]\n", args);
		return 2;
	}
	for (long i = 0; i < n && !rc; i++) {
		snprintf(prog, sizeof(prog), "%s", end + 1);
		rc = run_program(prog);
	}
	return rc;
}

int main(void)
{
	char *steps, *save, *step;

	mount_one("proc", "/proc", "proc");
	mount_one("sysfs", "/sys", "sysfs");
	mount_one("devtmpfs", "/dev", "devtmpfs");
	mount_one("tmpfs", "/tmp", "tmpfs");
	setvbuf(stdout, NULL, _IOLBF, 0);

	steps = cmdline_arg(SVT_RUN_KEY);
	if (!steps)
		steps = "cpuinfo";
	steps = strdup(steps);

	for (step = strtok_r(steps, SVT_STEP_SEP, &save); step;
	     step = strtok_r(NULL, SVT_STEP_SEP, &save)) {
		char name[256];
		int rc;

		snprintf(name, sizeof(name), "%s", step);
		printf(SVT_BEGIN " %s\n", name);
		svt_mark(0);
		if (!strcmp(step, "cpuinfo"))
			rc = step_cpuinfo();
		else if (!strcmp(step, "dt-isa"))
			rc = step_dt_isa();
		else if (!strncmp(step, "repeat:", 7))
			rc = step_repeat(step + 7);
		else
			rc = run_program(step);
		svt_mark(1);
		printf(SVT_END " %s " SVT_RC "%d\n", name, rc);
	}
	printf(SVT_DONE "\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
