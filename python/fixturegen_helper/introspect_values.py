"""What a column takes in Python, for columns whose SQLAlchemy type does not say it plainly.

A TypeDecorator stores one type (its `impl`) but takes another: advanced-alchemy's `GUID` and
sqlalchemy-utils' `UUIDType` take `uuid.UUID` and store bytes; the SQLAlchemy docs' `GUID` recipe
stores CHAR(32); `JSONEncodedDict` takes a dict and stores text. Each is resolved, in order, by:

1. a table of known libraries' types (`introspect_libraries`);
2. an enum the attribute's `Mapped[...]` annotation names (probed through the decorator);
3. the decorator's own `python_type`;
4. probing: sample values of each kind are bound and read back through the decorator's
   `process_bind_param` / `process_result_value` (SQLite dialect); the first kind that comes back
   equal, and binds to what its impl stores, is what it takes;
5. its impl, when the decorator does not process values at all (SQLModel's `AutoString`).

A decorator that processes values but takes none of the kinds fixturegen writes is `other` with
no Python type: scenarios get a diagnostic naming the type instead of a silently wrong value.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import functools
import uuid
import warnings
from collections.abc import Callable
from typing import Any

from sqlalchemy.sql import sqltypes

from fixturegen_helper.sa_compat import python_type_of

#: Kinds fixturegen writes, most specific first: a decorator that passes any value through would
#: otherwise take the first one that happens to bind.
_SAMPLES: list[tuple[str, Any]] = [
    ("uuid", uuid.UUID("7f1c9a52-6d0e-4b7a-9c41-2e8f5d6a7b90")),
    ("json", {"fixturegen": [1, "probe", None, True]}),
    ("datetime-aware", datetime.datetime(2001, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc)),
    ("datetime", datetime.datetime(2001, 2, 3, 4, 5, 6)),
    ("date", datetime.date(2001, 2, 3)),
    ("time", datetime.time(4, 5, 6)),
    ("interval", datetime.timedelta(seconds=3723)),
    ("numeric", decimal.Decimal("12.5")),
    ("integer", 1234567),
    ("float", 12.5),
    ("boolean", True),
    ("binary", b"fixturegen-probe"),
    ("string", "fixturegen-probe"),
]

#: Python types a `python_type` may name, and the family that writes them.
PYTHON_FAMILIES: list[tuple[type, str]] = [
    (bool, "boolean"),
    (int, "integer"),
    (float, "float"),
    (decimal.Decimal, "numeric"),
    (str, "string"),
    (bytes, "binary"),
    (datetime.datetime, "datetime"),
    (datetime.date, "date"),
    (datetime.time, "time"),
    (datetime.timedelta, "interval"),
    (uuid.UUID, "uuid"),
    (dict, "json"),
    (list, "json"),
]


@functools.cache
def _dialect() -> Any:
    """The dialect type decorators are probed with (SQLite's), imported with the first decorator
    probed: models without one do not pay for importing it (a check of such models imports only
    what they import)."""
    from sqlalchemy.dialects import sqlite

    return sqlite.dialect()


def family_of_python(pt: Any) -> str | None:
    if not isinstance(pt, type):
        return None
    for cls, family in PYTHON_FAMILIES:
        if pt is cls:
            return family
    if issubclass(pt, enum.Enum):
        return "enum"
    return None


def declared_python_type(t: sqltypes.TypeEngine[Any]) -> Any:
    return python_type_of(t)


def overrides(t: Any, name: str) -> bool:
    """Whether the decorator's own class (not TypeDecorator) defines `name`."""
    for klass in type(t).__mro__:
        if klass is sqltypes.TypeDecorator[Any]:
            return False
        if name in vars(klass):
            return True
    return False


def processes_values(t: sqltypes.TypeDecorator[Any]) -> bool:
    return any(
        overrides(t, n) for n in ("process_bind_param", "process_result_value", "bind_processor", "result_processor")
    )


def _stored_check(t: sqltypes.TypeDecorator[Any]) -> Callable[[Any], bool]:
    """Whether a bound value is something the decorator's impl stores (when that is known)."""
    impl: sqltypes.TypeEngine[Any] | None
    try:
        impl = t.load_dialect_impl(_dialect())
    except Exception:  # noqa: BLE001
        impl = getattr(t, "impl_instance", None)
    if impl is None or isinstance(impl, (sqltypes.JSON, sqltypes.PickleType, sqltypes.NullType)):
        return lambda _v: True
    pt = declared_python_type(impl)
    if not isinstance(pt, type) or pt is object:
        return lambda _v: True
    if pt is float:
        return lambda v: isinstance(v, (int, float, decimal.Decimal))
    if pt is bytes:
        return lambda v: isinstance(v, (bytes, bytearray, memoryview))
    return lambda v: isinstance(v, pt)


def round_trip(t: sqltypes.TypeDecorator[Any], sample: Any) -> tuple[bool, Any]:
    """Binds `sample` through the decorator and reads it back: (came back equal, bound value)."""
    check = _stored_check(t)
    bind = t.process_bind_param if overrides(t, "process_bind_param") else (lambda v, _d: v)
    result = t.process_result_value if overrides(t, "process_result_value") else (lambda v, _d: v)
    dialect = _dialect()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            bound = bind(sample, dialect)
            if bound is None or not check(bound):
                return False, None
            back = result(bound, dialect)
        except Exception:  # noqa: BLE001 - a decorator refusing the sample is the answer
            return False, None
    try:
        same = type(back) is type(sample) and bool(back == sample)
    except Exception:  # noqa: BLE001
        same = False
    return same, bound


def probe(t: sqltypes.TypeDecorator[Any]) -> dict[str, Any] | None:
    """The first kind of value the decorator takes and gives back, with what the probe learnt."""
    accepted = {kind for kind, sample in _SAMPLES if round_trip(t, sample)[0]}
    for kind, _sample in _SAMPLES:
        if kind not in accepted:
            continue
        if kind.startswith("datetime"):
            # Aware accepted and naive refused: the column takes only aware datetimes.
            aware = "datetime-aware" in accepted and "datetime" not in accepted
            return {"family": "datetime", "timezone": aware}
        return {"family": kind}
    return None


def string_stored_as_is(t: sqltypes.TypeDecorator[Any]) -> bool:
    """Whether a string is stored unchanged, so the impl's length limits what is written."""
    ok, bound = round_trip(t, "fixturegen-probe")
    return ok and bound == "fixturegen-probe"


def enum_member_round_trips(t: sqltypes.TypeDecorator[Any], cls: type[enum.Enum]) -> bool:
    members = list(cls)
    return bool(members) and round_trip(t, members[0])[0]
