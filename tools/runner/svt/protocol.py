# SPDX-License-Identifier: GPL-2.0
"""The guest protocol's constants, as tools/guest/protocol.h writes them
once (Documentation/design.rst, "The guest protocol"): read from its
"#define NAME VALUE" lines, so that the runner, the guest programs and
the fence-count plugin cannot disagree. A name here is the header's
without its SVT_ prefix: protocol.BEGIN is SVT_BEGIN."""
import os
import re

from .state import GUEST

HEADER = os.path.join(GUEST, "protocol.h")


def read(path=HEADER):
    """{NAME: value} of the header's defines: a "string" as str, a number
    as int; any other define is an error, so the table stays readable."""
    out = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            m = re.match(r"#define\s+SVT_(\w+)\s+(.*?)\s*$", line)
            if not m:
                continue
            value = m.group(2)
            if re.fullmatch(r'"[^"\\]*"', value):
                out[m.group(1)] = value[1:-1]
            elif re.fullmatch(r"0x[0-9a-fA-F]+|\d+", value):
                out[m.group(1)] = int(value, 0)
            else:
                raise ValueError(f"{path}:{n}: SVT_{m.group(1)} is neither a string nor a number")
    return out


_T = read()
RUN_KEY, STEP_SEP, ARG_SEP = _T["RUN_KEY"], _T["STEP_SEP"], _T["ARG_SEP"]
L2_STEP_SEP, L2_ARG_SEP = _T["L2_STEP_SEP"], _T["L2_ARG_SEP"]
BEGIN, END, RC, DONE, L2_PREFIX = _T["BEGIN"], _T["END"], _T["RC"], _T["DONE"], _T["L2_PREFIX"]
MARK_BEGIN_IMM, MARK_END_IMM = _T["MARK_BEGIN_IMM"], _T["MARK_END_IMM"]
RC_NOT_RUN = _T["RC_NOT_RUN"]
