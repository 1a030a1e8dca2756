"""The verification child's processes: how many it may start, that none survives it (setsid and a
double fork included), and that the smoke test's verdict cannot be turned by the candidate's pytest
hooks. Each with a hostile candidate through the real verification."""

from __future__ import annotations

import os
import select
from collections.abc import Iterator

import pytest
import sample_package as sp
from confine_support import HOSTILE_ENV, PIDS_CGROUP, SECCOMP, attempt, probe, process_state
from conftest import REPO, Helper

from fixturegen_helper import confine_reap

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="confinement is Linux's")

FORK_MANY = """
import os
r, w = os.pipe()
started = 0
try:
    for _ in range(60):
        if os.fork() == 0:
            os.close(w)
            os.read(r, 1)
            os._exit(0)
        started += 1
except OSError as exc:
    out['error'] = type(exc).__name__
out['started'] = started
os.close(w)
"""


def _helper(**env: str) -> Helper:
    h = Helper(REPO, extra_env={**HOSTILE_ENV, **env})
    h.result("introspect", {"models": ["crm.models"]})
    return h


@pytest.fixture(scope="module")
def hostile_helper() -> Iterator[Helper]:
    h = _helper()
    yield h
    out, _ = h.close()
    assert out == ""


@pytest.mark.skipif(not PIDS_CGROUP, reason="no writable pids cgroup here (the seccomp fallback is tested instead)")
def test_processes_are_limited_by_a_pids_cgroup(hostile_helper: Helper) -> None:
    found = probe(hostile_helper, FORK_MANY)
    assert found["error"] == "BlockingIOError" and 0 < found["started"] < 40, found


@pytest.mark.skipif(not SECCOMP, reason="no seccomp filter for this machine")
def test_without_a_pids_cgroup_no_process_may_start() -> None:
    helper = _helper(FIXTUREGEN_CONFINE_NO_CGROUP="1")
    try:
        found = probe(
            helper, FORK_MANY + attempt("thread", "__import__('threading').Thread(target=len, args=('',)).start()")
        )
        assert found["error"] == "PermissionError" and found["started"] == 0, found
        assert found["thread"] == "allowed"
        # The request after it verifies as before.
        assert helper.result("verify", sp.verify_params("run"))["ok"]
    finally:
        helper.close()


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
out['cgroups'] = open('/proc/self/cgroup').read()
os.kill(out['sleeper'], 0)
out['alive'] = True
"""


def _wait_dead(pid: int, deadline_s: float = 10.0) -> str | None:
    """The sleeper's state once it has exited (Z: not yet reaped, None: reaped), or at the
    deadline: a pidfd becomes readable when the process exits."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return None
    try:
        select.select([fd], [], [], deadline_s)
    finally:
        os.close(fd)
    return process_state(pid)


@pytest.mark.skipif(
    not (PIDS_CGROUP or not SECCOMP), reason="without a pids cgroup no process may start: nothing to survive"
)
def test_a_setsid_double_forked_sleeper_does_not_survive_the_verification(hostile_helper: Helper) -> None:
    found = probe(hostile_helper, SLEEPER)
    pid = found["sleeper"]
    assert found.get("alive"), found
    try:
        assert _wait_dead(pid) in (None, "Z")
        # The next request reaps what is left and removes the child's cgroup.
        assert hostile_helper.result("verify", sp.verify_params("run"))["ok"]
        assert process_state(pid) is None
        base = confine_reap.pids_cgroup()
        if base is not None:
            own = [line.rsplit("/", 1)[-1] for line in found["cgroups"].splitlines() if confine_reap.PREFIX in line]
            assert own and not any(os.path.exists(os.path.join(base, name)) for name in own), own
    finally:
        if process_state(pid) not in (None, "Z"):
            os.kill(pid, 9)


FLIP_HOOKS = """

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome = "passed"
    report.longrepr = None
    return report


def pytest_sessionfinish(session, exitstatus):
    session.exitstatus = 0
"""

SWALLOW_HOOK = """

@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    try:
        return (yield)
    except BaseException:
        return None
"""

DESELECT_HOOK = """

def pytest_collection_modifyitems(session, config, items):
    items[:] = [i for i in items if "scenario" not in i.name]
"""


@pytest.mark.parametrize("hook", [FLIP_HOOKS, SWALLOW_HOOK, DESELECT_HOOK], ids=["flip", "swallow", "deselect"])
def test_nine_grants_and_a_hook_still_fail(hostile_helper: Helper, hook: str) -> None:
    nine = sp.SCENARIO.replace("for i in range(10)", "for i in range(9)") + hook
    result = hostile_helper.result("verify", sp.verify_params("run", files=sp.files(nine)))
    assert not result["ok"]
    scenario = next(t for t in result["tests"] if t["nodeid"].endswith("test_fixturegen_scenario[tenant_with_team]"))
    assert scenario["outcome"] in ("unconfirmed", "failed"), result["tests"]
    if hook is not SWALLOW_HOOK:
        assert scenario["outcome"] == "unconfirmed" and "did not confirm" in scenario["message"]


def test_the_same_hook_in_a_correct_candidate_does_not_fail_it(hostile_helper: Helper) -> None:
    result = hostile_helper.result("verify", sp.verify_params("run", files=sp.files(sp.SCENARIO + FLIP_HOOKS)))
    assert result["ok"], result["tests"]


def test_a_candidate_that_does_not_import_is_one_error_not_a_list_of_unconfirmed_tests(hostile_helper: Helper) -> None:
    broken = sp.SCENARIO.replace("import pytest\n", "import pytest\nimport not_a_module_anywhere\n", 1)
    result = hostile_helper.result("verify", sp.verify_params("run", files=sp.files(broken)))
    assert not result["ok"]
    assert [t["outcome"] for t in result["tests"]] == ["error"], result["tests"]
