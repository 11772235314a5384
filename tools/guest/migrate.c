// SPDX-License-Identifier: GPL-2.0
/*
 * migrate: live-migrate an L2 guest from one of Debian's QEMUs to another,
 * both on the L1 kernel's KVM, as an operator's VMM does: QEMU's own
 * migration code, its dirty logging through KVM_GET_DIRTY_LOG /
 * KVM_CLEAR_DIRTY_LOG, its switch-over.
 *
 *   migrate KERNEL MACHINE MEM QEMU CPU SMP STEPS [TIMEOUT]
 *
 * Boots the source as l2.c boots its guest (MACHINE is its -M, '+'
 * standing for ','; MEM its -m, "+hugetlb" after it backing the guest's
 * memory with 2 MiB hugetlb pages; QEMU which Debian QEMU: trixie, or
 * sid for /vmm-sid), and waits for the guest to print SVT_MIG_READY
 * (mig-pattern.c, one of STEPS). The destination is started with
 * -incoming and -cpu CPU plus every extension of EXTS the source's vCPU
 * has on, so that the destination's KVM has to take the source's values;
 * then the source's monitor migrates. The transport is QEMU's exec: (cat
 * into a FIFO), the monitors are QEMU's human monitor on FIFOs: the test
 * kernels have no sockets. When the migration has completed, the source
 * quits, SVT_MIG_SWITCHED goes to the destination's serial port, and the
 * guest goes on there: its /init runs the rest of STEPS.
 *
 * Besides the guest's console ("L2 " before each line, the source's and
 * then the destination's), it prints what each VMM's vCPU 0 has of EXTS
 * (QEMU's view, qom-get: what it read from or wrote to KVM) and the
 * migration's figures, from the source's "info migrate":
 *
 *   migrate: source isa svvptc=true ztso=true ...
 *   migrate: destination isa svvptc=true ztso=true ...
 *   migrate: status=completed total_ms=T downtime_ms=D setup_ms=S
 *            dirty_syncs=N transferred_kb=K normal_pages=P
 *
 * Exits 0 when the migration completed and the guest finished its steps
 * on the destination; 1 when it did not (a line says why: a VMM's exit
 * or signal, a failed migration, a guest that did not finish within
 * AFTER_S of the switch-over); 124 after TIMEOUT seconds (default 600).
 * Both VMMs and what they started are killed whenever the step ends.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest.h"

#define DIR		"/mig"
#define STREAM		DIR "/stream"
#define PROMPT		"(qemu) "
/* Which extensions are compared: the series' two, and the four 6.12's KVM
 * must never give a guest (ids 62..65 stay absent). */
static const char *const EXTS[] = { "svvptc", "ztso", "svade", "svadu", "ssnpm", "smnpm" };
#define NEXTS		(sizeof(EXTS) / sizeof(EXTS[0]))
/* Switch over once what is left can be copied in this many milliseconds:
 * TCG copies slowly, and a guest that rewrites its memory as fast as the
 * copy goes must still converge. */
#define DOWNTIME_MS	2000
/* How long the source has to quit and the guest to finish its steps
 * after the switch-over: a migrated guest that lost a vCPU or its
 * interrupts stalls, and the step must say so long before the L1 boot's
 * own watchdog. */
#define AFTER_S		60

/* One VMM: its console (QEMU's stdout and stderr), its monitor's FIFOs. */
struct vmm {
	const char *name;
	pid_t pid;
	int con, mon_in, mon_out, eof, ready, done;
	char line[4096];
	size_t len;
	char mon[65536], mon_arg[64];
	size_t mlen;
};

static struct vmm src = { .name = "source", .pid = -1, .con = -1, .mon_out = -1 };
static struct vmm dst = { .name = "destination", .pid = -1, .con = -1, .mon_out = -1 };
static volatile sig_atomic_t timed_out;
static int switched;

static void kill_all(void)
{
	if (src.pid > 0)
		kill(-src.pid, SIGKILL);
	if (dst.pid > 0)
		kill(-dst.pid, SIGKILL);
}

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	kill_all();
}

static void console_line(struct vmm *v)
{
	v->line[v->len] = '\0';
	v->line[strcspn(v->line, "\r")] = '\0';
	printf(SVT_L2_PREFIX "%s\n", v->line);
	if (!strcmp(v->line, SVT_MIG_READY))
		v->ready = 1;
	if (!strcmp(v->line, SVT_DONE))
		v->done = 1;
	v->len = 0;
}

