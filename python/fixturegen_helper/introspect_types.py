"""How `introspect` describes a column's SQLAlchemy type: its family (what kind of value the
generators write for it), its Python type, and an enum's stored and Python values, all as JSON.
`resolve` looks through TypeDecorators and annotations (`introspect_values`) for what the column
takes rather than what it stores.
"""

from __future__ import annotations

import enum
import math
from typing import Any

from sqlalchemy.sql import sqltypes

from fixturegen_helper.sa_compat import UUID_TYPES, python_type_of


def type_impl(t: sqltypes.TypeEngine[Any]) -> sqltypes.TypeEngine[Any]:
    """Unwrap TypeDecorators to the type that describes the stored value."""
    seen = 0
    while isinstance(t, sqltypes.TypeDecorator) and seen < 10:
        # `impl` is the class on SQLAlchemy versions without `impl_instance`.
        inner: Any = t.impl_instance if hasattr(t, "impl_instance") else t.impl
        t = inner
        seen += 1
    return t


def family_of(t: sqltypes.TypeEngine[Any]) -> str:
    # Order matters: Interval and PickleType are TypeDecorators with a meaning of their own;
    # Enum subclasses String; Float subclasses Numeric; Boolean/Enum are SchemaTypes.
    if isinstance(t, (sqltypes.Interval, sqltypes._AbstractInterval)):
        return "interval"
    if isinstance(t, sqltypes.PickleType):
        return "other"
    if isinstance(t, sqltypes.TypeDecorator):
        return family_of(type_impl(t))
    if isinstance(t, sqltypes.Enum):
        return "enum"
    if isinstance(t, sqltypes.Boolean):
        return "boolean"
    if isinstance(t, sqltypes.ARRAY):
        return "array"
    if isinstance(t, sqltypes.JSON):
        return "json"
    if isinstance(t, sqltypes.Float):
        return "float"
    if isinstance(t, sqltypes.Numeric):
        return "numeric"
    if isinstance(t, sqltypes.Integer):
        return "integer"
    if isinstance(t, UUID_TYPES):
        return "uuid"
    if isinstance(t, sqltypes.String):
        return "string"
    if isinstance(t, sqltypes.DateTime):
        return "datetime"
    if isinstance(t, sqltypes.Date):
        return "date"
    if isinstance(t, sqltypes.Time):
        return "time"
    if isinstance(t, sqltypes._Binary):
        return "binary"
    return "other"


def python_type_name(t: sqltypes.TypeEngine[Any]) -> str | None:
    for candidate in (t, type_impl(t)):
        pt = python_type_of(candidate)
        if pt is not None:
            return getattr(pt, "__name__", None)
    return None


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return str(value)


def python_enum_info(cls: type[enum.Enum], as_value: bool = False) -> dict[str, Any]:
    info: dict[str, Any] = {
        "module": cls.__module__,
        "name": cls.__qualname__,
        "members": [{"name": m.name, "value": _json_safe(m.value)} for m in cls],
    }
    if as_value:
        # The column binds plain values (a String column annotated Mapped[Kind] with a Kind
        # that is not a str enum): generated code writes Kind.MEMBER.value.
        info["asValue"] = True
    return info


def enum_info(t: sqltypes.TypeEngine[Any]) -> dict[str, Any] | None:
    t = type_impl(t)
    if not isinstance(t, sqltypes.Enum):
        return None
    python_enum = None
    cls = getattr(t, "enum_class", None)
    if isinstance(cls, type) and issubclass(cls, enum.Enum):
        python_enum = python_enum_info(cls)
    return {"stored": [str(e) for e in t.enums], "pythonEnum": python_enum}
