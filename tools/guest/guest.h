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
 * ktap_plan() and ktap_result() print KTAP, the kernel's test output
 * format, for a program that judges itself (see clock-test.c).
 */
#ifndef GUEST_H
#define GUEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>

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
