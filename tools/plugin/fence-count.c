// SPDX-License-Identifier: GPL-2.0
/*
 * fence-count: a QEMU TCG plugin (built by tools/plugin/build.sh) that counts the
 * executed riscv TLB maintenance instructions, per vCPU, at every guest
 * level QEMU emulates (M, HS, VS, ...), and prints the counts whenever a
 * guest marks a phase (tools/guest/guest.h):
 *
 *   qemu-system-riscv64 ... -plugin fence-count.so -d plugin -D FILE
 *
 *   fence-mark <seq> <begin|end> vcpus=<n> sfence.vma=<total> ...
 *       per-vcpu-hfence.gvma=<c0>,<c1>,... per-vcpu-sfence.vma=<c0>,...
 *   fence-total vcpus=<n> sfence.vma=<total> ...
 *
 * (one line each). Totals are cumulative since QEMU started, summed over
 * the vCPUs; seq numbers the marks from 1 in the order the plugin saw them.
 * A phase's count is its end line minus its begin line.
 *
 * The counters are inline scoreboard adds, done by each vCPU on its own
 * entry just before the instruction executes; an instruction that traps
 * (a virtual-instruction or illegal-instruction exception) is counted too.
 * A mark reads the other vCPUs' entries while they may still run, so their
 * part of a total is as of the moment of the mark, not of a guest-ordered
 * point.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

#include "../guest/protocol.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* slti x0, x0, IMM: a HINT (rd = x0), a no-op everywhere (protocol.h). */
#define MARK_BEGIN	(((unsigned int)SVT_MARK_BEGIN_IMM << 20) | (2u << 12) | 0x13u)
#define MARK_END	(((unsigned int)SVT_MARK_END_IMM << 20) | (2u << 12) | 0x13u)

/* R-type SYSTEM instructions with rd = 0, funct3 = 0: funct7 and rs2 vary. */
#define FENCE_MASK	0xfe007fffu

enum kind { SFENCE_VMA, HFENCE_VVMA, HFENCE_GVMA, SINVAL_VMA, HINVAL_VVMA,
	    HINVAL_GVMA, NR_KINDS };

static const struct {
	const char *name;
	uint32_t match;
} kinds[NR_KINDS] = {
	[SFENCE_VMA]	= { "sfence.vma",	0x12000073 },
	[HFENCE_VVMA]	= { "hfence.vvma",	0x22000073 },
	[HFENCE_GVMA]	= { "hfence.gvma",	0x62000073 },
	[SINVAL_VMA]	= { "sinval.vma",	0x16000073 },
	[HINVAL_VVMA]	= { "hinval.vvma",	0x26000073 },
	[HINVAL_GVMA]	= { "hinval.gvma",	0x66000073 },
};

/* The kinds also printed per vCPU, in this order. */
static const int per_vcpu[2] = { HFENCE_GVMA, SFENCE_VMA };

struct counts {
	uint64_t n[NR_KINDS];
};

static struct qemu_plugin_scoreboard *board;
static qemu_plugin_u64 entry[NR_KINDS];
static uint64_t seq;

static void print_counts(const char *head)
{
	int vcpus = qemu_plugin_num_vcpus();
	char *line = NULL;
	size_t size;
	FILE *f = open_memstream(&line, &size);
	int j, k, i;

	if (!f)
		return;
	fprintf(f, "%s vcpus=%d", head, vcpus);
	for (k = 0; k < NR_KINDS; k++)
		fprintf(f, " %s=%" PRIu64, kinds[k].name,
			qemu_plugin_u64_sum(entry[k]));
	for (j = 0; j < 2; j++) {
		k = per_vcpu[j];
		fprintf(f, " per-vcpu-%s=", kinds[k].name);
		for (i = 0; i < vcpus; i++)
			fprintf(f, "%s%" PRIu64, i ? "," : "",
				qemu_plugin_u64_get(entry[k], i));
	}
	fputc('\n', f);
	if (!fclose(f))
		qemu_plugin_outs(line);
	free(line);
}

static void on_mark(unsigned int vcpu_index, void *udata)
{
	char head[64];

	(void)vcpu_index;
	snprintf(head, sizeof(head), "fence-mark %" PRIu64 " %s",
		 __atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST),
		 udata ? "end" : "begin");
	print_counts(head);
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	print_counts("fence-total");
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint32_t word;
		int k;

		if (qemu_plugin_insn_size(insn) != 4 ||
		    qemu_plugin_insn_data(insn, &word, 4) != 4)
			continue;	/* compressed: none of ours */
		if (word == MARK_BEGIN || word == MARK_END) {
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark,
				QEMU_PLUGIN_CB_NO_REGS,
				word == MARK_END ? (void *)1 : NULL);
			continue;
		}
		for (k = 0; k < NR_KINDS; k++)
			if ((word & FENCE_MASK) == kinds[k].match)
				qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(insn,
					QEMU_PLUGIN_INLINE_ADD_U64, entry[k], 1);
	}
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	(void)argv;
	if (argc) {
		qemu_plugin_outs("fence-count: takes no arguments\n");
		return -1;
	}
	if (strcmp(info->target_name, "riscv64") && strcmp(info->target_name, "riscv32")) {
		qemu_plugin_outs("fence-count: riscv targets only\n");
		return -1;
	}
	board = qemu_plugin_scoreboard_new(sizeof(struct counts));
	for (int k = 0; k < NR_KINDS; k++)
		entry[k] = (qemu_plugin_u64){ board,
			offsetof(struct counts, n) + k * sizeof(uint64_t) };
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
