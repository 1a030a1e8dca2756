"""`resolve`: the JSON description of what a column takes, looking through TypeDecorators and
`Mapped[...]` annotations (see `introspect_values` for the order of the rules).

The keys `storedAs`, `familyFrom` and `unplaced` are only present where a rule beyond the plain
column type decided, so catalogs of plain models keep their exact shape (and input hashes).
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy.sql import sqltypes

from fixturegen_helper.introspect_libraries import library_resolution
from fixturegen_helper.introspect_types import (
    enum_info,
    family_of,
    python_enum_info,
    python_type_name,
    type_impl,
)
from fixturegen_helper.introspect_values import (
    declared_python_type,
    enum_member_round_trips,
    family_of_python,
    probe,
    processes_values,
    string_stored_as_is,
)

_PYTHON_NAME = {
    "uuid": "UUID",
    "json": "dict",
    "string": "str",
    "integer": "int",
    "float": "float",
    "numeric": "Decimal",
    "boolean": "bool",
    "binary": "bytes",
    "datetime": "datetime",
    "date": "date",
    "time": "time",
    "interval": "timedelta",
    "array": "list",
}


def _python_name(t: sqltypes.TypeEngine[Any], family: str) -> str | None:
    name = python_type_name(t)
    # 2.1's JSON says `object` (any JSON value) where 1.4 and 2.0 say `dict`: the same answer on each.
    return "dict" if name is None and family == "json" else name


def _plain(t: sqltypes.TypeEngine[Any]) -> dict[str, Any]:
    """The description from the column type alone (through decorators to their impl)."""
    impl = type_impl(t)
    family = family_of(t)
    return {
        "family": family,
        "pythonType": "object" if isinstance(t, sqltypes.PickleType) else _python_name(t, family),
        "length": getattr(impl, "length", None) if family in ("string", "binary") else None,
        "precision": getattr(impl, "precision", None) if family in ("numeric", "float") else None,
        "scale": getattr(impl, "scale", None) if family in ("numeric", "float") else None,
        "timezone": bool(getattr(impl, "timezone", False)) if family in ("datetime", "time") else False,
        "enum": enum_info(t),
        "itemFamily": family_of(impl.item_type) if isinstance(impl, sqltypes.ARRAY) else None,
    }


def _as_enum(out: dict[str, Any], cls: Any, as_value: bool) -> None:
    if isinstance(cls, tuple):  # Literal["a", "b"]
        out.update(family="enum", enum={"stored": [str(v) for v in cls], "pythonEnum": None})
    else:
        stored = [str(m.value) for m in cls]
        out.update(family="enum", enum={"stored": stored, "pythonEnum": python_enum_info(cls, as_value)})
    out["pythonType"] = "str" if isinstance(cls, tuple) else cls.__name__
    out["length"] = None


def _decide(t: sqltypes.TypeDecorator[Any], out: dict[str, Any], annotated: Any) -> str | None:
    """Sets `out["family"]` (and what goes with it) for a TypeDecorator; returns the rule that
    decided, or None when the impl does (a decorator that does not process values)."""
    known = library_resolution(t, lambda x: resolve(x)["family"])
    if known is not None:
        if "enumClass" in known:
            _as_enum(out, known["enumClass"], known.get("asValue", False))
        elif "stored" in known:
            out.update(family="enum", enum={"stored": known["stored"], "pythonEnum": None})
        else:
            under = known.get("underlying")
            if under is not None:
                out.update({k: v for k, v in resolve(under).items() if k != "length"})
            out["family"] = known["family"]
        for k in ("length", "timezone", "itemFamily"):
            if k in known:
                out[k] = known[k]
        out["keepLength"] = "length" in known
        return "library"
    if isinstance(annotated, type) and issubclass(annotated, enum.Enum) and enum_member_round_trips(t, annotated):
        _as_enum(out, annotated, False)
        return "annotation"
    python_type = declared_python_type(t)
    declared = family_of_python(python_type)
    if declared == "enum" and enum_member_round_trips(t, python_type):
        _as_enum(out, python_type, False)
        return "python_type"
    found = probe(t) if processes_values(t) else None
    if declared is not None and declared != "enum":
        out["family"] = declared
        if declared == "datetime" and found is not None and found.get("family") == "datetime":
            out["timezone"] = bool(found.get("timezone")) or out["timezone"]
        return "python_type"
    if found is not None:
        out["family"] = found["family"]
        if "timezone" in found:
            out["timezone"] = bool(found["timezone"]) or out["timezone"]
        return "probe"
    if processes_values(t):
        out.update(family="other", pythonType=None, unplaced=True)
        return "none"
    return None


def _decorated(t: sqltypes.TypeDecorator[Any], out: dict[str, Any], annotated: Any) -> str | None:
    """Updates `out` for a TypeDecorator; returns the rule that decided, or None (the impl)."""
    rule = _decide(t, out, annotated)
    if rule is None:
        return None
    family = out["family"]
    keep = out.pop("keepLength", False)
    if family != "string" or not (keep or string_stored_as_is(t)):
        out["length"] = None
    if family not in ("numeric", "float"):
        out["precision"] = out["scale"] = None
    if family not in ("datetime", "time"):
        out["timezone"] = False
    if family != "enum":
        out["enum"] = None
    if family != "array":
        out["itemFamily"] = None
    if family not in ("enum", "other"):
        out["pythonType"] = _PYTHON_NAME.get(family, out["pythonType"])
    return rule


def resolve(t: sqltypes.TypeEngine[Any], annotated: Any = None) -> dict[str, Any]:
    """What a column of type `t`, whose attribute is annotated with `annotated` (an enum class, a
    Literal's values or None), takes."""
    out = _plain(t)
    rule: str | None = None
    decorated = isinstance(t, sqltypes.TypeDecorator) and not isinstance(t, (sqltypes.Interval, sqltypes.PickleType))
    if decorated and isinstance(t, sqltypes.TypeDecorator):  # the second test narrows `t` for mypy
        rule = _decorated(t, out, annotated)
    if rule is None and out["family"] in ("string", "integer") and annotated is not None:
        if isinstance(annotated, tuple):
            if annotated and all(isinstance(v, str) for v in annotated) and out["family"] == "string":
                _as_enum(out, annotated, False)
                rule = "annotation"
        else:
            # A str (or int) enum binds as itself; any other enum only through its values.
            base = str if out["family"] == "string" else int
            _as_enum(out, annotated, not issubclass(annotated, base))
            rule = "annotation"
    if rule is not None:
        out["familyFrom"] = rule
        if decorated:
            impl = type_impl(t)
            out["storedAs"] = impl.compile() if _compiles(impl) else type(impl).__name__
    return out


def _compiles(t: sqltypes.TypeEngine[Any]) -> bool:
    try:
        t.compile()
    except Exception:  # noqa: BLE001 - a type the default dialect cannot render
        return False
    return True
