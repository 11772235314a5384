// SPDX-License-Identifier: GPL-2.0
/*
 * mig-pattern: the guest half of the live migration check; migrate.c is
 * the VMM half, in L1.
 *
 *   mig-pattern MIB [MS]
 *
 * Fills MIB MiB of anonymous memory with a pattern whose every 8-byte
 * word names its pass, its page and its place in the page, then keeps
 * going round it: each page is checked against what the last pass wrote
 * there, then written with the next pass's pattern. After the first
 * pass it prints SVT_MIG_READY (the VMM starts migrating), and carries on
 * while the guest is copied, resting MS milliseconds (default 0) after
 * each MiB so that it dirties its memory more slowly than an emulated
 * host copies it. When the line SVT_MIG_SWITCHED reaches its
 * console (the VMM writes it to the destination's serial port after the
 * switch-over), it goes round once more, so that the destination checks
 * every page, and prints its counts:
 *
 *   mig-pattern: pages=N passes=P checked=C checked-after-switch=S wrong=W
 *
 * A page that does not hold what was last written there is wrong: the
 * first one is printed with its address and with the pass whose word it
 * holds (a lost dirty page holds an older pass's), and the program
 * exits 1.
 */
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

#define PAGE		4096UL
#define WORDS		(PAGE / sizeof(uint64_t))
#define SALT		0x5a5a0f0f3c3c9696ULL
/* Check the console for SVT_MIG_SWITCHED every this many pages. */
#define POLL_EVERY	256
#define MIB_PAGES	(1024 * 1024 / PAGE)

static uint64_t word(uint64_t pass, uint64_t page, uint64_t i)
{
	return (pass << 44 ^ page << 9 ^ i) ^ SALT;
}

static int switched(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	char line[128];
	ssize_t n;

	if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
		return 0;
	n = read(0, line, sizeof(line) - 1);
	if (n <= 0)
		return 0;
	line[n] = '\0';
	return !!strstr(line, SVT_MIG_SWITCHED);
}

int main(int argc, char **argv)
{
	uint64_t pages, passes = 1, checked = 0, after = 0, wrong = 0;
	uint64_t switch_page = 0, switch_pass = 0, page;
	volatile uint64_t *mem;
	int at_switch = 0, ms = argc > 2 ? atoi(argv[2]) : 0;
	struct timespec rest = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };

	if (argc < 2 || argc > 3 || atoi(argv[1]) <= 0 || ms < 0) {
		fprintf(stderr, "usage: mig-pattern MIB [MS]\n");
		return 2;
	}
	pages = (uint64_t)atoi(argv[1]) * MIB_PAGES;
	mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED) {
		perror("mig-pattern: mmap");
		return 1;
	}
	for (page = 0; page < pages; page++)
		for (uint64_t i = 0; i < WORDS; i++)
			mem[page * WORDS + i] = word(1, page, i);
	printf("mig-pattern: pages=%" PRIu64 " va=%p\n%s\n", pages, (void *)mem, SVT_MIG_READY);
	fflush(stdout);

	for (;;) {
		passes++;
		for (page = 0; page < pages; page++) {
			volatile uint64_t *p = mem + page * WORDS;

			if (at_switch && passes == switch_pass + 1 && page == switch_page)
				goto done;
			if (!at_switch && !(page % POLL_EVERY) && switched()) {
				at_switch = 1;
				switch_pass = passes;
				switch_page = page;
			}
			if (!at_switch && ms && !(page % MIB_PAGES))
				nanosleep(&rest, NULL);
			for (uint64_t i = 0; i < WORDS; i++) {
				uint64_t want = word(passes - 1, page, i), got = p[i];

				if (got == want)
					continue;
				if (!wrong++) {
					uint64_t x = got ^ SALT;

					printf("mig-pattern: first wrong page va=%p (page %" PRIu64
					       "), word %" PRIu64 ": want 0x%016" PRIx64 " (pass %"
					       PRIu64 "), got 0x%016" PRIx64 " (%s pass %" PRIu64
					       ")%s\n", (void *)p, page, i, want, passes - 1, got,
					       (x & 0xfffffffffffULL) == (page << 9 ^ i) ?
					       "the word of" : "not even a word of, say",
					       x >> 44, at_switch ? ", after the switch-over line" :
					       ", before the switch-over line");
					fflush(stdout);
				}
				break;
			}
			checked++;
			after += at_switch;
			for (uint64_t i = 0; i < WORDS; i++)
				p[i] = word(passes, page, i);
		}
	}
done:
	printf("mig-pattern: pages=%" PRIu64 " passes=%" PRIu64 " checked=%" PRIu64
	       " checked-after-switch=%" PRIu64 " wrong=%" PRIu64 "\n",
	       pages, passes, checked, after, wrong);
	return wrong ? 1 : 0;
}
