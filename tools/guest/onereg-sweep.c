// SPDX-License-Identifier: GPL-2.0
/*
 * onereg-sweep: random KVM_GET_ONE_REG/KVM_SET_ONE_REG on a fresh vCPU.
 *
 *   onereg-sweep [SEED] [N]
 *
 * N (default 20000) register ids of every RISC-V ONE_REG type, size and
 * index: half from KVM_GET_REG_LIST, a quarter of them mutated (size, or
 * one bit of subtype/index), a quarter random. Each gets a GET, then a SET
 * of the value read (listed ids) or of a random value. The vCPU never runs.
 * The seed (default: the clock) replays the same sequence (splitmix64).
 *
 * Fails ("onereg-sweep: FAIL" lines, exit 1) when an errno is not ENOENT,
 * EINVAL, EBUSY, E2BIG or EOPNOTSUPP; when a GET writes past the register
 * size (or at all, failing); when afterwards a listed ISA_EXT register
 * changed without a successful SET of a new value addressing it (itself,
 * its MULTI_EN/MULTI_DIS bit, config.isa); when KVM_GET_REG_LIST then
 * differs from that of a fresh vCPU given the same ISA and SBI extension
 * values; when ids 62..65 (reserved) do not read ENOENT. The harness
 * checks the console for kernel crashes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <linux/kvm.h>

#define ID_TYPE(id)	((id) & KVM_REG_RISCV_TYPE_MASK)
#define ID_SUB(id)	((id) & KVM_REG_RISCV_SUBTYPE_MASK)
#define ID_NUM(id)	((id) & ~(KVM_REG_ARCH_MASK | KVM_REG_SIZE_MASK | \
				  KVM_REG_RISCV_TYPE_MASK | KVM_REG_RISCV_SUBTYPE_MASK))
#define ISA_SINGLE(n)	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_ISA_EXT | \
			 KVM_REG_RISCV_ISA_SINGLE | (n))
#define MAX_ISA		1024	/* ids the tracking covers: 16 MULTI regs */
#define GUARD		64

static uint64_t seed, state, nfail;
static uint64_t gets, sets, changed, nerr[134], hist[134];
static uint8_t touched[MAX_ISA];	/* ISA ids a random SET may have changed */

/* splitmix64 */
static uint64_t rnd(void)
{
	uint64_t z = (state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#define fail(id, fmt, ...)						\
	do {								\
		if (nfail++ < 50)					\
			printf("onereg-sweep: FAIL id=0x%llx seed=%llu " fmt "\n", \
			       (unsigned long long)(id),		\
			       (unsigned long long)seed, ##__VA_ARGS__); \
	} while (0)

static struct kvm_reg_list *reg_list(int vcpu)
{
	struct kvm_reg_list probe = { .n = 0 }, *list;

	if (!ioctl(vcpu, KVM_GET_REG_LIST, &probe) || errno != E2BIG)
		return NULL;
	list = calloc(1, sizeof(*list) + probe.n * sizeof(list->reg[0]));
	list->n = probe.n;
	return ioctl(vcpu, KVM_GET_REG_LIST, list) ? NULL : list;
}

static int listed(struct kvm_reg_list *l, uint64_t id)
{
	for (uint64_t i = 0; i < l->n; i++)
		if (l->reg[i] == id)
			return 1;
	return 0;
}

static int is_isa_single(uint64_t id)
{
	return ID_TYPE(id) == KVM_REG_RISCV_ISA_EXT &&
	       ID_SUB(id) == KVM_REG_RISCV_ISA_SINGLE &&
	       KVM_REG_SIZE(id) == 8 && ID_NUM(id) < MAX_ISA;
}

/* One ONE_REG ioctl; returns 0 or the errno, counting and checking it. */
static int one_reg(int vcpu, unsigned long req, uint64_t id, void *buf)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)buf };
	int e;

	if (!ioctl(vcpu, req, &r))
		return 0;
	e = errno;
	nerr[e < 133 ? e : 133]++;
	if (e != ENOENT && e != EINVAL && e != EBUSY && e != E2BIG && e != EOPNOTSUPP)
		fail(id, "%s: errno %d (%s)", req == KVM_GET_ONE_REG ? "get" : "set",
		     e, strerror(e));
	return e;
}

