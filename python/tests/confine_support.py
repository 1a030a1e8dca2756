"""Hostile candidates for the confinement tests: the sample package with a scenario module that,
when the verification child imports it, runs a probe and reports what it found in the error it
raises (the probe's dict as JSON between PROBE and END)."""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

import sample_package as sp
from conftest import Helper

from fixturegen_helper import confine_reap, confine_sys

SECRET = "sk-fixturegen-secret-4f1c"
UNRELATED = "unrelated-value-9d2e"
#: The helper these tests start gets a secret and an unrelated variable it must not pass on.
HOSTILE_ENV = {"FIXTUREGEN_API_KEY": SECRET, "SOME_UNRELATED_SETTING": UNRELATED}

LANDLOCK = confine_sys.landlock_abi()
SECCOMP = confine_sys.seccomp_supported()
PIDS_CGROUP = confine_reap.pids_cgroup() is not None


def hostile_files(probe: str) -> dict[str, str]:
    """The sample package whose scenario module runs `probe` (a function body filling `out`) at
    import and raises with the result."""
    body = textwrap.indent(textwrap.dedent(probe).strip("\n"), "        ")
    module = (
        sp.SCENARIO
        + "\n\ndef _probe():\n    out = {}\n    try:\n"
        + body
        + "\n    except BaseException as exc:\n        out['probe_error'] = repr(exc)\n    return out\n\n\n"
        + "import json as _json\n\nraise RuntimeError('PROBE ' + _json.dumps(_probe(), default=str) + ' END')\n"
    )
    return sp.files(module)


def probe(helper: Helper, code: str, **overrides: Any) -> dict[str, Any]:
    """Verifies a hostile candidate running `code`; returns what it reported."""
    result = helper.result("verify", sp.verify_params("run", files=hostile_files(code), **overrides))
    assert not result["ok"]
    found = re.search(r"PROBE (\{.*?\}) END", result["output"], re.DOTALL)
    assert found, result["output"]
    return dict(json.loads(found.group(1)))


def attempt(name: str, code: str) -> str:
    """Probe lines recording whether `code` (one statement) ran or what it raised, under `name`."""
    return (
        f"try:\n    {code}\n    out[{name!r}] = 'allowed'\n"
        f"except Exception as exc:\n    out[{name!r}] = type(exc).__name__ + ': ' + str(exc)\n"
    )


def process_state(pid: int) -> str | None:
    """The process's state letter (Z: dead, not yet reaped), None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None
