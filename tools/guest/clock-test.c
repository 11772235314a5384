// SPDX-License-Identifier: GPL-2.0
/*
 * clock-test: can userspace read the clock on every hart?
 *
 * For each CPU, pinned to it, in a child process of its own (so that a
 * SIGILL ends the child, not the test): reads the time CSR with rdtime,
 * then CLOCK_MONOTONIC with clock_gettime() (the vDSO, which reads the same
 * CSR), a few milliseconds apart. Both must work and go forward. Prints
 * KTAP, one test per hart and clock read:
 *
 *   KTAP version 1
 *   1..<2 * harts>
 *   # cpu=<i> rdtime first=<ticks> last=<ticks>
 *   ok 1 cpu=<i> rdtime
 *   not ok 2 cpu=<i> clock_gettime: SIGILL      (or any other failure)
 *
 * and exits 0 only when every test is ok.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

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
			printf("# cpu=%d %s backwards prev=%llu now=%llu\n", cpu, what,
			       (unsigned long long)prev, (unsigned long long)t);
			return 1;
		}
		prev = t;
	}
	if (prev <= first) {
		printf("# cpu=%d %s stuck value=%llu\n", cpu, what,
		       (unsigned long long)first);
		return 1;
	}
	printf("# cpu=%d %s first=%llu last=%llu\n", cpu, what,
	       (unsigned long long)first, (unsigned long long)prev);
	return 0;
}

static int on_cpu(int cpu, uint64_t (*read)(void), const char *what)
{
	pid_t pid;
	int rc;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			printf("# cpu=%d %s: cannot run there\n", cpu, what);
			_exit(1);
		}
		_exit(sample(read, what, cpu));
	}
	rc = guest_wait(pid);
	if (rc > 128)
		ktap_result(0, "cpu=%d %s: SIG%s", cpu, what, sigabbrev_np(rc - 128));
	else
		ktap_result(!rc, "cpu=%d %s%s", cpu, what, rc ? ": failed" : "");
	return rc != 0;
}

int main(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ktap_plan(2 * cpus);
	for (int cpu = 0; cpu < cpus; cpu++) {
		bad |= on_cpu(cpu, read_rdtime, "rdtime");
		bad |= on_cpu(cpu, read_monotonic, "clock_gettime");
	}
	return bad;
}
