"""JSON-lines protocol between the fixturegen CLI and this helper.

One request per line on stdin, one response per line on stdout, in order:

    {"id": 1, "method": "introspect", "params": {...}}
    {"id": 1, "result": ...}
    {"id": 1, "error": {"type": "ImportError", "message": "...", "traceback": "..."}}

Methods: `ping`, `introspect`, `verify`, `guard` (see the modules of the same names). Error types:
`ProtocolError` (malformed request, unknown method, bad params), `ImportError` (a models module
failed to import, whatever it raised), `MapperError` (`configure_mappers()` failed), otherwise the
exception's class name (`InternalError` wrapping is not used: the traceback says where).

Nothing but responses is ever written to the protocol stream: at start-up the real stdout file
descriptor is duplicated for the protocol and fd 1 (and `sys.stdout`) is pointed at stderr, so stray
prints of user code, even from C extensions or subprocesses, land on stderr. The helper exits at
end of input.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import traceback
from typing import Any, Callable, TextIO

from fixturegen_helper.introspect import HelperError


def ping(params: dict[str, Any]) -> dict[str, Any]:
    import pytest
    import sqlalchemy

    return {
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "pytest": pytest.__version__,
    }


def _introspect(params: dict[str, Any]) -> Any:
    from fixturegen_helper.introspect import introspect

    return introspect(params)


def _verify(params: dict[str, Any]) -> Any:
    from fixturegen_helper.verify import verify

    return verify(params)


def _guard(params: dict[str, Any]) -> Any:
    from fixturegen_helper.guard import guard

    return guard(params)


METHODS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "ping": ping,
    "introspect": _introspect,
    "verify": _verify,
    "guard": _guard,
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
            raise HelperError(
                "ProtocolError", f"unknown method {method!r} (known: {', '.join(sorted(METHODS))})"
            )
        return {"id": req_id, "result": fn(params)}
    except HelperError as exc:
        return {
            "id": req_id,
            "error": {"type": exc.type, "message": exc.message, "traceback": exc.traceback},
        }
    except BaseException as exc:  # noqa: BLE001 - SystemExit from user code must not end the loop
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


def main() -> int:
    cwd = os.getcwd()
    if not sys.path or os.path.abspath(sys.path[0] or ".") != cwd:
        sys.path.insert(0, cwd)
    out = _open_protocol_stream()
    # The whole verifier at start-up, before any models: its exit handlers (which end verification
    # children) then run after whatever the models register.
    from fixturegen_helper import verify  # noqa: F401
    from fixturegen_helper import verify_child

    verify_child.PROTOCOL_FD = out.fileno()
    stdin = open(sys.stdin.fileno(), "r", encoding="utf-8", closefd=False)
    try:
        serve(stdin, out)
    except KeyboardInterrupt:
        return 130
    return 0
