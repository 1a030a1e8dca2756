"""verifyEach: several verifications side by side, each in its own confined child, each answered
exactly as `verify` of it alone answers; none of them outlives the request."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sample_package as sp
from confine_support import PIDS_CGROUP, SECCOMP, hostile_files, process_state
from conftest import REPO, Helper

TWO_USERS = sp.SCENARIO.replace("for i in range(3)]", "for i in range(2)]", 1).replace("users[i % 3]", "users[i % 2]")
SYNTAX_ERROR = sp.SCENARIO.replace("def create_tenant_with_team(session)", "def create_tenant_with_team(session")
#: Started by the candidate when its module is imported, and never ended by it.
SLEEPER = """
import os, time
r, w = os.pipe()
if os.fork() == 0:
    os.setsid()
    pid = os.fork()
    if pid == 0:
        os.write(w, str(os.getpid()).encode())
        while True:
            time.sleep(1)
    os._exit(0)
out['sleeper'] = int(os.read(r, 32))
"""


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    """All but timings (durations too): what must not differ from a verification alone."""
    tests = [{k: v for k, v in t.items() if k != "durationMs"} for t in result["tests"]]
    return {**{k: result[k] for k in ("ok", "exitCode", "timedOut")}, "tests": tests}


@pytest.fixture
def helper() -> Iterator[Helper]:
    h = Helper(REPO)
    h.result("introspect", {"models": ["crm.models"]})
    yield h
    h.close()


def test_each_answer_is_the_answer_of_a_verification_alone(helper: Helper) -> None:
    requests = [
        sp.verify_params("run"),
        sp.verify_params("run", files=sp.files(TWO_USERS)),
        sp.verify_params("collect", files=sp.files(SYNTAX_ERROR)),
    ]
    alone = [helper.result("verify", r) for r in requests]
    together = helper.result("verifyEach", {"requests": requests})["results"]
    assert [comparable(r) for r in together] == [comparable(r) for r in alone]
    assert [r["ok"] for r in together] == [True, False, False]


def test_the_children_run_side_by_side(helper: Helper) -> None:
    helper.result("verify", sp.verify_params("run"))  # warm: a spare is waiting
    started = time.monotonic()
    results = helper.result("verifyEach", {"requests": [sp.verify_params("run"), sp.verify_params("run")]})["results"]
    wall = (time.monotonic() - started) * 1000
    assert all(r["ok"] for r in results)
    # One child was the waiting spare, the other a fresh fork.
    assert sorted(r["timings"]["spare"] for r in results) == [0, 1]
    # Each child's own durationMs covers the whole request: they overlapped, not queued.
    assert sum(r["durationMs"] for r in results) > wall


@pytest.mark.skipif(
    not (PIDS_CGROUP or not SECCOMP), reason="without a pids cgroup no process may start: nothing to survive"
)
def test_what_one_candidate_started_is_ended_and_the_other_child_is_not(helper: Helper) -> None:
    """The hostile child's setsid double-forked sleeper is ended with its request; the child
    beside it, started after it (so no stray of it), still finishes its verification."""
    hostile = sp.verify_params("run", files=hostile_files(SLEEPER))
    first, second = helper.result("verifyEach", {"requests": [hostile, sp.verify_params("run")]})["results"]
    found = re.search(r"PROBE (\{.*?\}) END", first["output"], re.DOTALL)
    assert found, first["output"]
    pid = int(json.loads(found.group(1))["sleeper"])
    try:
        assert second["ok"], second["output"]
        assert comparable(second) == comparable(helper.result("verify", sp.verify_params("run")))
        deadline = time.monotonic() + 10
        while process_state(pid) not in (None, "Z") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process_state(pid) in (None, "Z")
    finally:
        if process_state(pid) not in (None, "Z"):
            os.kill(pid, 9)


@pytest.mark.parametrize("requests", [[], [sp.verify_params("run")] * 5, ["verify"]])
def test_a_malformed_request_is_a_protocol_error(helper: Helper, requests: list[Any]) -> None:
    response = helper.request("verifyEach", {"requests": requests})
    assert response["error"]["type"] == "ProtocolError"
