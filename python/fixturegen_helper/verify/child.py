"""What runs in a verification child, forked from the helper (see `verify`).

The child starts a new session (process group), sends fds 1 and 2 to a log file, detaches from the
protocol streams, puts the temporary folder first on sys.path and runs `pytest.main` with the
verifier's conftest, which calls `candidate_ready()` here: a spare child waits there for the
request. Nothing here may import a module the helper has not imported already: the child's
start-up is measured for latency.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import sys
import time
import traceback
from typing import Any

from fixturegen_helper import confine
from fixturegen_helper.verify import ddl_cache, warm
from fixturegen_helper.verify.folder import SMOKE_MODULE, Mode, verdict_path
from fixturegen_helper.verify.prefault import prefault_inherited_memory
from fixturegen_helper.verify.recorder import Recorder

#: The protocol's stdout descriptor, closed in the verification child (see `set_protocol_fd`).
_protocol_fd: int | None = None
#: Asks a verification child for its stack dump (faulthandler) before it is killed.
DUMP_SIGNAL = signal.SIGUSR1


def set_protocol_fd(fd: int) -> None:
    """The helper's protocol stream: every verification child closes it, so a child can never write
    to the protocol or keep it open after the helper has gone."""
    global _protocol_fd
    _protocol_fd = fd


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
            _remove_folder(_CHILD.get("tmp") or "")
            os._exit(0)
        data += chunk
    line, _PIPE_REST[0] = data.split(b"\n", 1)
    return line


def _remove_folder(tmp: str) -> None:
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            os.unlink(verdict_path(tmp))
        except OSError:
            pass


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
    # Confined before the candidate is imported; a refusal fails the verification (closed).
    confine.apply(tmp, go, float(go["deadline"]) - time.monotonic())
    _mark(_CHILD["results"], "go")


def confirm(name: str) -> None:
    """The smoke test's verdict channel: each smoke test calls this as its last statement, so only
    a test whose checks all passed is confirmed. The parent accepts a pass only when confirmed:
    pytest's reports, which the candidate's hooks can rewrite, cannot turn a failure into a pass.
    The file lies outside the folder the child may write to (Landlock), opened before the
    candidate was imported. A no-op outside a verification child (smoke.py's own tests)."""
    fd = _CHILD.get("verdict")
    if isinstance(fd, int):
        os.write(fd, (name + "\n").encode("utf-8"))


def candidate_ready() -> dict[str, Any]:
    """Called by the verifier's conftest, in the child. A spare blocks here, its pytest started,
    until the parent has written the candidate and sent the request's values."""
    global _GO
    if isinstance(_GO, int):
        fd = _GO
        # Idle time, off the critical path: pay the copy-on-write faults now, until the request
        # arrives (in a build, the next scenario's request may already be here: then not at all).
        prefault_inherited_memory(lambda: bool(_PIPE_REST[0]) or bool(select.select([fd], [], [], 0)[0]))
        _GO = _receive(fd)
    if not isinstance(_GO, dict):
        raise RuntimeError("candidate_ready() is for fixturegen's verification children")  # noqa: TRY004 - wrong process, not a wrong type
    if not _CHILD["applied"]:
        _CHILD["applied"] = True
        _apply(_GO)
    return _GO


def run_smoke_module(namespace: dict[str, Any]) -> None:
    """The smoke test stub's body: smoke.py's code, compiled once in the helper."""
    exec(warm.smoke_code(), namespace)  # noqa: S102 - fixturegen's own module


def pytest_args(tmp: str, level: str, plain_asserts: bool, tests: tuple[str, ...] = ()) -> list[str]:
    args = [
        os.path.join(tmp, SMOKE_MODULE),
        *(os.path.join(tmp, os.path.normpath(t)) for t in tests),
        "-c",
        os.path.join(tmp, "pytest.ini"),
        "--rootdir",
        tmp,
        "--confcutdir",
        tmp,
        "-p",
        "no:cacheprovider",
        "-p",
        "no:faulthandler",
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


def run_child(tmp: str, mode: Mode, parent: int, go: dict[str, Any] | int, done_fd: int) -> None:
    """Runs in the forked child; never returns. `go` is the request's values, or the pipe they
    will come through (a spare); `mode` is the verify level, whether asserts stay plain and the
    candidate's own test modules. Once
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
        confine.prepare(tmp)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        if _protocol_fd is not None:
            try:
                os.close(_protocol_fd)
            except OSError:
                pass
        sys.stdout = sys.__stdout__ if sys.__stdout__ is not None else sys.stderr
        warm.die_with_parent(parent, on_exit=lambda: _remove_folder(tmp))
        # A descriptor of its own for faulthandler: pytest's capture redirects fds 1 and 2.
        import faulthandler

        dump_file = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - lives until _exit
        faulthandler.enable(file=dump_file)
        # At the deadline the parent asks for the stack (SIGUSR1) before it kills: the output then
        # says where the candidate hung. faulthandler writes from the signal handler itself, so a
        # loop that never gives up the GIL still answers.
        faulthandler.register(DUMP_SIGNAL, file=dump_file, all_threads=True)
        verdict = os.open(verdict_path(tmp), os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        _CHILD.update(tmp=tmp, results=results_path, dump=dump_file, verdict=verdict)
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
        ddl_cache.install()

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
        level, plain_asserts, own_tests = mode
        recorder = Recorder(results_path, tmp, level == "collect")
        _mark(results_path, "pytest")
        code = int(pytest.main(pytest_args(tmp, level, plain_asserts, own_tests), plugins=[recorder]))
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
                mark = {
                    "event": "mark",
                    "name": "exit",
                    "code": code,
                    "t": time.monotonic(),
                    "cpu": time.process_time(),
                }
                f.write(json.dumps(mark) + "\n")
            os.write(done_fd, b"x")
        except Exception:  # noqa: BLE001 - then the parent waits for the exit itself
            pass
        os._exit(code)
