"""Verify a candidate output package with pytest, in a forked child with a time limit.

Params:
    level          "collect" | "run"
    package        output package name, e.g. "generated"
    files          {relative path: source}, e.g. {"generated/__init__.py": ..., "generated/x.py": ...}
    databaseUrl    URL the fixtures use (exported as FIXTUREGEN_DATABASE_URL)
    sessionFixture null, or the project's session fixture name (then the generated package has no
                   db_session and fixturegen_helper.testing provides one under that name)
    timeoutS       seconds before the child's process group is killed (default 60)
    expectations   one per scenario fixture (see fixturegen_helper.smoke)
    models         optional: models import paths for table creation with sessionFixture (default:
                   the paths of the last introspect in this process)

Result: {"ok", "exitCode", "timedOut", "durationMs", "tests": [{"nodeid", "outcome", "message"}],
"output", "timings"}. `outcome` is one of passed, failed, error, skipped, collected, timeout. `exitCode` is
pytest's: 0 passed, 1 failures, 2 interrupted or collection error, 3 internal error (pytest's
code for a candidate module that fails to import as a plugin: syntax or import errors in the
package), 4 usage error, 5 nothing collected (never expected: the smoke test always collects);
also 3 when the child crashed outside pytest (traceback in `output`), and -9 when it was killed at
the timeout. Failures that happen before any test report (plugin import) get a test entry whose
nodeid is the candidate file named in the traceback (else `conftest.py`); a timeout gets an entry
with outcome `timeout` (the running test, or the candidate file that hung while importing), and
faulthandler's stack dump of the hung code is in `output`. Paths inside the temporary folder are
shown relative to it, as the files were given. `timings` says where the time went, in
milliseconds per stage (see `STAGES`), with `spare` (1 when a spare child served the request),
`childCpuMs` and `goToFinishedCpuMs` (CPU of the child: all of it, and from the candidate being in
place to the end of the session).

The parent (this helper process, with the project's models already imported) forks; the child
starts a new session (process group), sends fds 1 and 2 to a log file, detaches from the protocol
streams, puts the temporary folder first on sys.path (so the candidate package shadows any
`generated/` of the project) and runs `pytest.main`. The parent never imports the candidate.

Warm path: what a child would redo every time is done once in the parent (`warm`), and after each
request the next child is forked ahead (`_Spare`): it starts pytest (plugins, options, ini) and
waits in the verifier's conftest, the first point where pytest needs the candidate, until the
parent has written the next candidate and sent the request's values. A request that does not fit
the spare (another level, or a candidate whose asserts pytest must rewrite) gets a fresh child.
Results are the same either way; only the time differs.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
from typing import Any

import pytest

from fixturegen_helper import warm
from fixturegen_helper.introspect import LAST_MODULES, HelperError

#: The protocol's stdout descriptor, closed in the verification child.
PROTOCOL_FD: int | None = None

SMOKE_MODULE = "test_fixturegen_smoke.py"
SMOKE_CONFIG = "fixturegen_smoke.json"
RESERVED = {"conftest.py", "pytest.ini", SMOKE_MODULE, SMOKE_CONFIG, "fixturegen.log", "fixturegen-results.jsonl"}
OUTPUT_TAIL = 4000
MESSAGE_LIMIT = 3000


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
    models = params.get("models") or list(LAST_MODULES)
    return {
        "level": level,
        "package": package,
        "files": files,
        "databaseUrl": params.get("databaseUrl") or "sqlite+pysqlite:///:memory:",
        "sessionFixture": session_fixture,
        "timeoutS": float(timeout),
        "expectations": expectations,
        "models": [m for m in models if isinstance(m, str)],
    }


#: The verifier's conftest: the same text for every candidate. What it registers comes from
#: `candidate_ready()`, so a spare child (see `_Spare`) can start pytest before the candidate exists
#: and wait right here, at the first point where pytest needs it.
CONFTEST = """\
# Written by fixturegen's verifier.
import pytest

from fixturegen_helper.verify import candidate_ready

_candidate = candidate_ready()
pytest_plugins = _candidate["plugins"]

if _candidate["alias"]:

    @pytest.fixture(name=_candidate["alias"])
    def fixturegen_session_alias(fixturegen_session):
        return fixturegen_session
