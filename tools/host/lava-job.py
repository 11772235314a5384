# SPDX-License-Identifier: GPL-2.0
"""LAVA's own code on the project's LAVA files, run by lava.sh's python
(Debian's python3 with Debian's lava-common, lava-dispatcher and
lava-server's templates unpacked):

  lava-job.py validate JOB BOARD_JOB TESTDEF DEVICE TEMPLATES
      JOB and BOARD_JOB against lava_common's job schema (strict: no key
      it does not know), TESTDEF against its test definition schema,
      DEVICE (a device dictionary) rendered with JOB's context through
      TEMPLATES (lava-server's device-types) against its device schema;
      and a copy of each with one mistake, which must be refused. A line
      each: "ok|fail<TAB>what<TAB>why", then the rendered QEMU command.
  lava-job.py prepare JOB NAME BASE GIT WHICH DEVICE TEMPLATES OUTDIR
      OUTDIR/job.yaml: JOB named NAME, its URLs on http://lava.example
      moved to BASE (the git repository's to GIT), the kernel's from
      patched/ to WHICH/;
      OUTDIR/device.yaml: DEVICE rendered with its context.
  lava-job.py runsh TESTDEF REPO NAME=VALUE...
      the run.sh lava-test-shell would run for TESTDEF cloned at REPO
      with the job's parameters NAME=VALUE: LAVA's own code writes the
      parameters (TestOverlayAction.handle_parameters), then set -e, cd
      REPO and the definition's steps, as TestOverlayAction.run does.
  lava-job.py results LOG
      the test cases lava-run's log (its stderr) records:
      "CASE<TAB>RESULT<TAB>MEASUREMENT<TAB>UNITS" per line, the job's own
      result last ("job<TAB>RESULT").
  lava-job.py console LOG
      what the board's serial console printed during the job, as lava-run's
      log records it (its "target" lines), one line each.
"""
import copy
import logging
import sys

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment
from lava_common.schemas import validate as validate_job
from lava_common.schemas.device import validate as validate_device
from lava_common.schemas.test.testdef import validate as validate_testdef
from lava_dispatcher.actions.deploy.testdef import TestOverlayAction
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


def cmd_validate(job, board, testdef, device, templates):
    j, t = load(job), load(testdef)
    for path, data in ((job, j), (board, load(board))):
        bad = copy.deepcopy(data)
        bad["actions"][1]["boot"]["bogus"] = True
        check(f"the LAVA job {path} is valid (lava_common, strict)",
              lambda d: validate_job(d, strict=True, extra_context_variables=[]), data, bad)
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


EXAMPLE = "http://lava.example/"


def moved(url, base, git, which):
    """Where the job's URL on http://lava.example/ is in this run: the git
    repository at GIT, the files make lava serves at BASE, the kernel's
    directory patched/ as WHICH/."""
    if url == EXAMPLE + "svvptc-kvm.git":
        return git
    path = url[len(EXAMPLE):]
    if not path.startswith("svvptc-kit/"):
        sys.exit(f"lava-job.py: {url} is not a file make lava serves (svvptc-kit/...)")
    path = path[len("svvptc-kit/"):]
    if path.startswith("patched/"):
        path = which + path[len("patched"):]
    return f"{base}/{path}"


def rewritten(node, where):
    """NODE (a loaded job) with each url and repository value on
    http://lava.example/ replaced by WHERE(value)."""
    if isinstance(node, dict):
        return {k: where(v) if k in ("url", "repository") and isinstance(v, str) and
                v.startswith(EXAMPLE) else rewritten(v, where) for k, v in node.items()}
    if isinstance(node, list):
        return [rewritten(v, where) for v in node]
    return node


def cmd_prepare(job, name, base, git, which, device, templates, outdir):
    j = rewritten(load(job), lambda url: moved(url, base, git, which))
    j["job_name"] = name
    with open(f"{outdir}/job.yaml", "w") as f:
        yaml.safe_dump(j, f, sort_keys=False)
    with open(f"{outdir}/device.yaml", "w") as f:
        f.write(render(device, templates, j.get("context", {})))


def cmd_runsh(testdef, repo, *params):
    t = load(testdef)
    action = TestOverlayAction()
    action.parameters = {"parameters": dict(p.split("=", 1) for p in params)}
    action.logger = logging.getLogger("dispatcher")
    print("".join(action.handle_parameters(t)), end="")
    print("set -e")
    print(f"cd {repo}")
    for step in t.get("run", {}).get("steps", []):
        if step is not None:
            print(step)


def messages(log, level):
    """The "msg" of each line of lava-run's log LOG at LEVEL (results,
    target, ...); a line YAML cannot read is passed over."""
    with open(log) as f:
        for line in f:
            if f'"lvl": "{level}"' not in line:
                continue
            try:
                yield yaml.safe_load(line)["msg"]
            except (yaml.YAMLError, KeyError, TypeError):
                continue


def cmd_results(log):
    job = "no result"
    for msg in messages(log, "results"):
        if msg.get("definition") == "lava":
            if msg.get("case") == "job":
                job = msg.get("result")
            continue
        print(f"{msg.get('case')}\t{msg.get('result')}\t{msg.get('measurement', '')}\t"
              f"{msg.get('units', '')}")
    print(f"job\t{job}")


def cmd_console(log):
    for msg in messages(log, "target"):
        print(msg)


def main():
    cmds = {"validate": (cmd_validate, 5), "prepare": (cmd_prepare, 8), "runsh": (cmd_runsh, -2),
            "results": (cmd_results, 1), "console": (cmd_console, 1)}
    n = cmds.get(sys.argv[1] if len(sys.argv) > 1 else "", (None, 0))[1]
    if len(sys.argv) < 2 or sys.argv[1] not in cmds or \
            (len(sys.argv) != 2 + n if n >= 0 else len(sys.argv) < 2 - n):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    cmds[sys.argv[1]][0](*sys.argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
