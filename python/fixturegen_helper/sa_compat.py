"""What differs between the SQLAlchemy versions the helper supports (1.4 and 2.x), in one place.

`SUPPORTED` is the check the CLI relies on: `ping` reports the version and whether it is
supported, and the CLI stops with one message naming the version (exit 3) when it is not.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy

VERSION: str = sqlalchemy.__version__


def _major_minor(version: str) -> tuple[int, int]:
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    while len(parts) < 2:
        parts.append(0)
    return parts[0], parts[1]


def supported(version: str) -> bool:
    """1.4 and every 2.x: 1.3 and older lack the 2.0-style API the generated code and the helper
    use (`select()` of entities, `Session.get`, `registry`); a 3.x is not known yet."""
    major, minor = _major_minor(version)
    return (major, minor) >= (1, 4) and major <= 2


def family(version: str) -> str:
    """The family the generated code is written for: "1.4" or "2" (2.0, 2.1, …); the CLI's
    `sqlalchemyFamily` (src/catalog/sqlalchemy.ts) tells them apart the same way."""
    return "1.4" if _major_minor(version)[0] == 1 else "2"


SUPPORTED: bool = supported(VERSION)
FAMILY: str = family(VERSION)


def autoincrement_column(table: Any) -> Any:
    """The column a table autoincrements, or None (`Table.autoincrement_column` is 2.0's public
    name of 1.4's `_autoincrement_column`)."""
    if hasattr(table, "autoincrement_column"):
        return table.autoincrement_column
    return getattr(table, "_autoincrement_column", None)


def _uuid_types() -> tuple[type, ...]:
    from sqlalchemy.sql import sqltypes

    generic = getattr(sqltypes, "Uuid", None)
    if isinstance(generic, type):
        return (generic,)  # 2.x: every dialect's UUID type subclasses it
    from sqlalchemy.dialects import postgresql  # 1.4: only PostgreSQL's own

    return (postgresql.UUID,)


#: The column types that hold UUIDs natively.
UUID_TYPES: tuple[type, ...] = _uuid_types()


def python_type_of(t: Any) -> Any:
    """The type's `python_type`, or None when it does not say: 1.4 and 2.0 raise
    NotImplementedError then, 2.1 returns `object` (no type of theirs declares `object` itself)."""
    try:
        pt = t.python_type
    except Exception:  # noqa: BLE001 - NotImplementedError, or user code raising
        return None
    return None if pt is object else pt
