"""The temporary folder a verification child runs in: its fixed files and the candidate's.

Shared by the parent, which writes the folder (for a fresh child, or ahead of time for a spare),
and the child, which runs pytest in it and reports paths relative to it.
"""

from __future__ import annotations

import json
import os
from typing import Any

from fixturegen_helper.verify import warm

SMOKE_MODULE = "test_fixturegen_smoke.py"
#: A child's mode: the verify level, whether asserts stay plain, and the candidate's own test
#: modules pytest runs beside the smoke test (constraint tests), as paths relative to the folder.
Mode = tuple[str, bool, tuple[str, ...]]
SMOKE_CONFIG = "fixturegen_smoke.json"
RESERVED = {"conftest.py", "pytest.ini", SMOKE_MODULE, SMOKE_CONFIG, "fixturegen.log", "fixturegen-results.jsonl"}


#: The verifier's conftest: the same text for every candidate. What it registers comes from
#: `candidate_ready()`, so a spare child (see `process.Spare`) can start pytest before the
#: candidate exists and wait right here, at the first point where pytest needs it.
CONFTEST = """\
# Written by fixturegen's verifier.
import pytest

from fixturegen_helper.verify.child import candidate_ready, confirm

_candidate = candidate_ready()
pytest_plugins = _candidate["plugins"]


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    # The candidate's own tests (constraint tests, written by fixturegen's templates) cannot
    # confirm themselves as the smoke test does: a test whose function returned is confirmed here.
    result = yield
    if pyfuncitem.nodeid.split("::")[0] in _candidate["tests"]:
        confirm(pyfuncitem.name)
    return result

if _candidate["alias"]:

    @pytest.fixture(name=_candidate["alias"])
    def fixturegen_session_alias(fixturegen_session):
        return fixturegen_session
"""


def verdict_path(tmp: str) -> str:
    """Beside the folder, not in it: the candidate may write in its folder, not here."""
    return tmp + ".verdict"


def write_static(tmp: str) -> None:
    """The files that do not depend on the candidate (the modules with their compiled code)."""
    with open(os.path.join(tmp, "pytest.ini"), "w", encoding="utf-8") as f:
        f.write("[pytest]\n")
    for name, text in (("conftest.py", CONFTEST), (SMOKE_MODULE, warm.smoke_stub())):
        dest = os.path.join(tmp, name)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
        warm.write_compiled(dest, name, text)


def write_candidate(tmp: str, p: dict[str, Any]) -> None:
    python = [rel for rel in p["files"] if rel.endswith(".py")]
    ahead = len(python) <= warm.COMPILE_AHEAD_MAX_FILES
    for rel, text in p["files"].items():
        dest = os.path.join(tmp, os.path.normpath(rel))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
        if ahead and rel.endswith(".py"):
            warm.write_compiled(dest, os.path.normpath(rel), text)
    with open(os.path.join(tmp, SMOKE_CONFIG), "w", encoding="utf-8") as f:
        config = {"sessionFixture": p["sessionFixture"], "expectations": p["expectations"]}
        if p.get("async"):
            config["async"] = True
        json.dump(config, f, indent=1)
