// SPDX-License-Identifier: GPL-2.0
/*
 * onereg-probe: how a fresh vCPU answers for every KVM ISA_EXT id.
 *
 * For ids 0..PROBE_MAX-1 it prints one line
 *
 *   isa-ext <id> get=<value|ERRNO> set=<ok|ERRNO> clear=<ok|ERRNO|-> listed=<0|1>
 *
 * get:    KVM_GET_ONE_REG on the single-extension register;
 * set:    KVM_SET_ONE_REG writing back the value read (no change), or 1
 *         when the read failed (so an absent id must refuse it);
 * clear:  for an enabled extension, KVM_SET_ONE_REG of 0 (may the VMM
 *         disable it?); re-enabled right after when that worked;
 * listed: whether KVM_GET_REG_LIST (taken before any change) contains it.
 *
 * Uses raw ioctls and numeric ids so the same binary runs on the patched
 * and on the unpatched kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#define PROBE_MAX	80

static const char *err_name(int e)
{
	static char buf[16];

	switch (e) {
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case EBUSY:  return "EBUSY";
	case E2BIG:  return "E2BIG";
	case EFAULT: return "EFAULT";
	}
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

static uint64_t isa_ext_reg(unsigned long id)
{
	return KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_ISA_EXT |
	       KVM_REG_RISCV_ISA_SINGLE | id;
}

int main(void)
{
	struct kvm_reg_list probe = { .n = 0 }, *list;
	int kvm, vm, vcpu;

	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0) {
		perror("onereg-probe: /dev/kvm");
		return 2;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	vcpu = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		perror("onereg-probe: create VM/vCPU");
		return 2;
	}

	if (ioctl(vcpu, KVM_GET_REG_LIST, &probe) == 0 || errno != E2BIG) {
		perror("onereg-probe: KVM_GET_REG_LIST size");
		return 2;
	}
	list = calloc(1, sizeof(*list) + probe.n * sizeof(list->reg[0]));
	list->n = probe.n;
	if (ioctl(vcpu, KVM_GET_REG_LIST, list)) {
		perror("onereg-probe: KVM_GET_REG_LIST");
		return 2;
	}

	for (unsigned long id = 0; id < PROBE_MAX; id++) {
		uint64_t val = 0, reg = isa_ext_reg(id);
		struct kvm_one_reg one = { .id = reg, .addr = (uintptr_t)&val };
		char get[24], set[24], clear[24] = "-";
		int listed = 0;

		if (ioctl(vcpu, KVM_GET_ONE_REG, &one))
			snprintf(get, sizeof(get), "%s", err_name(errno)), val = 1;
		else
			snprintf(get, sizeof(get), "%llu", (unsigned long long)val);

		if (ioctl(vcpu, KVM_SET_ONE_REG, &one))
			snprintf(set, sizeof(set), "%s", err_name(errno));
		else
			snprintf(set, sizeof(set), "ok");

		if (!strcmp(get, "1")) {
			val = 0;
			if (ioctl(vcpu, KVM_SET_ONE_REG, &one)) {
				snprintf(clear, sizeof(clear), "%s", err_name(errno));
			} else {
				snprintf(clear, sizeof(clear), "ok");
				val = 1;
				if (ioctl(vcpu, KVM_SET_ONE_REG, &one))
					printf("onereg-probe: id %lu: cannot re-enable: %s\n",
					       id, err_name(errno));
			}
		}

		for (uint64_t i = 0; i < list->n; i++)
			listed |= list->reg[i] == reg;

		printf("isa-ext %lu get=%s set=%s clear=%s listed=%d\n",
		       id, get, set, clear, listed);
	}
	return 0;
}