/* Read what V's console and monitor have, printing whole console lines. */
static void take(struct vmm *v, struct pollfd *p)
{
	char buf[4096];
	ssize_t n;

	if (p[0].revents) {
		n = read(v->con, buf, sizeof(buf));
		if (n <= 0) {
			if (v->len)
				console_line(v);
			v->eof = 1;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' || v->len == sizeof(v->line) - 1)
				console_line(v);
			if (buf[i] != '\n')
				v->line[v->len++] = buf[i];
		}
	}
	if (p[1].revents) {
		n = read(v->mon_out, v->mon + v->mlen, sizeof(v->mon) - 1 - v->mlen);
		if (n > 0)
			v->mlen += n;
		v->mon[v->mlen] = '\0';
		if (v->mlen == sizeof(v->mon) - 1)
			v->mlen = 0;
	}
}

/* Wait up to MS milliseconds for either VMM to say something. */
static void pump(int ms)
{
	struct pollfd p[4];
	struct vmm *v[2] = { &src, &dst };

	for (int i = 0; i < 2; i++) {
		p[2 * i] = (struct pollfd){ .fd = v[i]->eof ? -1 : v[i]->con, .events = POLLIN };
		p[2 * i + 1] = (struct pollfd){ .fd = v[i]->mon_out, .events = POLLIN };
	}
	if (poll(p, 4, ms) <= 0)
		return;
	for (int i = 0; i < 2; i++)
		take(v[i], p + 2 * i);
}

/*
 * V's monitor's answer to a command: the text between the command's echo
 * (the human monitor echoes what it reads, with terminal escapes) and
 * the next prompt. NULL when the VMM went away first. The first call,
 * with no command, waits for the monitor's first prompt.
 */
