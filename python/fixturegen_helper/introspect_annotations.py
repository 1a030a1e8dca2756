"""The value type an attribute's annotation names: `Mapped[Kind]`, `Mapped[Optional[Kind]]`,
`Mapped[Literal["a", "b"]]`, or a plain `kind: Kind` (SQLModel, dataclasses).

A `Mapped[Kind]` over an explicit `String` column keeps `String` as the column type, so only the
annotation says the attribute holds members of `Kind`.
"""

from __future__ import annotations

import enum
import functools
import sys
import types
import typing
from typing import Any

try:  # SQLAlchemy 2.0: Mapped, WriteOnlyMapped, DynamicMapped share this base.
    from sqlalchemy.orm.base import _MappedAnnotationBase as _MAPPED
except ImportError:  # pragma: no cover - older SQLAlchemy
    from sqlalchemy.orm import Mapped as _MAPPED


@functools.lru_cache(maxsize=4096)
def _compiled(annotation: str) -> types.CodeType:
    """An annotation string compiled once: models repeat the same few (`Mapped[str]`)."""
    return compile(annotation, "<annotation>", "eval")


def _evaluate(annotation: Any, owner: type) -> Any:
    if not isinstance(annotation, str):
        return annotation
    module = sys.modules.get(owner.__module__)
    namespace = vars(module) if module is not None else {}
    # eval adds `__builtins__` to globals that lack it: the module's own namespace is used as it is
    # only when it has them (a module's always does), so it is never changed.
    if "__builtins__" not in namespace:
        namespace = dict(namespace)
    try:
        return eval(_compiled(annotation), namespace, dict(vars(owner)))  # noqa: S307 - the user's own annotation
    except Exception:  # noqa: BLE001 - a forward reference that does not resolve here
        return None


def _unwrap(a: Any) -> Any:
    for _ in range(8):
        origin = typing.get_origin(a)
        args = typing.get_args(a)
        if origin is typing.Annotated or isinstance(origin, type) and issubclass(origin, _MAPPED) and args:
            a = args[0]
        elif origin in (typing.Union, types.UnionType):
            rest = [x for x in args if x is not type(None)]
            if len(rest) != 1:
                return None
            a = rest[0]
        else:
            return a
    return None


def attribute_value_type(cls: type, key: str) -> Any:
    """The enum class, or the tuple of a `Literal`'s values, the attribute `key` is annotated
    with; None when it has no such annotation."""
    for owner in cls.__mro__:
        annotations = vars(owner).get("__annotations__", {})
        if key in annotations:
            a = _unwrap(_evaluate(annotations[key], owner))
            if isinstance(a, type) and issubclass(a, enum.Enum):
                return a
            if typing.get_origin(a) is typing.Literal:
                return tuple(typing.get_args(a))
            return None
    return None
