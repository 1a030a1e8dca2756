"""A verification failure as a message people can act on: the exception's type and message first,
then what the database said about it (the constraint, the offending key), the candidate's line that
raised it, and the SQL and its parameters last, shortened; long text keeps its head and its tail.

Runs in the verification child (see `recorder`): nothing here imports SQLAlchemy or a driver, the
exceptions are read by their attributes.
"""

from __future__ import annotations

import re
from typing import Any

#: Characters of the SQL statement and of its parameters kept in a message.
SQL_CHARS = 300


def clip(text: str, limit: int) -> str:
    """`text` at most `limit` characters long: its head (two thirds) and its tail, with what was
    left out counted between them. The head holds the exception and where it was raised, the tail
    the last frames or the end of a dump."""
    if len(text) <= limit:
        return text
    marker = "\n… {} characters left out …\n"
    room = max(0, limit - len(marker.format(len(text))))
    head = room * 2 // 3
    tail = room - head
    left = len(text) - head - tail
    return text[:head] + marker.format(left) + (text[-tail:] if tail else "")


def _first(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _driver_error(exc: Any) -> Any:
    """The DBAPI exception under a SQLAlchemy `DBAPIError` (an async driver's own error under its
    adapter), or None for other exceptions."""
    orig = getattr(exc, "orig", None)
    if orig is None or not hasattr(exc, "statement"):
        return None
    return orig


def _pg_facts(orig: Any) -> dict[str, str]:
    """PostgreSQL's diagnostic fields: psycopg and psycopg2 keep them in `diag`, asyncpg on the
    exception (the adapter's error wraps it as its cause)."""
    for err in (orig, getattr(orig, "__cause__", None)):
        if err is None:
            continue
        diag = getattr(err, "diag", None)
        source = diag if diag is not None else err
        facts = {
            "constraint": getattr(source, "constraint_name", None),
            "table": getattr(source, "table_name", None),
            "column": getattr(source, "column_name", None),
            "detail": getattr(source, "message_detail", None) or getattr(source, "detail", None),
        }
        found = {k: str(v) for k, v in facts.items() if isinstance(v, str) and v}
        if found:
            return found
    return {}


_SQLITE = re.compile(r"^(UNIQUE|NOT NULL|CHECK|PRIMARY KEY|FOREIGN KEY) constraint failed(?::\s*(.+))?$")
_INSERT = re.compile(r"^\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+(\S+)\s*\(([^)]*)\)", re.IGNORECASE)


def _rows(statement: str, params: Any) -> tuple[str, list[str], list[tuple[Any, ...]]] | None:
    """The table, columns and rows of a positional INSERT (SQLite's qmark style), or None."""
    m = _INSERT.match(statement or "")
    if m is None:
        return None
    columns = [c.strip().strip('"') for c in m.group(2).split(",")]
    batch = params if isinstance(params, list) else [params]
    rows = [tuple(r) for r in batch if isinstance(r, tuple) and len(r) % len(columns) == 0]
    # insertmanyvalues: one statement with several rows' parameters in one tuple.
    flat = [r[k : k + len(columns)] for r in rows for k in range(0, len(r), len(columns))]
    return m.group(1).strip('"'), columns, flat


def _sqlite_key(message: str, statement: str, params: Any) -> str | None:
    """For `UNIQUE constraint failed: t.a, t.b`: the key that clashed, read from the INSERT's
    parameters: a key two of its rows share, or the key of its only row."""
    m = _SQLITE.match(message.strip())
    if m is None or m.group(1) not in ("UNIQUE", "PRIMARY KEY") or not m.group(2):
        return None
    parsed = _rows(statement, params)
    if parsed is None:
        return None
    table, columns, rows = parsed
    names = [part.strip().split(".")[-1] for part in m.group(2).split(",")]
    if not all(n in columns for n in names) or not rows:
        return None
    keys = [tuple(r[columns.index(n)] for n in names) for r in rows]
    seen: set[tuple[Any, ...]] = set()
    clash = next((k for k in keys if k in seen or seen.add(k)), None)  # type: ignore[func-returns-value]
    if clash is None and len(keys) == 1:
        clash = keys[0]
    if clash is None:
        return None
    what = "primary key" if m.group(1) == "PRIMARY KEY" else "unique key"
    values = ", ".join(_first(repr(v), 80) for v in clash)
    return f"{what} ({', '.join(names)}) of table {table}; the row being inserted has ({', '.join(names)})=({values})"


def database_lines(exc: Any) -> tuple[list[str], list[str]] | None:
    """What the database said, for a SQLAlchemy `DBAPIError`: its message (without the SQL) and a
    line naming the constraint and the key where the driver tells them; then the SQL and its
    parameters, shortened. None for other exceptions."""
    orig = _driver_error(exc)
    if orig is None:
        return None
    kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
    driver = f"{type(orig).__module__}.{type(orig).__qualname__}"
    said = str(orig).strip()
    lines = [f"{kind}: ({driver}) {said}"]
    facts = _pg_facts(orig)
    if facts.get("constraint") or facts.get("column"):
        what = f'constraint "{facts["constraint"]}"' if facts.get("constraint") else f'column "{facts["column"]}"'
        table = f' on table "{facts["table"]}"' if facts.get("table") else ""
        detail = facts.get("detail", "")
        lines.append(f"database: {what}{table}" + (f"; {detail}" if detail and detail not in said else ""))
    else:
        statement = str(getattr(exc, "statement", "") or "")
        key = _sqlite_key(said.splitlines()[0] if said else "", statement, getattr(exc, "params", None))
        if key:
            lines.append(f"database: {key}")
    sql = []
    statement = " ".join(str(getattr(exc, "statement", "") or "").split())
    if statement:
        sql.append(f"[SQL: {_first(statement, SQL_CHARS)}]")
    params = getattr(exc, "params", None)
    if params:
        sql.append(f"[parameters: {_first(repr(params), SQL_CHARS)}]")
    return lines, sql


#: The checks of one scenario's smoke test, each reported on its own when it fails (see `Checks`):
#: its fixture's rows, and the call of its factory (`make_<name>`, see `fixturegen_helper.verify.calls`).
SCENARIO_CHECK = "scenario"
CALL_CHECK = "call"


class CheckFailures(Exception):
    """What a smoke test raises when some of its checks failed: each as (check, its message, or the
    `pytest.ExceptionInfo` of what it raised). The verification child's recorder reports each as
    a result of its own, naming the check."""

    def __init__(self, failed: list[tuple[str, Any]]) -> None:
        super().__init__("\n".join(f"[{check}] {text}" for check, text in failed))
        self.failed = failed


class Checks:
    """The failed checks of one smoke test, in the order they ran."""

    def __init__(self) -> None:
        self.failed: list[tuple[str, Any]] = []

    def problems(self, check: str, text: str | None) -> None:
        if text is not None:
            self.failed.append((check, text))

    def error(self, check: str, excinfo: Any) -> None:
        self.failed.append((check, excinfo))

    def raise_if_any(self) -> None:
        if self.failed:
            raise CheckFailures(self.failed)
