# SPDX-License-Identifier: GPL-2.0
"""svt ("Svvptc tests"): the harness's runner.

It owns the flow behind make, make check, make bench and make boot: it
calls the host scripts (tools/host/) and the guest and plugin builds as
subprocesses, packs the initramfs images, boots the scenarios of
tools/scenarios/ under QEMU, judges their consoles and writes KTAP.

  scenario   the scenario grammar (include, define, compare)
  console    a kept console: its steps, their exit status, the fence
             counts of each step (the fence-count plugin's marks)
  judge      a scenario's expectations against a console
  ktap       the one KTAP writer, and how kunit.py parse counts a file
  state      named state, and the one freshness rule of every builder
  build      the series, the kernels, the guest programs, the fetched inputs
  initramfs  newc cpio archives and the images the boots take
  boot       QEMU, its timeout, its console, the reuse key
  suite      make check: the static groups, the scenarios, the selftest
  badinput   make check's group on a user's bad KERNEL_SRC
  bench      make bench: rounds, the report and its chart
  cli        the command line (python3 tools/runner --help)
"""
