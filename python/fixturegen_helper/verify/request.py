"""The verify request: its parameters checked, a child run for it, the response put together (see the
package's docstring)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from typing import Any

from fixturegen_helper import confine, confine_reap
from fixturegen_helper.errors import HelperError
from fixturegen_helper.verify import warm
from fixturegen_helper.verify.child import run_child
from fixturegen_helper.verify.failure import clip
from fixturegen_helper.verify.folder import RESERVED, SMOKE_MODULE, Mode, verdict_path, write_candidate, write_static
from fixturegen_helper.verify.process import EXITING, Spare, kill_group, not_strays, reap_exiting, wait_child
from fixturegen_helper.verify.recorder import MESSAGE_LIMIT
from fixturegen_helper.verify.results import (
    OUTPUT_TAIL,
    apply_verdict,
    blamed_file,
    read_log,
    read_records,
    read_verdict,
    relative,
    stage_timings,
    strip_dump,
    tests_from,
)


def _check_params(params: dict[str, Any]) -> dict[str, Any]:
    level = params.get("level", "run")
    if level not in ("collect", "run"):
        raise HelperError("ProtocolError", "params.level must be 'collect' or 'run'")
    package = params.get("package", "generated")
    if not isinstance(package, str) or not package.isidentifier():
        raise HelperError("ProtocolError", "params.package must be a Python identifier")
    files = params.get("files")
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise HelperError("ProtocolError", "params.files must map relative paths to source text")
    for path in files:
        norm = os.path.normpath(path)
        if os.path.isabs(path) or norm.startswith("..") or norm in RESERVED or norm == ".":
            raise HelperError("ProtocolError", f"params.files: invalid or reserved path {path!r}")
    session_fixture = params.get("sessionFixture")
    if session_fixture is not None and (not isinstance(session_fixture, str) or not session_fixture.isidentifier()):
        raise HelperError("ProtocolError", "params.sessionFixture must be null or a Python identifier")
    timeout = params.get("timeoutS", 60)
    if not isinstance(timeout, (int, float)) or timeout <= 0:
        raise HelperError("ProtocolError", "params.timeoutS must be a positive number")
    expectations = params.get("expectations") or []
    if not isinstance(expectations, list):
        raise HelperError("ProtocolError", "params.expectations must be a list")
    # Which tables the smoke test creates when the project brings its own session fixture: the
    # request names the models, so a verify never depends on what an earlier introspect imported.
    models = params.get("models")
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise HelperError("ProtocolError", "params.models must be a list of module paths")
    # The candidate's own test modules (constraint tests) and the tests each must pass.
    own_tests = params.get("tests") or []
    if not isinstance(own_tests, list) or not all(
        isinstance(t, dict)
        and t.get("path") in files
        and isinstance(t.get("names"), list)
        and all(isinstance(n, str) for n in t["names"])
        for t in own_tests
    ):
        raise HelperError("ProtocolError", "params.tests must list {path, names} of files in params.files")
    is_async = params.get("async", False)
    if not isinstance(is_async, bool):
        raise HelperError("ProtocolError", "params.async must be a boolean")
    return {
        "async": is_async,
        "tests": [{"path": os.path.normpath(t["path"]), "names": list(t["names"])} for t in own_tests],
        "level": level,
        "package": package,
        "files": files,
        "databaseUrl": params.get("databaseUrl") or "sqlite+pysqlite:///:memory:",
        "sessionFixture": session_fixture,
        "timeoutS": float(timeout),
        "expectations": expectations,
        "models": list(models),
    }


def _add_durations(tests: list[dict[str, Any]], records: list[dict[str, Any]]) -> None:
    """Each test's own time in pytest (set-up, call and teardown, as pytest measured them), so a
    batch of scenarios can tell each one's share apart from the batch's fixed cost."""
    spent: dict[str, float] = {}
    for r in records:
        if r.get("event") == "report" and isinstance(r.get("duration"), (int, float)):
            nodeid = str(r.get("nodeid"))
            spent[nodeid] = spent.get(nodeid, 0.0) + float(r["duration"])
    for t in tests:
        if t["nodeid"] in spent:
            t["durationMs"] = round(spent[t["nodeid"]] * 1000, 2)


def _go(p: dict[str, Any], deadline: float) -> dict[str, Any]:
    """What a child needs from the request once its pytest has started (JSON: sent to spares)."""
    session_fixture = p["sessionFixture"]
    plugins = [p["package"]] if session_fixture is None else ["fixturegen_helper.testing", p["package"]]
    if p["async"]:
        # pytest-asyncio from the project's environment (plugin autoload is off in the child).
        plugins = ["pytest_asyncio.plugin", *plugins]
        if session_fixture is not None:
            plugins[1] = "fixturegen_helper.testing_async"
    return {
        "package": p["package"],
        "plugins": plugins,
        "alias": session_fixture if session_fixture not in (None, "fixturegen_session") else None,
        "databaseUrl": p["databaseUrl"],
        "models": p["models"],
        "tests": [t["path"] for t in p["tests"]],
        "deadline": deadline,
    }


def _start(p: dict[str, Any], mode: Mode, deadline: float) -> tuple[int, str, int, bool]:
    """A child verifying `p`: the waiting spare if it fits, else a fresh fork.
    (pid, folder, the read end of its done pipe, spare)"""
    go = _go(p, deadline)
    spare = Spare.take(mode)
    if spare is not None:
        write_candidate(spare.tmp, p)
        if spare.release(go):
            return spare.pid, spare.tmp, spare.done_fd, True
    tmp = os.path.realpath(tempfile.mkdtemp(prefix="fixturegen-verify-"))
    write_static(tmp)
    write_candidate(tmp, p)
    done_r, done_w = os.pipe()
    parent = os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(done_r)
        run_child(tmp, mode, parent, go, done_w)
    os.close(done_w)
    return pid, tmp, done_r, False


class _Run:
    """One verification under way: its checked request, its child and the marks of its stages."""

    def __init__(self, p: dict[str, Any], started: float) -> None:
        self.p = p
        self.started = started
        # Rewriting asserts only changes the messages of failing assert statements: without any
        # in the candidate (the builtin generator writes none) pytest may skip parsing and
        # rewriting it.
        self.own_tests = tuple(t["path"] for t in p["tests"])
        self.mode: Mode = (p["level"], not any("assert" in text for text in p["files"].values()), self.own_tests)
        self.pid, self.tmp, self.done_fd, self.from_spare = _start(p, self.mode, started + p["timeoutS"])
        self.since = confine_reap.start_ticks(self.pid)
        self.sent = time.monotonic()
        self.waited = False

    def spare_mode(self) -> Mode:
        """The mode of the child to fork ahead for the next request: this one's, unless it has
        its own tests (rare, never repeated: the spare is for a plain request)."""
        return self.mode if not self.own_tests else (self.p["level"], True, ())


def _warm(p: dict[str, Any]) -> None:
    warm.warm_pytest()
    warm.warm_database(p["databaseUrl"], p["models"])
    warm.smoke_code()
    warm.entry_point_names()
    warm.fixture_free_holders()
    confine.probe()
    confine.database(p["databaseUrl"])


def verify(params: dict[str, Any]) -> dict[str, Any]:
    return verify_each([params])[0]


#: Most verifications one `verifyEach` request runs side by side.
MAX_PARALLEL = 4


def verify_each(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Runs each request's verification in a child of its own, all at the same time, and answers
    each exactly as a `verify` of it alone would. Children are started in order (the first may be
    the waiting spare), then waited for in order; what they left behind (strays, cgroups) is
    tidied once all are done, since a child started later is no stray of an earlier one."""
    if not isinstance(requests, list) or not 1 <= len(requests) <= MAX_PARALLEL:
        raise HelperError("ProtocolError", f"params.requests must list 1 to {MAX_PARALLEL} verify requests")
    if not all(isinstance(r, dict) for r in requests):
        raise HelperError("ProtocolError", "params.requests must list verify params objects")
    checked = [_check_params(r) for r in requests]
    for p in checked:
        _warm(p)
    reap_exiting()
    confine_reap.tidy(not_strays())
    runs: list[_Run] = []
    try:
        for p in checked:
            runs.append(_Run(p, time.monotonic()))
        # The next request's child, forked while these run; it starts once they are done.
        Spare.make(runs[-1].spare_mode())
        return [_collect(run) for run in runs]
    except BaseException:
        for run in runs:
            if not run.waited:
                kill_group(run.pid)
        raise
    finally:
        for run in runs:
            if not run.waited:
                try:
                    os.close(run.done_fd)
                except OSError:
                    pass
                try:
                    os.waitpid(run.pid, 0)
                except ChildProcessError:
                    pass
                confine_reap.finish(confine.cgroup(), run.pid, run.since)
            shutil.rmtree(run.tmp, ignore_errors=True)
            try:
                os.unlink(verdict_path(run.tmp))
            except OSError:
                pass
        confine_reap.tidy(not_strays())
        # The next request's child starts its pytest now, while this answer is on its way.
        Spare.start_current()


