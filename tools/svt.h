/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svt.h: phase marks for the guest programs.
 *
 * svt_mark(0) marks the beginning of a phase, svt_mark(1) its end. A mark
 * is "slti x0, x0, 0x5c0" (begin) or "slti x0, x0, 0x5c1" (end): with
 * rd = x0 a HINT, which hardware and QEMU execute as a no-op, and which
 * the fence-count QEMU plugin (tools/fence-count.c) recognises to print its
 * TLB maintenance counts at that point.
 */
#ifndef SVT_H
#define SVT_H

static inline void svt_mark(int end)
{
#if defined(__riscv)
	if (end)
		asm volatile("slti x0, x0, 0x5c1" ::: "memory");	/* 0x5c102013 */
	else
		asm volatile("slti x0, x0, 0x5c0" ::: "memory");	/* 0x5c002013 */
#else
	(void)end;
#endif
}

#endif
