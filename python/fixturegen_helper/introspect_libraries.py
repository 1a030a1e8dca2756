"""Types of known libraries whose Python values their SQLAlchemy definition does not tell.

Matched by class path along the type's MRO, so a project's subclass of a library type resolves
too. Each entry gives what `introspect_types.resolve` reports: the family, and where it matters
the length that limits a written value or the enum it takes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from sqlalchemy.sql import sqltypes

Resolution = dict[str, Any]


def _paths(t: Any) -> list[str]:
    return [f"{k.__module__}.{k.__qualname__}" for k in type(t).__mro__]


def _su_encrypted(t: Any, family_of: Callable[[Any], str]) -> Resolution:
    # sqlalchemy-utils' StringEncryptedType(type_in, key, ...): takes what its underlying type
    # takes; the impl's length limits the ciphertext, not the value written.
    under = getattr(t, "underlying_type", None)
    if isinstance(under, type):
        under = under()
    family = family_of(under) if isinstance(under, sqltypes.TypeEngine) else "string"
    out: Resolution = {"family": family, "length": None}
    if isinstance(under, sqltypes.TypeEngine):
        out["underlying"] = under
    return out


def _su_choice(t: Any, _family_of: Callable[[Any], str]) -> Resolution | None:
    choices = getattr(t, "choices", None)
    if isinstance(choices, type) and issubclass(choices, enum.Enum):
        return {"family": "enum", "enumClass": choices, "asValue": False}
    try:
        codes = [code for code, _label in choices]  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001
        return None
    if codes and all(isinstance(c, str) for c in codes):
        return {"family": "enum", "stored": codes}
    return None


def _su_scalar_list(t: Any, _family_of: Callable[[Any], str]) -> Resolution:
    item = {str: "string", int: "integer", float: "float"}.get(getattr(t, "coerce_func", str))
    return {"family": "array", "itemFamily": item or "string"}


def _aa_encrypted(t: Any, _family_of: Callable[[Any], str]) -> Resolution:
    # advanced-alchemy's EncryptedString(length=...) checks the length of the plain text.
    length = getattr(t, "length", None)
    return {"family": "string", "length": length if isinstance(length, int) else None}


_KNOWN: list[tuple[str, Callable[[Any, Callable[[Any], str]], Resolution | None]]] = [
    ("sqlalchemy_utils.types.json.JSONType", lambda _t, _f: {"family": "json"}),
    ("sqlalchemy_utils.types.uuid.UUIDType", lambda _t, _f: {"family": "uuid"}),
    ("sqlalchemy_utils.types.encrypted.encrypted_type.StringEncryptedType", _su_encrypted),
    ("sqlalchemy_utils.types.choice.ChoiceType", _su_choice),
    ("sqlalchemy_utils.types.scalar_list.ScalarListType", _su_scalar_list),
    ("sqlalchemy_utils.types.password.PasswordType", lambda _t, _f: {"family": "string", "length": None}),
    ("advanced_alchemy.types.guid.GUID", lambda _t, _f: {"family": "uuid"}),
    ("advanced_alchemy.types.datetime.DateTimeUTC", lambda _t, _f: {"family": "datetime", "timezone": True}),
    ("advanced_alchemy.types.encrypted_string.EncryptedString", _aa_encrypted),
]


def library_resolution(t: Any, family_of: Callable[[Any], str]) -> Resolution | None:
    paths = _paths(t)
    for path, resolve in _KNOWN:
        if path in paths:
            try:
                return resolve(t, family_of)
            except Exception:  # noqa: BLE001 - a library version with other attributes
                return None
    return None
