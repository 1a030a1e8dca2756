"""verify's warm path: the spare child forked ahead of the next request gives the same results as a
fresh child, is replaced when the request does not fit it, and never outlives the helper."""

from __future__ import annotations

import os
import select
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sample_package as sp
from conftest import REPO, Helper

TWO_USERS = sp.SCENARIO.replace("for i in range(3)]", "for i in range(2)]", 1).replace("users[i % 3]", "users[i % 2]")
SYNTAX_ERROR = sp.SCENARIO.replace("def create_tenant_with_team(session)", "def create_tenant_with_team(session")
FAILING_ASSERT = sp.SCENARIO.replace("    session.flush()\n", "    session.flush()\n    assert len(users) == 4\n", 1)


def children(pid: int) -> list[int]:
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
            if int(ppid) == pid and state != "Z":  # a finished child may wait to be reaped
                out.append(int(name))
    return out


def the_spare(helper_pid: int, timeout: float = 5.0) -> int:
    """The helper's one live child once the child that served the request has finished exiting
    (it answers before its process is gone), waited for with a deadline."""
    deadline = time.monotonic() + timeout
    while True:
        kids = children(helper_pid)
        if len(kids) == 1 or time.monotonic() > deadline:
            [spare] = kids
            return spare
        time.sleep(0.01)


def wait_gone(pid: int, timeout: float) -> bool:
    """Waits for a process that is not our child to end, on its pidfd: True if it did in time."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    # Each test's duration is measured per run, so it is the one field that may differ.
    tests = [{k: v for k, v in t.items() if k != "durationMs"} for t in result["tests"]]
    return {"ok": result["ok"], "exitCode": result["exitCode"], "timedOut": result["timedOut"], "tests": tests}


@pytest.fixture
def fresh() -> Iterator[Helper]:
    h = Helper(REPO)
    h.result("introspect", {"models": ["crm.models"]})
    yield h
    h.close()


@pytest.fixture
def other() -> Iterator[Helper]:
    h = Helper(REPO)
    h.result("introspect", {"models": ["crm.models"]})
    yield h
    h.close()


def test_the_second_run_is_served_by_a_warm_spare(fresh: Helper) -> None:
    first = fresh.result("verify", sp.verify_params("run"))
    second = fresh.result("verify", sp.verify_params("run"))
    assert first["ok"] and second["ok"], second["output"]
    assert first["timings"]["spare"] == 0 and second["timings"]["spare"] == 1
    assert "3 passed" in second["output"]
    assert comparable(first) == comparable(second)
    assert second["timings"]["runMs"] > 0 and second["timings"]["childCpuMs"] > 0


@pytest.mark.parametrize("level, scenario", [("run", TWO_USERS), ("collect", SYNTAX_ERROR)])
def test_a_spare_reports_failures_exactly_as_a_fresh_child(
    fresh: Helper, other: Helper, level: str, scenario: str
) -> None:
    cold = other.result("verify", sp.verify_params(level, files=sp.files(scenario)))
    fresh.result("verify", sp.verify_params(level))
    warm = fresh.result("verify", sp.verify_params(level, files=sp.files(scenario)))
    assert cold["timings"]["spare"] == 0 and warm["timings"]["spare"] == 1
    assert not warm["ok"]
    assert comparable(warm) == comparable(cold)


def test_a_request_that_does_not_fit_the_spare_gets_a_fresh_child(fresh: Helper) -> None:
    fresh.result("verify", sp.verify_params("run"))
    collected = fresh.result("verify", sp.verify_params("collect"))
    assert collected["ok"] and collected["timings"]["spare"] == 0
    assert "3 tests collected" in collected["output"]
    # the unfit spare was ended and reaped: only the new one is left
    assert the_spare(fresh.proc.pid) > 0


def test_a_candidate_with_asserts_keeps_pytests_assertion_messages(fresh: Helper) -> None:
    fresh.result("verify", sp.verify_params("run"))
    result = fresh.result("verify", sp.verify_params("run", files=sp.files(FAILING_ASSERT)))
    assert result["timings"]["spare"] == 0  # spares start with plain asserts
    assert not result["ok"]
    message = next(t["message"] for t in result["tests"] if t["outcome"] != "passed")
    assert "assert 3 == 4" in message, message  # rewritten: the values are shown


def test_the_spare_ends_with_the_helper(fresh: Helper) -> None:
    fresh.result("verify", sp.verify_params("run"))
    spare = the_spare(fresh.proc.pid)
    fresh.close()
    assert wait_gone(spare, 0)  # already gone when the helper's exit is seen


def test_the_spare_ends_when_the_helper_is_killed(other: Helper) -> None:
    other.result("verify", sp.verify_params("run"))
    spare = the_spare(other.proc.pid)
    os.kill(other.proc.pid, signal.SIGKILL)
    other.proc.wait()
    assert wait_gone(spare, 10)


def _memory(pid: int) -> dict[str, int]:
    """kB figures of /proc/<pid>/smaps_rollup."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0].endswith(":") and fields[1].isdigit():
            out[fields[0][:-1]] = int(fields[1])
    return out


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="Linux's smaps_rollup")
def test_a_waiting_spare_copies_the_helpers_memory_ahead(fresh: Helper) -> None:
    fresh.result("verify", sp.verify_params("run"))
    spare = the_spare(fresh.proc.pid)
    deadline = time.monotonic() + 5
    memory = _memory(spare)
    # Right after the fork nearly all of it is shared with the helper (dirty pages, copy-on-write).
    while memory["Shared_Dirty"] > memory["Rss"] * 0.1 and time.monotonic() < deadline:
        time.sleep(0.05)
        memory = _memory(spare)
    assert memory["Shared_Dirty"] <= memory["Rss"] * 0.1, memory
    assert memory["Private_Dirty"] >= memory["Rss"] * 0.6, memory