"""


def _go(p: dict[str, Any], deadline: float) -> dict[str, Any]:
    """What a child needs from the request once its pytest has started (JSON: sent to spares)."""
    session_fixture = p["sessionFixture"]
    return {
        "package": p["package"],
        "plugins": [p["package"]] if session_fixture is None else ["fixturegen_helper.testing", p["package"]],
        "alias": session_fixture if session_fixture not in (None, "fixturegen_session") else None,
        "databaseUrl": p["databaseUrl"],
        "models": p["models"],
        "deadline": deadline,
    }


def _write_static(tmp: str) -> None:
    """The files that do not depend on the candidate."""
    with open(os.path.join(tmp, "conftest.py"), "w", encoding="utf-8") as f:
        f.write(CONFTEST)
    with open(os.path.join(tmp, "pytest.ini"), "w", encoding="utf-8") as f:
        f.write("[pytest]\n")
    with open(os.path.join(tmp, SMOKE_MODULE), "w", encoding="utf-8") as f:
        f.write(warm.smoke_stub())


def _write_candidate(tmp: str, p: dict[str, Any]) -> None:
    for rel, text in p["files"].items():
        dest = os.path.join(tmp, os.path.normpath(rel))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
    with open(os.path.join(tmp, SMOKE_CONFIG), "w", encoding="utf-8") as f:
        json.dump({"sessionFixture": p["sessionFixture"], "expectations": p["expectations"]}, f, indent=1)


# ---------------------------------------------------------------------------------------------
# Child side


class _Recorder:
    """pytest plugin writing one JSON line per report to the results file (flushed each time, so
    a child killed at the timeout still tells how far it got)."""

    def __init__(self, path: str, tmp: str, collect_only: bool) -> None:
        self.f = open(path, "a", encoding="utf-8")
        self.tmp = tmp
        self.collect_only = collect_only

    def _emit(self, **record: Any) -> None:
        self.f.write(json.dumps(record, default=str) + "\n")
        self.f.flush()

    def _mark(self, name: str) -> None:
        self._emit(event="mark", name=name, t=time.monotonic(), cpu=time.process_time())

    def pytest_configure(self, config: Any) -> None:
        self._mark("configured")

    def pytest_sessionfinish(self, session: Any) -> None:
        self._mark("finished")

    def _where(self, excinfo: Any) -> str:
        """The deepest traceback entry inside the candidate files, as `path:line in name`."""
        try:
            for entry in reversed(list(excinfo.traceback)):
                path = str(entry.path)
                if path.startswith(self.tmp + os.sep) and not path.endswith(SMOKE_MODULE):
                    rel = os.path.relpath(path, self.tmp).replace(os.sep, "/")
                    try:
                        line = str(entry.statement).strip()
                    except Exception:  # noqa: BLE001
                        line = ""
                    return f"\n  at {rel}:{entry.lineno + 1} in {entry.name}" + (f": {line}" if line else "")
        except Exception:  # noqa: BLE001
            pass
        return ""

    def _message(self, excinfo: Any) -> str:
        text = excinfo.exconly()
        if text.startswith("Failed: "):
            text = text[len("Failed: ") :]
        else:
            text += self._where(excinfo)
        return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 3] + "..."

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            text = report.longreprtext or "collection failed"
            self._emit(event="report", nodeid=report.nodeid or "<collection>", when="collect",
                       outcome="error", message=text[-MESSAGE_LIMIT:])

    def pytest_collection_finish(self, session: Any) -> None:
        self._mark("collected")
        if self.collect_only:
            for item in session.items:
                self._emit(event="report", nodeid=item.nodeid, when="collect", outcome="collected", message=None)

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self._emit(event="start", nodeid=nodeid)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: Any, call: Any) -> Any:
        report = yield
        if call.excinfo is not None and report.failed:
            report.fixturegen_message = self._message(call.excinfo)
        return report

    def pytest_runtest_logreport(self, report: Any) -> None:
        message = None
        if report.failed:
            message = getattr(report, "fixturegen_message", None) or report.longreprtext[-MESSAGE_LIMIT:] or None
        elif report.skipped and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2])
        self._emit(event="report", nodeid=report.nodeid, when=report.when, outcome=report.outcome, message=message)


def _mark(path: str, name: str) -> None:
    """A timestamp record in the results file (CLOCK_MONOTONIC: comparable with the parent's)."""
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"event": "mark", "name": name, "t": time.monotonic(), "cpu": time.process_time()}) + "\n")


