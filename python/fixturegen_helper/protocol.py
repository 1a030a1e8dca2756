"""JSON-lines protocol between the fixturegen CLI and this helper.

One request per line on stdin, one response per line on stdout, in order:

    {"id": 1, "method": "introspect", "params": {...}}
    {"id": 1, "result": ...}
    {"id": 1, "error": {"type": "ImportError", "message": "...", "traceback": "..."}}

Methods: `ping`, `introspect`, `verify`, `verifyEach`, `guard` (see the modules of the same names),
and `guardVerify` (a guard, then the verify of the same candidate when the guard passed: one round
trip instead of two, for a lone candidate). Error types:
`ProtocolError` (malformed request, unknown method, bad params), `UnsupportedSQLAlchemy` (the
environment's SQLAlchemy is not 1.4 or 2.x), `ImportError` (a models module failed to import,
whatever it raised), `MapperError` (`configure_mappers()` failed), otherwise the
exception's class name (`InternalError` wrapping is not used: the traceback says where).

Nothing but responses is ever written to the protocol stream: at start-up the real stdout file
descriptor is duplicated for the protocol and fd 1 (and `sys.stdout`) is pointed at stderr, so stray
prints of user code, even from C extensions or subprocesses, land on stderr. The helper exits at
end of input, and when the CLI dies (even by `kill -9`, in the middle of a request): see
`_die_with_parent`.

Started with `FIXTUREGEN_HELPER_VERIFIER=0` in its environment (the CLI does so for `check` and
`validate`, which only introspect), the helper does not load the verifier, and with it pytest: a
third of its start-up beyond the models' own import. Its verifying methods (`verify`,
`verifyEach`, `holds`) then answer a `ProtocolError`. The variable is removed from the environment
before any models are imported.
"""

from __future__ import annotations

import json
import os
import platform
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any, TextIO

from fixturegen_helper.errors import HelperError


def ping(params: dict[str, Any]) -> dict[str, Any]:
    import pytest
    import sqlalchemy

    return {
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "pytest": pytest.__version__,
    }


def _require_supported_sqlalchemy() -> None:
    """Before anything that needs SQLAlchemy's 1.4+ API is imported: one clear error naming the
    version found, rather than whatever an older (or unknown newer) SQLAlchemy would raise."""
    from fixturegen_helper import sa_compat

    if not sa_compat.SUPPORTED:
        raise HelperError(
            "UnsupportedSQLAlchemy",
            f"SQLAlchemy {sa_compat.VERSION} is not supported: fixturegen works with SQLAlchemy 1.4 and 2.x",
        )


def _introspect(params: dict[str, Any]) -> Any:
    _require_supported_sqlalchemy()
    from fixturegen_helper.introspect import introspect

    return introspect(params)


def _verify(params: dict[str, Any]) -> Any:
    _require_supported_sqlalchemy()
    from fixturegen_helper.verify import verify

    return verify(params)


def _verify_each(params: dict[str, Any]) -> Any:
    _require_supported_sqlalchemy()
    from fixturegen_helper.verify import verify_each

    return {"results": verify_each(params.get("requests"))}  # type: ignore[arg-type]


def _guard_verify(params: dict[str, Any]) -> Any:
    """A guard, then (only when it found nothing) the verify of the same candidate, in one round
    trip: `{"guard": <guard result>, "guardMs": <its time>, "verify": <verify result> | null}`.
    Exactly what `guard` and then `verify` answer; a candidate the guard refuses is never written
    or run (no verification child is started for it)."""
    guard_params, verify_params = params.get("guard"), params.get("verify")
    if not isinstance(guard_params, dict) or not isinstance(verify_params, dict):
        raise HelperError("ProtocolError", "params.guard and params.verify must be objects")
    started = time.monotonic()
    guarded = _guard(guard_params)
    guard_ms = round((time.monotonic() - started) * 1000, 2)
    if guarded["diagnostics"]:
        return {"guard": guarded, "guardMs": guard_ms, "verify": None}
    return {"guard": guarded, "guardMs": guard_ms, "verify": _verify(verify_params)}


def _holds(params: dict[str, Any]) -> Any:
    _require_supported_sqlalchemy()
    from fixturegen_helper.verify import database_holds

    return database_holds(params)


def _guard(params: dict[str, Any]) -> Any:
    from fixturegen_helper.guard import guard

    return guard(params)


#: The methods that need the verifier (and pytest) loaded at start-up.
VERIFYING = frozenset({"verify", "verifyEach", "holds", "guardVerify"})
#: Whether this helper loaded the verifier (see the module's docstring).
_VERIFIER = True

METHODS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "ping": ping,
    "introspect": _introspect,
    "verify": _verify,
    "verifyEach": _verify_each,
    "holds": _holds,
    "guard": _guard,
    "guardVerify": _guard_verify,
}


