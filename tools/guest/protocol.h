/* SPDX-License-Identifier: GPL-2.0 */
/*
 * protocol.h: the guest protocol's constants, written once
 * (Documentation/design.rst, "The guest protocol", says what they mean).
 * The guest programs and the fence-count plugin include it; the runner
 * reads these #define lines (tools/runner/svt/protocol.py); the kit's
 * sh (tools/kit/run) spells the framing words, and a unit test holds it
 * and every writer to this table. One "#define NAME VALUE" per line, a
 * string or a number: the runner's reader takes nothing else.
 */
#ifndef GUEST_PROTOCOL_H
#define GUEST_PROTOCOL_H

/* The steps: the kernel command line's svt.run=STEP,STEP...; a step is
 * PROGRAM:ARG:ARG... One level down, inside an l2 step's own steps, '+'
 * stands for the step separator and '/' for the argument one. */
#define SVT_RUN_KEY		"svt.run"
#define SVT_STEP_SEP		","
#define SVT_ARG_SEP		":"
#define SVT_L2_STEP_SEP		"+"
#define SVT_L2_ARG_SEP		"/"

/* The framing /init prints around each step, and at the end; an L2
 * guest's console lines reach the L1 console with a prefix. */
#define SVT_BEGIN		"SVT-BEGIN"
#define SVT_END			"SVT-END"
#define SVT_RC			"rc="
#define SVT_DONE		"SVT-DONE"
#define SVT_L2_PREFIX		"L2 "

/* A live migration (migrate.c, mig-pattern.c): the guest prints the
 * first when its memory is full and may be copied; the VMM writes the
 * second to the destination's serial port once the guest runs there. */
#define SVT_MIG_READY		"SVT-MIG-READY"
#define SVT_MIG_SWITCHED	"SVT-MIG-SWITCHED"

/* The fence marks: slti x0, x0, IMM, a HINT (rd = x0) that hardware and
 * QEMU run as a no-op, right after an SVT-BEGIN line and right before an
 * SVT-END line; the plugin prints its counts at each. */
#define SVT_MARK_BEGIN_IMM	0x5c0
#define SVT_MARK_END_IMM	0x5c1

/* A step's status: its exit status, 128 + the signal that ended it, or
 * this when it could not be run or waited for. */
#define SVT_RC_NOT_RUN		127

#endif
