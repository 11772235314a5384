// SPDX-License-Identifier: GPL-2.0
/*
 * clock-test: can userspace read the clock on every hart?
 *
 * For each CPU, pinned to it, in a child process of its own (so that a
 * SIGILL ends the child, not the test): reads the time CSR with rdtime,
 * then CLOCK_MONOTONIC with clock_gettime() (the vDSO, which reads the same
 * CSR), a few milliseconds apart. Both must work and go forward. Prints
 *
 *   clock cpus=<n>
 *   clock cpu=<i> rdtime=ok first=<ticks> last=<ticks>
 *   clock cpu=<i> clock_gettime=ok first=<ns> last=<ns>
 *   clock cpu=<i> rdtime=SIGILL            (or any other signal/failure)
 *
 * and exits 0 only when every line says ok.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t read_rdtime(void)
{
	uint64_t t;

	asm volatile ("rdtime %0" : "=r" (t));
	return t;
}

static uint64_t read_monotonic(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* In the child: the first and last of a few reads must go forward. */
static int sample(uint64_t (*read)(void), const char *what, int cpu)
{
	struct timespec pause = { 0, 2 * 1000 * 1000 };
	uint64_t first, prev, t;

	first = prev = read();
	for (int i = 0; i < 4; i++) {
		nanosleep(&pause, NULL);
		t = read();
		if (t < prev) {
			printf("clock cpu=%d %s=backwards prev=%llu now=%llu\n", cpu, what,
			       (unsigned long long)prev, (unsigned long long)t);
			return 1;
		}
		prev = t;
	}
	if (prev <= first) {
		printf("clock cpu=%d %s=stuck value=%llu\n", cpu, what,
		       (unsigned long long)first);
		return 1;
	}
	printf("clock cpu=%d %s=ok first=%llu last=%llu\n", cpu, what,
	       (unsigned long long)first, (unsigned long long)prev);
	return 0;
}

static int on_cpu(int cpu, uint64_t (*read)(void), const char *what)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			printf("clock cpu=%d %s=no-affinity\n", cpu, what);
			_exit(1);
		}
		_exit(sample(read, what, cpu));
	}
	if (waitpid(pid, &status, 0) < 0)
		return 1;
	if (WIFSIGNALED(status)) {
		printf("clock cpu=%d %s=SIG%s\n", cpu, what, sigabbrev_np(WTERMSIG(status)));
		return 1;
	}
	return WEXITSTATUS(status) != 0;
}

int main(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("clock cpus=%ld\n", cpus);
	for (int cpu = 0; cpu < cpus; cpu++) {
		bad |= on_cpu(cpu, read_rdtime, "rdtime");
		bad |= on_cpu(cpu, read_monotonic, "clock_gettime");
	}
	return bad;
}