static uint64_t random_id(struct kvm_reg_list *l)
{
	uint64_t id = l->reg[rnd() % l->n], r = rnd();

	switch (r % 8) {
	case 0: case 1: case 2: case 3:
		return id;
	case 4:
		return (id & ~KVM_REG_SIZE_MASK) | (rnd() % 8) << KVM_REG_SIZE_SHIFT;
	case 5:		/* flip a bit of the index or the subtype */
		return id ^ 1ULL << (rnd() % 24);
	}
	/* A random id: mostly small indices, some with bits 32..51 set. */
	id = KVM_REG_RISCV | (rnd() % 12) << KVM_REG_RISCV_TYPE_SHIFT |
	     (r & 8 ? 0 : (rnd() % 4) << KVM_REG_RISCV_SUBTYPE_SHIFT) |
	     (r & 16 ? KVM_REG_SIZE_U64 : (rnd() % 8) << KVM_REG_SIZE_SHIFT);
	switch ((r >> 5) % 4) {
	case 0: return id | rnd() % 4;
	case 1: return id | rnd() % 256;
	case 2: return id | (rnd() & 0xffff);
	}
	return id | (rnd() & 0xffff) | (rnd() & 0xfffff) << 32;
}

static void sweep_one(int vcpu, struct kvm_reg_list *l0, uint64_t id)
{
	uint8_t buf[128 + GUARD], old[sizeof(buf)];
	size_t size = KVM_REG_SIZE(id);
	int got, i;

	memset(buf, 0x5a, sizeof(buf));
	gets++;
	got = !one_reg(vcpu, KVM_GET_ONE_REG, id, buf);
	for (i = got ? size : 0; i < (int)sizeof(buf); i++)
		if (buf[i] != 0x5a) {
			fail(id, "get wrote byte %d of a %zu-byte register", i, size);
			break;
		}
	memcpy(old, buf, size);
	if (!got || !listed(l0, id)) {
		int kind = rnd() % 4;

		for (i = 0; i < (int)size; i++)
			buf[i] = kind == 0 ? 0 : kind == 1 ? !i : kind == 2 ? 0xff : rnd();
	}
	sets++;
	if (one_reg(vcpu, KVM_SET_ONE_REG, id, buf) || (got && !memcmp(old, buf, size)))
		return;
	changed++;
	/* What a successful SET of a new value may change, in the ISA space. */
	if (is_isa_single(id)) {
		touched[ID_NUM(id)] = 1;
	} else if (ID_TYPE(id) == KVM_REG_RISCV_ISA_EXT && size == 8 && ID_NUM(id) < MAX_ISA / 64) {
		uint64_t v;

		memcpy(&v, buf, 8);
		for (i = 0; i < 64; i++)
			if (v >> i & 1)
				touched[ID_NUM(id) * 64 + i] = 1;
	} else if (ID_TYPE(id) == KVM_REG_RISCV_CONFIG && !ID_SUB(id) &&
		   ID_NUM(id) == KVM_REG_RISCV_CONFIG_REG(isa)) {
		memset(touched, 1, 16);	/* config.isa: single-letter ids 0..15 */
	}
}

