# SPDX-License-Identifier: GPL-2.0
"""The runner's own Python, read by Debian's pyflakes (pyflakes3, which
tools/host/deps.sh installs): no unused import, undefined name or
redefinition in tools/runner or tools/host/lava-job.py."""
import os
import shutil
import subprocess
import unittest

from svt.state import HOST, TOOLS


class Pyflakes(unittest.TestCase):
    @unittest.skipUnless(shutil.which("pyflakes3"), "no pyflakes3 (Debian's pyflakes3 package; "
                         "make deps installs it)")
    def test_clean(self):
        """pyflakes3 finds nothing in the runner, its unit tests and lava-job.py"""
        r = subprocess.run(["pyflakes3", os.path.join(TOOLS, "runner"),
                            os.path.join(HOST, "lava-job.py")], capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()
