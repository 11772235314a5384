# SPDX-License-Identifier: GPL-2.0
"""The guest protocol (tools/guest/protocol.h, Documentation/design.rst):
every side that writes or reads it takes its words and separators from
that one table. The C programs and the plugin through the header, the
runner through svt/protocol.py; the kit's sh spells the framing words,
held here to the table."""
import os
import re
import tempfile
import unittest

from svt import protocol as P
from svt import scenario
from svt.state import GUEST, PLUGIN, TOOLS

C_SIDE = [os.path.join(GUEST, n) for n in ("init.c", "l2.c", "migrate.c", "mig-pattern.c", "guest.h")] + \
    [os.path.join(PLUGIN, "fence-count.c")]


def code(path):
    """PATH's C without its comments."""
    with open(path) as f:
        text = f.read()
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


class Protocol(unittest.TestCase):
    def test_table(self):
        """the table has every constant the sides use, each a string or a number"""
        self.assertEqual((P.BEGIN, P.END, P.DONE, P.RC, P.L2_PREFIX),
                         ("SVT-BEGIN", "SVT-END", "SVT-DONE", "rc=", "L2 "))
        self.assertEqual(len({P.STEP_SEP, P.ARG_SEP, P.L2_STEP_SEP, P.L2_ARG_SEP}), 4)
        self.assertEqual((P.MARK_BEGIN_IMM, P.MARK_END_IMM), (0x5c0, 0x5c1))

    def test_c_sides_use_the_header(self):
        """the guest programs and the plugin spell no protocol word or mark themselves:
        each includes protocol.h and names its constants"""
        for path in C_SIDE:
            text = code(path)
            self.assertRegex(text, r'#include "(\.\./guest/)?(protocol|guest)\.h"', path)
            for lit in re.findall(r'"((?:[^"\\\n]|\\.)*)"', text):
                for word in (P.BEGIN, P.END, P.DONE, P.RUN_KEY):
                    self.assertNotIn(word, lit, f"{path}: {lit!r}")
            self.assertNotRegex(text, r"0x5c[01]", path)

    def test_kit_reads_the_framing(self):
        """the kit's run (sh, reading its guest's console) spells only the table's
        framing words, with the table's rc= after SVT-END"""
        with open(os.path.join(TOOLS, "kit", "run")) as f:
            text = f.read()
        self.assertEqual(set(re.findall(r"SVT-[A-Z]+", text)), {P.BEGIN, P.END, P.DONE})
        self.assertIn(f"{P.END} $1 {P.RC}", text)
        self.assertIn(f"{P.RUN_KEY}=", text)

    def test_runner_writes_the_steps(self):
        """the runner's svt.run= for an L2 step, decoded as l2.c decodes it, gives back
        the inner steps, their arguments intact"""
        sc = scenario.load("main")
        inner = [s for s, steps in sc.steps if s.startswith("l2:")]
        self.assertTrue(inner)
        value = sc.cmdline().split(f"{P.RUN_KEY}=")[1]
        for step in value.split(P.STEP_SEP):
            if not step.startswith("l2:"):
                continue
            packed = step.split(P.ARG_SEP)[-1]
            decoded = packed.replace(P.L2_STEP_SEP, P.STEP_SEP).replace(P.L2_ARG_SEP,
                                                                        P.ARG_SEP)
            want = dict(sc.steps)[step.split(P.ARG_SEP)[0] + P.ARG_SEP +
                                  step.split(P.ARG_SEP)[1]]
            self.assertEqual(decoded.split(P.STEP_SEP), want)

    def test_reader_refuses_other_defines(self):
        """a define in the table that is neither a string nor a number is an error with
        file:line, not a silent gap"""
        with tempfile.NamedTemporaryFile("w", suffix=".h") as f:
            f.write('#define SVT_OK "x"\n#define SVT_BAD (1 << 2)\n')
            f.flush()
            with self.assertRaisesRegex(ValueError, r"\.h:2: SVT_BAD"):
                P.read(f.name)


if __name__ == "__main__":
    unittest.main()