int main(int argc, char **argv)
{
	struct kvm_reg_list *l0, *l1, *lt;
	uint64_t n = 20000, i, v, v0[MAX_ISA];
	int kvm, vm, vcpu, twin, e;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	seed = argc > 1 ? strtoull(argv[1], NULL, 0) : ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	if (argc > 2)
		n = strtoull(argv[2], NULL, 0);
	state = seed;
	printf("onereg-sweep seed=%llu n=%llu\n", (unsigned long long)seed, (unsigned long long)n);

	kvm = open("/dev/kvm", O_RDWR);
	vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	vcpu = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
	l0 = vcpu < 0 ? NULL : reg_list(vcpu);
	if (!l0 || !l0->n) {
		perror("onereg-sweep: /dev/kvm, VM, vCPU or KVM_GET_REG_LIST");
		return 2;
	}
	for (i = 0; i < l0->n; i++)
		if (is_isa_single(l0->reg[i]) &&
		    one_reg(vcpu, KVM_GET_ONE_REG, l0->reg[i], &v0[ID_NUM(l0->reg[i])]))
			fail(l0->reg[i], "listed ISA_EXT register does not read");

	for (i = 0; i < n; i++)
		sweep_one(vcpu, l0, random_id(l0));
	memcpy(hist, nerr, sizeof(hist));	/* the sweep's errors only */

	for (i = 0; i < l0->n; i++) {
		uint64_t id = l0->reg[i];

		if (!is_isa_single(id))
			continue;
		if (one_reg(vcpu, KVM_GET_ONE_REG, id, &v))
			fail(id, "listed ISA_EXT register no longer reads");
		else if (v != v0[ID_NUM(id)] && !touched[ID_NUM(id)])
			fail(id, "ISA_EXT %llu went %llu -> %llu without a SET",
			     (unsigned long long)ID_NUM(id),
			     (unsigned long long)v0[ID_NUM(id)], (unsigned long long)v);
	}
	for (i = 62; i <= 65; i++)
		if (one_reg(vcpu, KVM_GET_ONE_REG, ISA_SINGLE(i), &v) != ENOENT)
			fail(ISA_SINGLE(i), "reserved ISA_EXT %llu does not read ENOENT",
			     (unsigned long long)i);

	/* The register list must be that of a fresh vCPU with the same extensions. */
	twin = ioctl(vm, KVM_CREATE_VCPU, 1);
	l1 = reg_list(vcpu);
	for (i = 0; twin >= 0 && l1 && i < l1->n; i++) {
		uint64_t id = l1->reg[i];

		if ((ID_TYPE(id) != KVM_REG_RISCV_ISA_EXT &&
		     ID_TYPE(id) != KVM_REG_RISCV_SBI_EXT) || ID_SUB(id) ||
		    one_reg(vcpu, KVM_GET_ONE_REG, id, &v))
			continue;
		if (one_reg(twin, KVM_SET_ONE_REG, id, &v))
			fail(id, "cannot give the twin vCPU the value %llu", (unsigned long long)v);
	}
	lt = twin < 0 || !l1 ? NULL : reg_list(twin);
	if (!lt) {
		perror("onereg-sweep: twin vCPU or KVM_GET_REG_LIST");
		return 2;
	}
	for (i = 0; i < l1->n; i++)
		if (!listed(lt, l1->reg[i]))
			fail(l1->reg[i], "listed after the sweep, not on a fresh vCPU");
	for (i = 0; i < lt->n; i++)
		if (!listed(l1, lt->reg[i]))
			fail(lt->reg[i], "listed on a fresh vCPU, not after the sweep");

	printf("onereg-sweep gets=%llu sets=%llu errors=", (unsigned long long)gets,
	       (unsigned long long)sets);
	for (e = 1, i = 0; e < 134; e++)
		if (hist[e])
			printf("%s%s:%llu", i++ ? "," : "", e == 133 ? "other" : strerrorname_np(e),
			       (unsigned long long)hist[e]);
	printf("%s changed=%llu listed=%llu->%llu\n", i ? "" : "none", (unsigned long long)changed,
	       (unsigned long long)l0->n, (unsigned long long)l1->n);
	if (nfail)
		printf("onereg-sweep: FAIL %llu problems (seed=%llu)\n",
		       (unsigned long long)nfail, (unsigned long long)seed);
	return nfail ? 1 : 0;
}
