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
"output"}. `outcome` is one of passed, failed, error, skipped, collected, timeout. `exitCode` is
pytest's: 0 passed, 1 failures, 2 interrupted or collection error, 3 internal error (pytest's
code for a candidate module that fails to import as a plugin: syntax or import errors in the
package), 4 usage error, 5 nothing collected (never expected: the smoke test always collects);
also 3 when the child crashed outside pytest (traceback in `output`), and -9 when it was killed at
the timeout. Failures that happen before any test report (plugin import) get a test entry whose
nodeid is the candidate file named in the traceback (else `conftest.py`); a timeout gets an entry
with outcome `timeout` (the running test, or the candidate file that hung while importing), and
faulthandler's stack dump of the hung code is in `output`. Paths inside the temporary folder are
shown relative to it, as the files were given.

The parent (this helper process, with the project's models already imported) forks; the child
starts a new session (process group), sends fds 1 and 2 to a log file, detaches from the protocol
streams, puts the temporary folder first on sys.path (so the candidate package shadows any
`generated/` of the project) and runs `pytest.main`. The parent never imports the candidate.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from typing import Any

import pytest

from fixturegen_helper.introspect import LAST_MODULES, HelperError

#: The protocol's stdout descriptor, closed in the verification child.
PROTOCOL_FD: int | None = None

SMOKE_MODULE = "test_fixturegen_smoke.py"
SMOKE_CONFIG = "fixturegen_smoke.json"
RESERVED = {"conftest.py", "pytest.ini", SMOKE_MODULE, SMOKE_CONFIG, "fixturegen.log", "fixturegen-results.jsonl"}
OUTPUT_TAIL = 4000
MESSAGE_LIMIT = 3000


def _warm_pytest() -> None:
    """Import pytest and its built-in plugins once in the parent so every child starts warm."""
    import importlib

    import pytest  # noqa: F401
    from _pytest.config import default_plugins

    for name in default_plugins:
        try:
            importlib.import_module(f"_pytest.{name}")
        except Exception:  # noqa: BLE001 - best effort
            pass


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


def _conftest(package: str, session_fixture: str | None) -> str:
    lines = ["# Written by fixturegen's verifier.", "import pytest", ""]
    if session_fixture is None:
        lines.append(f"pytest_plugins = [{package!r}]")
    else:
        lines.append(f'pytest_plugins = ["fixturegen_helper.testing", {package!r}]')
        if session_fixture != "fixturegen_session":
            lines += [
                "",
                "",
                "@pytest.fixture",
                f"def {session_fixture}(fixturegen_session):",
                "    return fixturegen_session",
            ]
    return "\n".join(lines) + "\n"


def _write_tree(tmp: str, p: dict[str, Any]) -> None:
    for rel, text in p["files"].items():
        dest = os.path.join(tmp, os.path.normpath(rel))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
    with open(os.path.join(tmp, "conftest.py"), "w", encoding="utf-8") as f:
        f.write(_conftest(p["package"], p["sessionFixture"]))
    with open(os.path.join(tmp, "pytest.ini"), "w", encoding="utf-8") as f:
        f.write("[pytest]\n")
    smoke_src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "smoke.py")
    shutil.copyfile(smoke_src, os.path.join(tmp, SMOKE_MODULE))
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


def _child(tmp: str, p: dict[str, Any], log_path: str, results_path: str, deadline: float) -> None:
    """Runs in the forked child; never returns."""
    code = 3
    try:
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
        # Just before the parent kills us at the timeout, write every thread's stack to the log so
        # the output says where the candidate hung. A descriptor of its own: pytest's capture
        # redirects fds 1 and 2 while tests run.
        import faulthandler

        dump_file = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - lives until _exit
        faulthandler.enable(file=dump_file)
        remaining = deadline - time.monotonic()
        if remaining > 0.2:
            faulthandler.dump_traceback_later(max(0.1, remaining - max(0.15, min(1.0, remaining * 0.05))), file=dump_file)
        os.chdir(tmp)
        sys.path.insert(0, tmp)
        for name in list(sys.modules):
            if name == p["package"] or name.startswith(p["package"] + ".") or name in ("conftest", SMOKE_MODULE[:-3]):
                del sys.modules[name]
        import importlib

        importlib.invalidate_caches()
        os.environ["FIXTUREGEN_DATABASE_URL"] = p["databaseUrl"]
        os.environ["FIXTUREGEN_MODELS"] = ",".join(p["models"])
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        os.environ.pop("PYTEST_ADDOPTS", None)
        os.environ.pop("PYTEST_PLUGINS", None)

        import gc

        import pytest

        # Everything inherited from the parent is long-lived: keep the collector off it (pytest
        # runs gc.collect() several times at exit).
        gc.freeze()
        collect_only = p["level"] == "collect"
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
        if collect_only:
            args.append("--collect-only")
        recorder = _Recorder(results_path, tmp, collect_only)
        code = int(pytest.main(args, plugins=[recorder]))
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
        except Exception:  # noqa: BLE001
            pass
        os._exit(code)


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


def _tail(path: str) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - OUTPUT_TAIL * 4))
            text = f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return text[-OUTPUT_TAIL:]


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


def verify(params: dict[str, Any]) -> dict[str, Any]:
    p = _check_params(params)
    _warm_pytest()
    started = time.monotonic()
    tmp = os.path.realpath(tempfile.mkdtemp(prefix="fixturegen-verify-"))
    log_path = os.path.join(tmp, "fixturegen.log")
    results_path = os.path.join(tmp, "fixturegen-results.jsonl")
    try:
        _write_tree(tmp, p)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            _child(tmp, p, log_path, results_path, started + p["timeoutS"])
        deadline = started + p["timeoutS"]
        timed_out = False
        status = None
        delay = 0.002
        while True:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                status = st
                break
            if time.monotonic() >= deadline:
                timed_out = True
                _kill_group(pid)
                _, status = os.waitpid(pid, 0)
                break
            time.sleep(delay)
            delay = min(delay * 1.5, 0.02)
        # Whatever the candidate started in the child's process group goes too.
        _kill_group(pid)
        exit_code = os.waitstatus_to_exitcode(status)
        records = _read_records(results_path)
        tests = _tests_from(records, timed_out, p["timeoutS"])
        output = _tail(log_path)
        output = _relative(output, tmp)
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
        return {
            "ok": ok,
            "exitCode": exit_code,
            "timedOut": timed_out,
            "durationMs": int((time.monotonic() - started) * 1000),
            "tests": tests,
            "output": output,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