#: In a verification child: the request's `_go` values, or, in a spare until they arrive, the
#: read end of the pipe they come through.
_GO: dict[str, Any] | int | None = None
#: In a verification child: its folder, results file and faulthandler dump file, and whether
#: the request's values were applied.
_CHILD: dict[str, Any] = {"applied": False}


#: A spare's bytes read from its pipe past the line asked for.
_PIPE_REST = [b""]


def _read_line(fd: int) -> bytes:
    """The next line from a spare's pipe; end of file means the helper discarded the spare or is
    gone: nothing to verify, so the spare removes its folder and leaves."""
    data = _PIPE_REST[0]
    while b"\n" not in data:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            shutil.rmtree(_CHILD.get("tmp") or "", ignore_errors=True)
            os._exit(0)
        data += chunk
    line, _PIPE_REST[0] = data.split(b"\n", 1)
    return line


def _receive(fd: int) -> dict[str, Any]:
    go = dict(json.loads(_read_line(fd)))
    os.close(fd)
    return go


def _apply(go: dict[str, Any]) -> None:
    """The request's part of the child's set-up, done once the candidate is in place."""
    for name in list(sys.modules):
        if name == go["package"] or name.startswith(go["package"] + "."):
            del sys.modules[name]
    # Only the candidate's folder changed since the finders listed it; forgetting every cached
    # listing (importlib.invalidate_caches) would make the next imports list site-packages again.
    tmp = _CHILD["tmp"]
    for key in list(sys.path_importer_cache):
        if key == tmp or key.startswith(tmp + os.sep):
            del sys.path_importer_cache[key]
    os.environ["FIXTUREGEN_DATABASE_URL"] = go["databaseUrl"]
    os.environ["FIXTUREGEN_MODELS"] = ",".join(go["models"])
    _mark(_CHILD["results"], "go")


def candidate_ready() -> dict[str, Any]:
    """Called by the verifier's conftest, in the child. A spare blocks here, its pytest started,
    until the parent has written the candidate and sent the request's values."""
    global _GO
    if isinstance(_GO, int):
        _GO = _receive(_GO)
    if not isinstance(_GO, dict):
        raise RuntimeError("candidate_ready() is for fixturegen's verification children")
    if not _CHILD["applied"]:
        _CHILD["applied"] = True
        _apply(_GO)
    return _GO


def run_smoke_module(namespace: dict[str, Any]) -> None:
    """The smoke test stub's body: smoke.py's code, compiled once in the helper."""
    exec(warm.smoke_code(), namespace)  # noqa: S102 - fixturegen's own module


def pytest_args(tmp: str, level: str, plain_asserts: bool) -> list[str]:
    args = [
        os.path.join(tmp, SMOKE_MODULE),
        "-c", os.path.join(tmp, "pytest.ini"),
        "--rootdir", tmp,
        "--confcutdir", tmp,
        "-p", "no:cacheprovider",
        "-p", "no:faulthandler",
        "-q",
        "-rfE",
        "--tb=native",
        "--color=no",
    ]
    if plain_asserts:
        args.append("--assert=plain")
    if level == "collect":
        args.append("--collect-only")
    return args


