"""Value parity: every value a scenario wrote holds on every instance the fixture returned.

The expectation's `values` (see src/verify/expectations.ts) carry the plan's own literals, so the
Python value built here is the one the builtin generator writes: builtin output passes by
construction, a module the code model wrote passes only if it wrote the same values. References
are checked by the smoke test's `refs`; a reference inside a cycle arrives here as `skip`.

Messages name the label, the index, the attribute, what was expected and what was found, because
they are shown to users and fed back to the code model.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import importlib
import math
import uuid
from collections.abc import Callable
from typing import Any

#: Instances reported per wrong value before the rest is summarized.
MAX_PER_VALUE = 3

_SKIP = object()


def _enum_class(module: str, qualname: str) -> Any:
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _enum_member(module: str | None, cls: str | None, member: str, as_value: bool) -> Any:
    if not module or not cls:
        return member
    found = _enum_class(module, cls)[member]
    return found.value if as_value else found


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def literal(lit: dict[str, Any]) -> Any:
    """The Python value of a plan literal (a PyLiteral as JSON)."""
    kind = lit.get("kind")
    if kind == "none":
        return None
    if kind in ("bool", "str", "json"):
        return lit["value"]
    if kind == "int":
        return int(lit["value"])
    if kind == "float":
        return float(lit["value"])
    if kind == "decimal":
        return decimal.Decimal(lit["value"])
    if kind == "bytes":
        return str(lit["value"]).encode()
    if kind == "date":
        return datetime.date(lit["year"], lit["month"], lit["day"])
    if kind == "datetime":
        offset = lit.get("offsetMinutes")
        tz = None if offset is None else datetime.timezone(datetime.timedelta(minutes=offset))
        year, month, day, hour, minute, second, micro = (list(lit["parts"]) + [0] * 7)[:7]
        return datetime.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    if kind == "time":
        return datetime.time(*lit["parts"])
    if kind == "interval":
        return datetime.timedelta(seconds=_number(lit["seconds"]))
    if kind == "uuid":
        return uuid.UUID(lit["value"])
    if kind == "enum":
        return _enum_member(lit.get("enumModule"), lit.get("enumClass"), lit["member"], bool(lit.get("asValue")))
    if kind == "list":
        return [literal(item) for item in lit.get("items", [])]
    raise LookupError(f"unknown literal kind {kind!r}")


_CONVERT: dict[str, Callable[[str], Any]] = {
    "integer": int,
    "float": float,
    "numeric": decimal.Decimal,
    "boolean": lambda text: text.lower() in ("true", "1", "yes"),
    "date": datetime.date.fromisoformat,
    "datetime": datetime.datetime.fromisoformat,
    "time": datetime.time.fromisoformat,
    "uuid": uuid.UUID,
    "binary": lambda text: text.encode(),
}


def expected_value(spec: dict[str, Any], i: int) -> Any:
    """What the value spec means for instance index `i` (`_SKIP`: a reference, not checked here)."""
    kind = spec.get("kind")
    if kind == "literal":
        return literal(spec["value"])
    if kind == "interpolate":
        text = "".join(
            p if isinstance(p, str) else str(i if p.get("var") == "i" else i + 1) for p in spec.get("parts", [])
        )
        convert = str(spec.get("convert"))
        if convert == "enum":
            return _enum_member(spec.get("enumModule"), spec.get("enumClass"), text, bool(spec.get("enumAsValue")))
        fn = _CONVERT.get(convert)
        return fn(text) if fn is not None else text
    if kind == "cycle":
        items = spec.get("items", [])
        return expected_value(items[i % len(items)], i) if items else _SKIP
    if kind == "skip":
        return _SKIP
    raise LookupError(f"unknown value kind {kind!r}")


def same(actual: Any, expected: Any) -> bool:
    """Equal as the column would store it: `True` is not `1`, NaN equals NaN, and an Enum column
    given its member's name holds that member."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, float) and isinstance(actual, float) and math.isnan(expected):
        return math.isnan(actual)
    if isinstance(expected, enum.Enum) and isinstance(actual, str) and not isinstance(actual, enum.Enum):
        return actual == expected.name
    try:
        return bool(actual == expected)
    except Exception:  # noqa: BLE001 - a comparison the value's type refuses is a mismatch
        return False


def _text(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_values(values: list[dict[str, Any]], labels: dict[str, Any], add: Callable[[str], None]) -> None:
    """Reports through `add` every instance whose written value differs from the scenario's."""
    for entry in values:
        label, attr, spec = entry["label"], entry["attribute"], entry["expect"]
        if label not in labels:
            continue
        value = labels[label]
        items = value if isinstance(value, list) else [value]
        constant = spec.get("kind") == "literal"
        try:
            fixed = expected_value(spec, 0) if constant else _SKIP
        except (LookupError, ValueError, AttributeError, ImportError, decimal.InvalidOperation) as exc:
            add(f"{label}.{attr}: cannot build the expected value: {type(exc).__name__}: {exc}")
            continue
        failures: list[str] = []
        for i, obj in enumerate(items):
            where = f"{label}[{i}]" if isinstance(value, list) else label
            try:
                want = fixed if constant else expected_value(spec, i)
            except (LookupError, ValueError, AttributeError, ImportError, decimal.InvalidOperation) as exc:
                failures.append(f"{where}.{attr}: cannot build the expected value: {type(exc).__name__}: {exc}")
                continue
            if want is _SKIP:
                continue
            try:
                actual = getattr(obj, attr)
            except Exception as exc:  # noqa: BLE001 - lazy load errors, bad attribute names
                failures.append(f"{where}.{attr} cannot be read: {type(exc).__name__}: {exc}")
                continue
            if not same(actual, want):
                failures.append(f"{where}.{attr} is {_text(actual)}, expected {_text(want)}")
        for message in failures[:MAX_PER_VALUE]:
            add(message)
        if len(failures) > MAX_PER_VALUE:
            add(f"... {label}.{attr} is wrong for {len(failures) - MAX_PER_VALUE} more instance(s)")