def _collect(run: _Run) -> dict[str, Any]:
    """Waits for `run`'s child and reads what it left behind into the response."""
    p, tmp, started = run.p, run.tmp, run.started
    log_path = os.path.join(tmp, "fixturegen.log")
    results_path = os.path.join(tmp, "fixturegen-results.jsonl")
    run.waited = True
    status, timed_out, cpu_ms = wait_child(run.pid, started + p["timeoutS"], run.done_fd, log_path)
    reaped = time.monotonic()
    # Whatever the candidate started goes too: the child's process group, and its cgroup
    # (processes that left the group); strays re-parented to the helper are reaped.
    kill_group(run.pid)
    confine_reap.finish(confine.cgroup(), run.pid, run.since)
    pid = run.pid
    records = read_records(results_path)
    exit_mark = next((r for r in records if r.get("event") == "mark" and r.get("name") == "exit"), None)
    if status is None and exit_mark is not None:
        exit_code = int(exit_mark["code"])
        cpu_ms = float(exit_mark.get("cpu") or 0) * 1000
        EXITING.append(pid)
    else:
        if status is None:  # said done, yet no exit record: wait for the real status
            _, status, usage = os.wait4(pid, 0)
            cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
        exit_code = os.waitstatus_to_exitcode(status)
    tests = tests_from(records, timed_out, p["timeoutS"])
    _add_durations(tests, records)
    output = relative(read_log(log_path), tmp)
    if timed_out:
        output = strip_dump(output)
    for t in tests:
        if t["message"]:
            t["message"] = relative(t["message"], tmp)
    if timed_out:
        where = next((t["nodeid"] for t in tests if t["outcome"] == "timeout"), None)
        if where is None:
            message = (
                f"killed after {p['timeoutS']:g} s while importing or collecting the candidate "
                "(see the stack dump in the output)"
            )
            tests.append({"nodeid": blamed_file(output, p), "outcome": "timeout", "message": message})
        else:
            message = f"killed after {p['timeoutS']:g} s while running {where}"
        output = (output + f"\nfixturegen: {message}\n")[-OUTPUT_TAIL:]
    elif exit_code not in (0, 1, 5) and not any(t["outcome"] == "error" for t in tests):
        # The failure happened before collection reports existed (conftest or plugin import).
        tests.append(
            {
                "nodeid": blamed_file(output, p),
                "outcome": "error",
                "message": clip(output.strip(), MESSAGE_LIMIT) or f"pytest exited with code {exit_code}",
            }
        )
    if exit_code == 5:
        tests.append(
            {
                "nodeid": SMOKE_MODULE,
                "outcome": "error",
                "message": "pytest collected no tests from the smoke test module",
            }
        )
    if p["level"] == "run" and not timed_out:
        apply_verdict(tests, read_verdict(verdict_path(tmp)), p["expectations"], SMOKE_MODULE, p["tests"])
    ok = not timed_out and exit_code == 0 and all(t["outcome"] in ("passed", "collected", "skipped") for t in tests)
    end = time.monotonic()
    warning = confine.warning()
    return {
        **({"warning": warning} if warning else {}),
        "ok": ok,
        "exitCode": exit_code,
        "timedOut": timed_out,
        "durationMs": int((end - started) * 1000),
        "tests": tests,
        "output": output[-OUTPUT_TAIL:],
        "timings": {
            **stage_timings(
                records, {"start": started, "sent": run.sent, "reaped": reaped, "end": end}, run.from_spare
            ),
            # CPU of the whole child, a spare's start-up included: a figure load does not skew.
            "childCpuMs": round(cpu_ms or 0, 2),
        },
    }