def _child(tmp: str, mode: tuple[str, bool], parent: int, go: dict[str, Any] | int, done_fd: int) -> None:
    """Runs in the forked child; never returns. `go` is the request's values, or the pipe they
    will come through (a spare); `mode` is the verify level and whether asserts stay plain. Once
    everything is written, the exit code goes to the results file and a byte to `done_fd`: the
    parent need not wait for the process to be torn down."""
    global _GO
    code = 3
    entry_points = warm.entry_point_names()
    fixture_free = warm.fixture_free_holders()
    log_path = os.path.join(tmp, "fixturegen.log")
    results_path = os.path.join(tmp, "fixturegen-results.jsonl")
    try:
        _mark(results_path, "child")
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        if PROTOCOL_FD is not None:
            try:
                os.close(PROTOCOL_FD)
            except OSError:
                pass
        sys.stdout = sys.__stdout__ if sys.__stdout__ is not None else sys.stderr
        warm.die_with_parent(parent, on_exit=lambda: shutil.rmtree(tmp, ignore_errors=True))
        # A descriptor of its own for faulthandler: pytest's capture redirects fds 1 and 2.
        import faulthandler

        dump_file = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - lives until _exit
        faulthandler.enable(file=dump_file)
        # At the deadline the parent asks for the stack (SIGUSR1) before it kills: the output then
        # says where the candidate hung. faulthandler writes from the signal handler itself, so a
        # loop that never gives up the GIL still answers.
        faulthandler.register(DUMP_SIGNAL, file=dump_file, all_threads=True)
        _CHILD.update(tmp=tmp, results=results_path, dump=dump_file)
        os.chdir(tmp)
        sys.path.insert(0, tmp)
        for name in list(sys.modules):
            if name in ("conftest", SMOKE_MODULE[:-3]):
                del sys.modules[name]
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        os.environ.pop("PYTEST_ADDOPTS", None)
        os.environ.pop("PYTEST_PLUGINS", None)
        warm.skip_needless_entry_point_scans(entry_points)
        warm.skip_fixture_free_holders(fixture_free)

        import gc

        import pytest

        # Everything inherited from the parent is long-lived: keep the collector off it (pytest
        # runs gc.collect() several times at exit).
        gc.freeze()
        _GO = go
        if isinstance(go, int):
            # A spare is forked while the request before it still runs: it starts its pytest
            # only once that one is done, so as not to take CPU from it.
            _read_line(go)
            # Idle time, off the critical path: pay the copy-on-write faults now.
            warm.prefault_inherited_memory()
        level, plain_asserts = mode
        recorder = _Recorder(results_path, tmp, level == "collect")
        _mark(results_path, "pytest")
        code = int(pytest.main(pytest_args(tmp, level, plain_asserts), plugins=[recorder]))
    except BaseException:  # noqa: BLE001
        try:
            sys.stderr.write(traceback.format_exc())
        except Exception:  # noqa: BLE001
            pass
        code = 3
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            with open(results_path, "a", encoding="utf-8") as f:
                mark = {"event": "mark", "name": "exit", "code": code, "t": time.monotonic(), "cpu": time.process_time()}
                f.write(json.dumps(mark) + "\n")
            os.write(done_fd, b"x")
        except Exception:  # noqa: BLE001 - then the parent waits for the exit itself
            pass
        os._exit(code)


class _Spare:
    """A verification child forked ahead of the next request, while the current one runs (the
    fork's cost falls in time the parent spends waiting anyway). It waits for `start` (sent once
    the current request is done), starts pytest (plugins registered, options and ini parsed) and
    waits in the conftest for the candidate. Used when the next request has the same mode, else
    discarded. Only the last one is kept. Its pipe carries two lines: "start", then the request."""

    current: _Spare | None = None

    def __init__(self, mode: tuple[str, bool]) -> None:
        self.mode = mode
        self.started = False
        self.modules = len(sys.modules)
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix="fixturegen-verify-"))
        _write_static(self.tmp)
        read_end, self.go_fd = os.pipe()
        self.done_fd, done_w = os.pipe()
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - child
            os.close(self.go_fd)
            os.close(self.done_fd)
            _child(self.tmp, mode, parent, read_end, done_w)
        os.close(read_end)
        os.close(done_w)

    @classmethod
    def make(cls, mode: tuple[str, bool]) -> None:
        cls.discard()
        try:
            cls.current = cls(mode)
        except OSError:
            cls.current = None

    @classmethod
    def take(cls, mode: tuple[str, bool]) -> _Spare | None:
        """The spare for `mode` if it is still waiting and the helper imported nothing since it
        was forked (it would lack those modules), else None (and it is discarded)."""
        spare, cls.current = cls.current, None
        if spare is None:
            return None
        if spare.mode == mode and spare.modules == len(sys.modules) and spare.alive():
            return spare
        spare.close()
        return None

    @classmethod
    def start_current(cls) -> None:
        _reap_exiting()
        spare = cls.current
        if spare is not None and not spare.started:
            spare.started = True
            # What the parent imported during the request (the standard library, lazily) the
            # spare imports itself if it needs it; what comes after (introspect) it would lack.
            spare.modules = len(sys.modules)
            try:
                os.write(spare.go_fd, b"start\n")
            except OSError:
                cls.discard()

    @classmethod
    def discard(cls) -> None:
        spare, cls.current = cls.current, None
        if spare is not None:
            spare.close()

    def alive(self) -> bool:
        try:
            return os.waitpid(self.pid, os.WNOHANG)[0] == 0
        except ChildProcessError:
            return False

    def release(self, go: dict[str, Any]) -> bool:
        """Sends the request's values; False if the spare is gone (then it is cleaned up)."""
        data = (json.dumps(go) + "\n").encode("utf-8")
        try:
            os.write(self.go_fd, data if self.started else b"start\n" + data)
            os.close(self.go_fd)
            self.go_fd = -1
            return True
        except OSError:
            self.close()
            return False

    def close(self) -> None:
        for fd in (self.go_fd, self.done_fd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.go_fd = self.done_fd = -1
        _kill_group(self.pid)
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)