static __attribute__((format(printf, 2, 3)))
char *monitor(struct vmm *v, const char *fmt, ...)
{
	char cmd[256];
	va_list ap;
	char *reply, *end;

	v->mlen = 0;
	v->mon[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
		va_end(ap);
		strcat(cmd, "\n");
		if (write(v->mon_in, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
			return NULL;
	}
	for (;;) {
		reply = fmt ? strchr(v->mon, '\n') : v->mon;
		end = reply ? strstr(reply, PROMPT) : NULL;
		if (end) {
			*end = '\0';
			return reply + !!fmt;
		}
		if (v->eof)
			return NULL;
		pump(1000);
	}
}

/*
 * Where the first of OLD and NEW is in TEXT, just after the key, or NULL.
 * QEMU 10.0 and older print "info migrate" a line per figure ("total
 * time: 1234 ms"), 10.1 and newer as KEY=VALUE lists ("Time (ms):
 * total=1234, setup=5, down=71"); a key is only taken at a word's start
 * (so "down=" is not "exp_down=").
 */
static const char *after(const char *text, const char *old, const char *new)
{
	const char *keys[] = { old, new };

	for (size_t i = 0; i < 2; i++)
		for (const char *at = strstr(text, keys[i]); at; at = strstr(at + 1, keys[i]))
			if (at == text || strchr(" \t,\n", at[-1]))
				return at + strlen(keys[i]);
	return NULL;
}

/* The number after OLD or NEW in TEXT, or -1. */
static long field(const char *text, const char *old, const char *new)
{
	const char *at = after(text, old, new);

	return at ? strtol(at, NULL, 10) : -1;
}

/* The size after OLD or NEW in TEXT in KiB ("1234 kbytes", 10.0; "43.3
 * MiB", 10.1 on), or -1. */
static long field_kib(const char *text, const char *old, const char *new)
{
	const char *units[] = { "B", "KiB", "MiB", "GiB" }, *at = after(text, old, new);
	double v, scale = 1.0 / 1024;
	char *end;

	if (!at)
		return -1;
	v = strtod(at, &end);
	end += strspn(end, " ");
	if (!strncmp(end, "kbytes", 6))
		return (long)v;
	for (size_t i = 0; i < 4; i++, scale *= 1024)
		if (!strncmp(end, units[i], strlen(units[i])) && !isalpha((unsigned char)end[strlen(units[i])]))
			return (long)(v * scale);
	return -1;
}

/* The migration's state: the word after "Migration status:" (10.0) or
 * "Status:" (10.1 on), into BUF; BUF is empty when neither is there. */
static const char *mig_status(const char *text, char *buf, size_t size)
{
	const char *at = strstr(text, "Migration status:");

	at = at ? at + strlen("Migration status:") : strstr(text, "Status:");
	if (at && !strncmp(at, "Status:", 7))
		at += 7;
	buf[0] = '\0';
	if (at) {
		at += strspn(at, " \t");
		snprintf(buf, size, "%.*s", (int)strcspn(at, " \t\r\n"), at);
	}
	return buf;
}

/* ON[i]: whether V's vCPU 0 has EXTS[i] on, as QEMU has it; printed. */
static int isa(struct vmm *v, int *on)
{
	printf("migrate: %s isa", v->name);
	for (size_t i = 0; i < NEXTS; i++) {
		char *r = monitor(v, "qom-get /machine/soc0/harts[0] %s", EXTS[i]);

		if (!r)
			return -1;
		r[strcspn(r, "\r\n")] = '\0';
		on[i] = !strcmp(r, "true");
		printf(" %s=%s", EXTS[i], on[i] || !strcmp(r, "false") ? r : "?");
	}
	printf("\n");
	return 0;
}

static int start(struct vmm *v, struct vmm_command *vc, int n, int in)
{
	char in_fifo[64], out_fifo[64];
	int fds[2];

	snprintf(in_fifo, sizeof(in_fifo), DIR "/%s.in", v->name);
	snprintf(out_fifo, sizeof(out_fifo), DIR "/%s.out", v->name);
	vc->cmd[n++] = "-monitor";
	vc->cmd[n++] = v->mon_arg;
	vc->cmd[n] = NULL;
	snprintf(v->mon_arg, sizeof(v->mon_arg), "pipe:" DIR "/%s", v->name);
	if ((mkfifo(in_fifo, 0600) && errno != EEXIST) ||
	    (mkfifo(out_fifo, 0600) && errno != EEXIST))
		return -1;
	/* Read-write, so that neither open waits for QEMU's. */
	v->mon_in = open(in_fifo, O_RDWR | O_CLOEXEC);
	v->mon_out = open(out_fifo, O_RDWR | O_CLOEXEC);
	if (v->mon_in < 0 || v->mon_out < 0 || pipe2(fds, O_CLOEXEC))
		return -1;
	v->pid = vmm_spawn(vc, "migrate", in, fds[1]);
	close(fds[1]);
	v->con = fds[0];
	if (v->pid < 0 || !monitor(v, NULL)) {
		printf("migrate: the %s VMM did not start\n", v->name);
		return -1;
	}
	return 0;
}

/*
 * Run a monitor command that answers nothing when it succeeds; an
 * answer is QEMU refusing it, said in a line. Returns 0 on success.
 */
static __attribute__((format(printf, 2, 3)))
int command(struct vmm *v, const char *fmt, ...)
{
	char cmd[256], *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = monitor(v, "%s", cmd);
	if (!r)
		return -1;
	r[strcspn(r, "\r\n")] = '\0';
	if (!r[0])
		return 0;
	printf("migrate: the %s QEMU refused \"%s\": %s\n", v->name, cmd, r);
	return -1;
}

/* How V ended, said in a line unless the watchdog killed it; 0 when it
 * exited 0. */
static int ended(struct vmm *v)
{
	int rc;

	while (!v->eof)
		pump(1000);
	rc = guest_wait(v->pid);
	v->pid = -1;
	if (rc && !timed_out)
		printf("migrate: the %s VMM failed (%s %d)\n", v->name,
		       rc > 128 ? "signal" : "exit", rc > 128 ? rc - 128 : rc);
	return rc;
}

static int migrate(void)
{
	char *r, st[32], last[32] = "";

	if (command(&src, "migrate_set_parameter downtime-limit %d", DOWNTIME_MS) ||
	    command(&src, "migrate -d \"exec:cat>" STREAM "\""))
		return -1;
	for (;;) {
		pump(250);
		r = monitor(&src, "info migrate");
		if (!r)
			return -1;
		mig_status(r, st, sizeof(st));
		if (strcmp(st, last)) {
			printf("migrate: source migration status %s\n", st[0] ? st : "unknown");
			if (!st[0])
				printf("migrate: info migrate said: %s", r);
			fflush(stdout);
			snprintf(last, sizeof(last), "%s", st);
		}
		if (!strcmp(st, "completed"))
			break;
		if (!strcmp(st, "failed") || !strcmp(st, "cancelled")) {
			printf("migrate: status=%s: %s", st, r);
			return -1;
		}
	}
	printf("migrate: status=completed total_ms=%ld downtime_ms=%ld setup_ms=%ld dirty_syncs=%ld "
	       "transferred_kb=%ld normal_pages=%ld\n", field(r, "total time: ", "total="),
	       field(r, "downtime: ", "down="), field(r, "setup: ", "setup="),
	       field(r, "dirty sync count: ", "dirty_syncs="),
	       field_kib(r, "transferred ram: ", "transferred="), field(r, "normal: ", "normal="));
	if (field(r, "dirty sync count: ", "dirty_syncs=") < 0)
		printf("migrate: info migrate said: %s", r);
	return 0;
}

/*
 * VC with N words: MEM ("128M", or "64M+hugetlb": the guest's memory on
 * 2 MiB hugetlb pages, a memfd backend) added. Returns the new N.
 */
static int memory(struct vmm_command *vc, int n, const char *mem, char *backend, size_t size)
{
	size_t len = strcspn(mem, "+");

	if (!mem[len])
		return n;
	snprintf(backend, size, "memory-backend-memfd,id=ram,size=%.*s,hugetlb=on,hugetlbsize=2M",
		 (int)len, mem);
	vc->cmd[n++] = "-object";
	vc->cmd[n++] = backend;
	vc->cmd[n++] = "-machine";
	vc->cmd[n++] = "memory-backend=ram";
	return n;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int timeout = argc > 8 ? atoi(argv[8]) : 600;
	int n, in[2], src_on[NEXTS], dst_on[NEXTS], rc = 1;
	char machine[256], cpu[256], mem[32], backend[2][128], *r;
	const char *qemu;
	struct vmm_command vs, vd;

	if (argc < 8) {
		fprintf(stderr, "usage: migrate KERNEL MACHINE MEM QEMU CPU SMP STEPS [TIMEOUT]\n");
		return 2;
	}
	snprintf(machine, sizeof(machine), "%s", argv[2]);
	for (char *c = machine; *c; c++)
		*c = *c == '+' ? ',' : *c;
	snprintf(mem, sizeof(mem), "%.*s", (int)strcspn(argv[3], "+"), argv[3]);
	qemu = argv[4];
	/* exec: runs its command with /bin/sh: busybox's, from /vmm. */
	if ((access("/bin/sh", X_OK) && symlink("/vmm/bin/busybox", "/bin/sh")) ||
	    (access("/bin/cat", X_OK) && symlink("/vmm/bin/busybox", "/bin/cat")) ||
	    (mkdir(DIR, 0700) && errno != EEXIST) || (mkfifo(STREAM, 0600) && errno != EEXIST) ||
	    pipe2(in, O_CLOEXEC)) {
		perror("migrate: setting up " DIR);
		return 1;
	}
	sigaction(SIGALRM, &sa, NULL);
	alarm(timeout);

	n = vmm_command(&vs, qemu, argv[1], machine, argv[5], argv[6], mem, argv[7]);
	if (n < 0)
		goto out;
	n = memory(&vs, n, argv[3], backend[0], sizeof(backend[0]));
	if (start(&src, &vs, n, -1))
		goto out;
	while (!src.ready && !src.eof)
		pump(1000);
	if (!src.ready) {
		printf("migrate: the guest did not get ready on the source\n");
		goto out;
	}
	if (isa(&src, src_on))
		goto out;
	n = snprintf(cpu, sizeof(cpu), "%s", argv[5]);
	for (size_t i = 0; i < NEXTS; i++)
		if (src_on[i])
			n += snprintf(cpu + n, sizeof(cpu) - n, ",%s=on", EXTS[i]);
	n = vmm_command(&vd, qemu, argv[1], machine, cpu, argv[6], mem, argv[7]);
	if (n < 0)
		goto out;
	n = memory(&vd, n, argv[3], backend[1], sizeof(backend[1]));
	vd.cmd[n++] = "-incoming";
	vd.cmd[n++] = "exec:cat " STREAM;
	if (start(&dst, &vd, n, in[0]) || migrate() || isa(&dst, dst_on))
		goto out;
	r = monitor(&dst, "info status");
	printf("migrate: destination %s", r ? r : "gone\n");
	/* From here on, the switch-over's own watchdog. */
	switched = 1;
	alarm(AFTER_S);
	monitor(&src, "quit");
	if (ended(&src))
		goto out;
	if (write(in[1], SVT_MIG_SWITCHED "\n", strlen(SVT_MIG_SWITCHED) + 1) < 0)
		goto out;
	if (ended(&dst))
		goto out;
	if (!dst.done) {
		printf("migrate: the L2 /init did not finish its steps on the destination\n");
		goto out;
	}
	rc = 0;
out:
	alarm(0);
	/* A VMM that went away by itself says how; a destination whose
	 * source died gets a few seconds to say what it made of that. */
	if (rc && !timed_out && src.eof && src.pid > 0) {
		ended(&src);
		for (int i = 0; i < 10 && dst.pid > 0 && !dst.eof; i++)
			pump(500);
		if (dst.eof && dst.pid > 0)
			ended(&dst);
	}
	kill_all();
	if (src.pid > 0)
		guest_wait(src.pid);
	if (dst.pid > 0)
		guest_wait(dst.pid);
	if (timed_out && switched) {
		printf("migrate: the guest did not finish its steps within %ds of the switch-over%s, "
		       "both VMMs killed\n", AFTER_S, src.eof ? "" : " (the source had not quit)");
		return 1;
	}
	if (timed_out) {
		printf("migrate: timed out after %ds, both VMMs killed\n", timeout);
		return 124;
	}
	return rc;
}
