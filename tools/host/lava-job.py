# SPDX-License-Identifier: GPL-2.0
"""LAVA's own code on the project's LAVA files, run by lava.sh's python
(Debian's python3 with Debian's lava-common, lava-dispatcher and
lava-server's templates unpacked):

  lava-job.py validate JOB TESTDEF DEVICE TEMPLATES
      JOB against lava_common's job schema (strict: no key it does not
      know), TESTDEF against its test definition schema, DEVICE (a
      device dictionary) rendered with JOB's context through TEMPLATES
      (lava-server's device-types) against its device schema; and a copy
      of each with one mistake, which must be refused. A line each:
      "ok|fail<TAB>what<TAB>why", then the rendered QEMU command.
  lava-job.py prepare JOB NAME KERNEL RAMDISK DEVICE TEMPLATES OUTDIR
      OUTDIR/job.yaml: JOB named NAME, its images at file:// KERNEL and
      RAMDISK; OUTDIR/device.yaml: DEVICE rendered with its context.
  lava-job.py results LOG
      the test cases lava-run's log (its stderr) records: "CASE<TAB>RESULT"
      per line, the job's own result last.
"""
import copy
import sys

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment
from lava_common.schemas import validate as validate_job
from lava_common.schemas.device import validate as validate_device
from lava_common.schemas.test.testdef import validate as validate_testdef
from voluptuous import Invalid


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def render(device, templates, context):
    """DEVICE (a dictionary's path) rendered as lava-server does: jinja2's
    sandbox over the device's directory and the device types, the job's
    context as variables."""
    env = SandboxedEnvironment(loader=jinja2.FileSystemLoader([templates]),
                               autoescape=False, trim_blocks=True)
    with open(device) as f:
        return env.from_string(f.read()).render(**context)


def check(what, fn, data, bad):
    """A line for FN(DATA), which must pass, and one for FN(BAD), which
    must be refused."""
    for name, d, want in ((what, data, True), (what + ", with one mistake, is refused", bad,
                                               False)):
        try:
            fn(d)
            ok, why = want, "accepted"
        except (Invalid, ValueError) as e:
            ok, why = not want, str(e).replace("\n", " ")
        print(f"{'ok' if ok else 'fail'}\t{name}\t{why}")


def cmd_validate(job, testdef, device, templates):
    j, t = load(job), load(testdef)
    bad = copy.deepcopy(j)
    bad["actions"][1]["boot"]["bogus"] = True
    check(f"the LAVA job {job} is valid (lava_common, strict)",
          lambda d: validate_job(d, strict=True, extra_context_variables=[]), j, bad)
    bad = copy.deepcopy(t)
    bad["metadata"]["format"] = "Lava-Test Test Definition 0.9"
    check(f"the test definition {testdef} is valid (lava_common)", validate_testdef, t, bad)
    rendered = yaml.safe_load(render(device, templates, j.get("context", {})))
    bad = copy.deepcopy(rendered)
    del bad["actions"]["boot"]["methods"]
    check(f"the device dictionary {device}, rendered with the job's context, is a valid "
          "device (lava_common)", validate_device, rendered, bad)
    p = rendered["actions"]["boot"]["methods"]["qemu"]["parameters"]
    print("command\t" + " ".join([p["command"]] + p.get("options", []) + p.get("extra", [])))


def cmd_prepare(job, name, kernel, ramdisk, device, templates, outdir):
    j = load(job)
    j["job_name"] = name
    images = j["actions"][0]["deploy"]["images"]
    images["kernel"]["url"] = "file://" + kernel
    images["ramdisk"]["url"] = "file://" + ramdisk
    with open(f"{outdir}/job.yaml", "w") as f:
        yaml.safe_dump(j, f, sort_keys=False)
    with open(f"{outdir}/device.yaml", "w") as f:
        f.write(render(device, templates, j.get("context", {})))


def cmd_results(log):
    job = "no result"
    with open(log) as f:
        for line in f:
            if '"lvl": "results"' not in line:
                continue
            try:
                msg = yaml.safe_load(line)["msg"]
            except (yaml.YAMLError, KeyError, TypeError):
                continue
            if msg.get("definition") == "lava":
                if msg.get("case") == "job":
                    job = msg.get("result")
                continue
            print(f"{msg.get('case')}\t{msg.get('result')}")
    print(f"job\t{job}")


def main():
    cmds = {"validate": (cmd_validate, 4), "prepare": (cmd_prepare, 7), "results": (cmd_results, 1)}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds or len(sys.argv) != 2 + cmds[sys.argv[1]][1]:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    cmds[sys.argv[1]][0](*sys.argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