atexit.register(_Spare.discard)


# ---------------------------------------------------------------------------------------------
# Parent side


def _read_records(path: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    records.append(json.loads(line))
                except ValueError:
                    pass  # a line cut short by the kill
    except OSError:
        pass
    return records


def _tests_from(records: list[dict[str, Any]], timed_out: bool, timeout_s: float) -> list[dict[str, Any]]:
    tests: dict[str, dict[str, Any]] = {}
    running: str | None = None

    def entry(nodeid: str) -> dict[str, Any]:
        if nodeid not in tests:
            tests[nodeid] = {"nodeid": nodeid, "outcome": "passed", "message": None}
        return tests[nodeid]

    for r in records:
        nodeid = r.get("nodeid") or "<unknown>"
        if r["event"] == "start":
            running = nodeid
            entry(nodeid)["outcome"] = "running"
        elif r["event"] == "report":
            when, outcome = r["when"], r["outcome"]
            message = r.get("message")
            t = entry(nodeid)
            if when == "collect":
                t["outcome"] = "error" if outcome == "error" else outcome
                t["message"] = message
            elif when == "setup":
                if outcome == "failed":
                    t["outcome"], t["message"] = "error", message
                elif outcome == "skipped":
                    t["outcome"], t["message"] = "skipped", message
            elif when == "call":
                t["outcome"] = outcome
                if outcome != "passed":
                    t["message"] = message
            elif when == "teardown":
                running = None
                if outcome == "failed":
                    if t["outcome"] in ("passed", "running"):
                        t["outcome"], t["message"] = "error", message
                    else:
                        t["message"] = f"{t['message']}\n(teardown also failed) {message}"
                elif t["outcome"] == "running":
                    t["outcome"] = "passed"
    for t in tests.values():
        if t["outcome"] == "running":
            if timed_out and t["nodeid"] == running:
                t["outcome"] = "timeout"
                t["message"] = f"killed after {timeout_s:g} s while running this test"
            else:
                t["outcome"] = "error"
                t["message"] = t["message"] or "the test did not finish"
    return list(tests.values())


def _read_log(path: str) -> str:
    """The end of the child's log, four times as long as the output it becomes: a stack dump's
    first frames (the candidate's) must survive until the dump's other frames are dropped."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - OUTPUT_TAIL * 4))
            text = f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return text


def _relative(text: str, tmp: str) -> str:
    """Paths inside the temporary folder, shown relative to it (as the files were given)."""
    return text.replace(tmp + os.sep, "").replace(tmp, ".")


def _strip_dump(output: str) -> str:
    """Drop the frames of pytest, the standard library and this helper from faulthandler's stack
    dump, keeping the candidate's frames (which come first: most recent call first)."""
    keep = []
    for line in output.splitlines():
        stripped = line.strip()
        if stripped.startswith("File ") and (
            "site-packages" in stripped
            or "<frozen" in stripped
            or "fixturegen_helper" in stripped
            or f"{os.sep}lib{os.sep}python" in stripped
        ):
            continue
        keep.append(line)
    return "\n".join(keep) + "\n"


def _blamed_file(output: str, p: dict[str, Any]) -> str:
    """The deepest candidate file the output mentions (a traceback or stack dump), else conftest.py."""
    import re

    pattern = r'File "([^"]+)", line \d+|^([^\s:]+\.py):\d+: in '
    hits = [
        name
        for m in re.finditer(pattern, output, re.MULTILINE)
        for name in (m.group(1) or m.group(2),)
        if name in p["files"]
    ]
    return hits[-1] if hits else "conftest.py"


def _kill_group(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
            return
        except (ProcessLookupError, PermissionError):
            continue


#: Children that said they were done and are exiting; reaped without waiting, later.
_EXITING: list[int] = []


def _reap_exiting(block: bool = False) -> None:
    for pid in list(_EXITING):
        try:
            if os.waitpid(pid, 0 if block else os.WNOHANG)[0] == 0:
                continue
        except ChildProcessError:
            pass
        _EXITING.remove(pid)


atexit.register(_reap_exiting, True)


#: Asks a verification child for its stack dump (faulthandler) before it is killed.
DUMP_SIGNAL = signal.SIGUSR1
#: How long the parent waits for that dump to appear in the child's log.
DUMP_WAIT_S = 1.0


def _request_dump(pid: int, log_path: str) -> None:
    """Signals the child to write every thread's stack to its log, and waits (with a deadline)
    until the dump is there and has stopped growing, so the kill that follows never cuts it."""
    try:
        before = os.path.getsize(log_path)
    except OSError:
        before = 0
    try:
        os.kill(pid, DUMP_SIGNAL)
    except ProcessLookupError:
        return
    limit = time.monotonic() + DUMP_WAIT_S
    size = before
    while time.monotonic() < limit:
        select.select([], [], [], 0.01)
        try:
            now = os.path.getsize(log_path)
        except OSError:
            return
        if now > before and now == size:
            return
        size = now


def _wait(pid: int, deadline: float, done_fd: int, log_path: str) -> tuple[int | None, bool, float | None]:
    """Waits for the child until it is done, exits, or the deadline passes: (wait status, or None
    when it said it was done and is exiting; timed out; its CPU milliseconds when reaped). Wakes at
    once (its done pipe, a pidfd where the platform has one, else short polls); kills its process
    group at the deadline, and also when the wait itself is interrupted (Ctrl-C reaches the
    helper), so no verification child outlives its request."""
    pidfd = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            pidfd = None
    delay = 0.002
    try:
        while True:
            if select.select([done_fd], [], [], 0)[0] and os.read(done_fd, 1):
                return None, False, None
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done == pid:
                return status, False, (usage.ru_utime + usage.ru_stime) * 1000
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _request_dump(pid, log_path)
                _kill_group(pid)
                _, status, usage = os.wait4(pid, 0)
                return status, True, (usage.ru_utime + usage.ru_stime) * 1000
            if pidfd is not None:
                select.select([pidfd, done_fd], [], [], remaining)
            else:
                select.select([done_fd], [], [], min(delay, remaining))
                delay = min(delay * 1.5, 0.02)
    except BaseException:
        _kill_group(pid)
        raise
    finally:
        if pidfd is not None:
            os.close(pidfd)
        os.close(done_fd)


#: Stages of one verification: (name, from mark, to mark). The parent marks start, sent (the
#: candidate handed to a child), reaped and end; the child marks child (forked), pytest
#: (pytest.main called), go (candidate in place: conftest reached), configured, collected and
#: finished (see `_Recorder`).
STAGES = (
    ("prepareMs", "start", "sent"),
    ("childSetupMs", "child", "pytest"),
    ("pytestStartupMs", "pytest", "go"),
    ("candidateImportMs", "go", "configured"),
    ("collectMs", "configured", "collected"),
    ("runMs", "collected", "finished"),
    ("exitMs", "finished", "reaped"),
    ("reportMs", "reaped", "end"),
)


def _timings(records: list[dict[str, Any]], points: dict[str, float], spare: bool) -> dict[str, float]:
    """Milliseconds per stage of this request. A spare's set-up and pytest start-up happened
    before the request and are not part of it (`spare` is 1); stages with missing marks (a crash,
    a timeout) are left out."""
    t = dict(points)
    cpu: dict[str, float] = {}
    for r in records:
        if r.get("event") == "mark" and isinstance(r.get("t"), (int, float)):
            t.setdefault(str(r.get("name")), float(r["t"]))
            if isinstance(r.get("cpu"), (int, float)):
                cpu.setdefault(str(r.get("name")), float(r["cpu"]))
    out = {
        name: round((t[b] - t[a]) * 1000, 2)
        for name, a, b in STAGES
        if a in t and b in t and t[a] >= points["start"]
    }
    out["spare"] = 1.0 if spare else 0.0
    if "go" in cpu and "finished" in cpu:
        # The child's own CPU once the candidate was in place: what load does not skew.
        out["goToFinishedCpuMs"] = round((cpu["finished"] - cpu["go"]) * 1000, 2)
    return out


def _start(p: dict[str, Any], mode: tuple[str, bool], deadline: float) -> tuple[int, str, int, bool]:
    """A child verifying `p`: the waiting spare if it fits, else a fresh fork.
    (pid, folder, the read end of its done pipe, spare)"""
    go = _go(p, deadline)
    spare = _Spare.take(mode)
    if spare is not None:
        _write_candidate(spare.tmp, p)
        if spare.release(go):
            return spare.pid, spare.tmp, spare.done_fd, True
    tmp = os.path.realpath(tempfile.mkdtemp(prefix="fixturegen-verify-"))
    _write_static(tmp)
    _write_candidate(tmp, p)
    done_r, done_w = os.pipe()
    parent = os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(done_r)
        _child(tmp, mode, parent, go, done_w)
    os.close(done_w)
    return pid, tmp, done_r, False


def verify(params: dict[str, Any]) -> dict[str, Any]:
    p = _check_params(params)
    warm.warm_pytest()
    warm.warm_database(p["databaseUrl"])
    warm.smoke_code()
    warm.entry_point_names()
    warm.fixture_free_holders()
    started = time.monotonic()
    # Rewriting asserts only changes the messages of failing assert statements: without any in
    # the candidate (the builtin generator writes none) pytest may skip parsing and rewriting it.
    mode = (p["level"], not any("assert" in text for text in p["files"].values()))
    _reap_exiting()
    pid, tmp, done_fd, from_spare = _start(p, mode, started + p["timeoutS"])
    sent = time.monotonic()
    # The next request's child, forked while this one runs; it starts once this one is done.
    _Spare.make(mode)
    log_path = os.path.join(tmp, "fixturegen.log")
    results_path = os.path.join(tmp, "fixturegen-results.jsonl")
    try:
        status, timed_out, cpu_ms = _wait(pid, started + p["timeoutS"], done_fd, log_path)
        reaped = time.monotonic()
        # Whatever the candidate started in the child's process group goes too.
        _kill_group(pid)
        records = _read_records(results_path)
        exit_mark = next((r for r in records if r.get("event") == "mark" and r.get("name") == "exit"), None)
        if status is None and exit_mark is not None:
            exit_code = int(exit_mark["code"])
            cpu_ms = float(exit_mark.get("cpu") or 0) * 1000
            _EXITING.append(pid)
        else:
            if status is None:  # said done, yet no exit record: wait for the real status
                _, status, usage = os.wait4(pid, 0)
                cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
            exit_code = os.waitstatus_to_exitcode(status)
        tests = _tests_from(records, timed_out, p["timeoutS"])
        output = _relative(_read_log(log_path), tmp)
        if timed_out:
            output = _strip_dump(output)
        for t in tests:
            if t["message"]:
                t["message"] = _relative(t["message"], tmp)
        if timed_out:
            where = next((t["nodeid"] for t in tests if t["outcome"] == "timeout"), None)
            if where is None:
                message = (
                    f"killed after {p['timeoutS']:g} s while importing or collecting the candidate "
                    "(see the stack dump in the output)"
                )
                tests.append({"nodeid": _blamed_file(output, p), "outcome": "timeout", "message": message})
            else:
                message = f"killed after {p['timeoutS']:g} s while running {where}"
            output = (output + f"\nfixturegen: {message}\n")[-OUTPUT_TAIL:]
        elif exit_code not in (0, 1, 5) and not any(t["outcome"] == "error" for t in tests):
            # The failure happened before collection reports existed (conftest or plugin import).
            tests.append(
                {
                    "nodeid": _blamed_file(output, p),
                    "outcome": "error",
                    "message": output.strip()[-MESSAGE_LIMIT:] or f"pytest exited with code {exit_code}",
                }
            )
        if exit_code == 5:
            tests.append({"nodeid": SMOKE_MODULE, "outcome": "error", "message": "pytest collected no tests from the smoke test module"})
        ok = (
            not timed_out
            and exit_code == 0
            and all(t["outcome"] in ("passed", "collected", "skipped") for t in tests)
        )
        end = time.monotonic()
        return {
            "ok": ok,
            "exitCode": exit_code,
            "timedOut": timed_out,
            "durationMs": int((end - started) * 1000),
            "tests": tests,
            "output": output[-OUTPUT_TAIL:],
            "timings": {
                **_timings(records, {"start": started, "sent": sent, "reaped": reaped, "end": end}, from_spare),
                # CPU of the whole child, a spare's start-up included: a figure load does not skew.
                "childCpuMs": round(cpu_ms or 0, 2),
            },
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        # The next request's child starts its pytest now, while this answer is on its way.
        _Spare.start_current()
