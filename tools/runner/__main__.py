# SPDX-License-Identifier: GPL-2.0
"""python3 tools/runner COMMAND ...: the harness's runner (see svt/)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svt.cli import main  # noqa: E402

sys.exit(main())
