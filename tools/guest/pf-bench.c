// SPDX-License-Identifier: GPL-2.0
/*
 * pf-bench: page faults per second on fresh anonymous memory.
 *
 *   pf-bench [MiB per round] [rounds]
 *
 * Each round maps MiB of private anonymous memory, writes one byte to
 * every page (one page fault each, each one installing a new user PTE),
 * and unmaps it. On a kernel that knows Svvptc, each of those faults skips
 * the preventive sfence.vma in update_mmu_cache_range(). Prints
 *
 *   pf-bench faults=<n> seconds=<s> faults_per_sec=<rate>
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 32;
	int rounds = argc > 2 ? atoi(argv[2]) : 8;
	long page = sysconf(_SC_PAGESIZE);
	size_t len = mib << 20, faults = 0;
	double t0, t;

	t0 = now();
	for (int r = 0; r < rounds; r++) {
		volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			perror("pf-bench: mmap");
			return 1;
		}
		for (size_t off = 0; off < len; off += page, faults++)
			p[off] = 1;
		munmap((void *)p, len);
	}
	t = now() - t0;
	printf("pf-bench faults=%zu seconds=%.3f faults_per_sec=%.0f\n",
	       faults, t, faults / t);
	return 0;
}
