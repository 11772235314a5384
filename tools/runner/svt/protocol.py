# SPDX-License-Identifier: GPL-2.0
"""The guest protocol's constants, as tools/guest/protocol.h writes them
once (Documentation/design.rst, "The guest protocol"): read from its
"#define NAME VALUE" lines, so that the runner, the guest programs and
the fence-count plugin cannot disagree. A name here is the header's
without its SVT_ prefix: protocol.BEGIN is SVT_BEGIN."""
from __future__ import annotations

import os
import re

from .state import GUEST

HEADER = os.path.join(GUEST, "protocol.h")


def read(path: str = HEADER) -> dict[str, str | int]:
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


def _word(name: str) -> str:
    value = _T[name]
    if not isinstance(value, str):
        raise ValueError(f"{HEADER}: SVT_{name} is not a string")
    return value


def _number(name: str) -> int:
    value = _T[name]
    if not isinstance(value, int):
        raise ValueError(f"{HEADER}: SVT_{name} is not a number")
    return value


RUN_KEY, STEP_SEP, ARG_SEP = _word("RUN_KEY"), _word("STEP_SEP"), _word("ARG_SEP")
L2_STEP_SEP, L2_ARG_SEP = _word("L2_STEP_SEP"), _word("L2_ARG_SEP")
BEGIN, END, RC, DONE = _word("BEGIN"), _word("END"), _word("RC"), _word("DONE")
L2_PREFIX = _word("L2_PREFIX")
MARK_BEGIN_IMM, MARK_END_IMM = _number("MARK_BEGIN_IMM"), _number("MARK_END_IMM")
RC_NOT_RUN = _number("RC_NOT_RUN")