def handle(line: str) -> dict[str, Any]:
    """One request line to one response object."""
    req_id: Any = None
    try:
        try:
            req = json.loads(line)
        except ValueError as exc:
            raise HelperError("ProtocolError", f"request is not JSON: {exc}") from None
        if not isinstance(req, dict):
            raise HelperError("ProtocolError", "request must be a JSON object")
        req_id = req.get("id")
        method = req.get("method")
        params = req.get("params") or {}
        if not isinstance(params, dict):
            raise HelperError("ProtocolError", "params must be an object")
        fn = METHODS.get(method) if isinstance(method, str) else None
        if fn is None:
            raise HelperError("ProtocolError", f"unknown method {method!r} (known: {', '.join(sorted(METHODS))})")
        if not _VERIFIER and method in VERIFYING:
            raise HelperError("ProtocolError", f"{method!r} needs the verifier: this helper was started without it")
        return {"id": req_id, "result": fn(params)}
    except HelperError as exc:
        return {
            "id": req_id,
            "error": {"type": exc.type, "message": exc.message, "traceback": exc.traceback},
        }
    except BaseException as exc:  # SystemExit from user code must not end the loop
        if isinstance(exc, KeyboardInterrupt):
            raise
        return {
            "id": req_id,
            "error": {
                "type": type(exc).__name__,
                "message": str(exc) or type(exc).__name__,
                "traceback": traceback.format_exc(),
            },
        }


def _open_protocol_stream() -> TextIO:
    """Keep the real stdout for the protocol; send everything else written to fd 1 to stderr."""
    sys.stdout.flush()
    proto_fd = os.dup(1)  # non-inheritable by exec'd subprocesses
    os.dup2(2, 1)
    out = os.fdopen(proto_fd, "w", encoding="utf-8", newline="\n")
    sys.stdout = sys.stderr
    return out


def serve(inp: TextIO, out: TextIO) -> None:
    for line in inp:
        if not line.strip():
            continue
        response = handle(line)
        if _TERMINATING:
            return  # the signal's exception was swallowed by user code (e.g. a models import)
        try:
            text = json.dumps(response, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            text = json.dumps(
                {
                    "id": response.get("id"),
                    "error": {"type": "InternalError", "message": f"unserializable result: {exc}", "traceback": ""},
                }
            )
        out.write(text + "\n")
        out.flush()


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL the helper when the CLI that started it dies. End of input says so only
    between requests; a CLI killed during a verification would otherwise leave the helper running
    until the request ends. Its verification children have a parent-death signal of their own
    (`warm.die_with_parent`) and follow it. Elsewhere, end of input is all there is."""
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        if libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0) != 0:
            return
    except Exception:  # noqa: BLE001 - not Linux
        return
    # The CLI may have died before the request above: then no signal will come.
    if os.getppid() != parent:
        os._exit(1)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGINT reached the helper: unwind (exit handlers then run) and exit."""


_HELPER_PID = os.getpid()
_TERMINATING = False
#: How long verification children get to exit on SIGTERM (removing their folders) before SIGKILL.
END_GRACE_S = 1.0


def _children() -> list[int]:
    me = os.getpid()
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8") as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == me:
            out.append(int(name))
    return out


def end_children(grace: float = END_GRACE_S) -> None:
    """Ends every child of the helper and reaps it, so that none outlives the helper's exit: SIGTERM
    first (a verification child removes its folder and exits), SIGKILL after `grace`."""
    kids = _children() if os.path.isdir("/proc") else []
    if not kids:
        return
    # Imported here: the helper answers `ping` and `introspect` without loading the verifier.
    from fixturegen_helper.verify import signal_group

    for pid in kids:
        signal_group(pid, signal.SIGTERM)
    waiting = set(kids)
    limit = time.monotonic() + grace
    while waiting and time.monotonic() < limit:
        for pid in list(waiting):
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    continue
            except ChildProcessError:
                pass
            waiting.discard(pid)
        if waiting:
            select.select([], [], [], 0.01)
    for pid in kids:
        signal_group(pid, signal.SIGKILL)
    for pid in waiting:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _on_signal(signum: int, _frame: Any) -> None:
    global _TERMINATING
    if os.getpid() != _HELPER_PID:
        os._exit(128 + signum)  # a verification child before it set its own handlers
    if _TERMINATING:
        return
    _TERMINATING = True
    end_children()
    raise Terminated(signum)


def main() -> int:
    global _HELPER_PID, _VERIFIER
    _HELPER_PID = os.getpid()
    _VERIFIER = os.environ.pop("FIXTUREGEN_HELPER_VERIFIER", "1") != "0"
    _die_with_parent()
    # SIGINT (Ctrl-C reaches the whole process group) and SIGTERM end the helper the same way.
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    cwd = os.getcwd()
    if not sys.path or os.path.abspath(sys.path[0] or ".") != cwd:
        sys.path.insert(0, cwd)
    out = _open_protocol_stream()
    if _VERIFIER:
        # The whole verifier at start-up, before any models: its exit handlers (which end
        # verification children) then run after whatever the models register.
        from fixturegen_helper.verify import set_protocol_fd

        set_protocol_fd(out.fileno())
    with open(sys.stdin.fileno(), encoding="utf-8", closefd=False) as stdin:
        try:
            serve(stdin, out)
        except Terminated as exc:
            return 128 + int(exc.args[0])
        except KeyboardInterrupt:
            return 130
    return 128 + signal.SIGTERM if _TERMINATING else 0
