"""How generated code reaches a mapped class without editing the user's models.

Most classes are attributes of their module under their own name (`from app.models import User`),
and then the catalog says nothing more. Others are not: classes built with `type()` in a loop and
kept in a dict, defined inside a function, or exported under another name. For those the catalog
gets an `access`:

- `{"via": "attribute", "module": m, "name": n}`: `from m import n` is the class;
- `{"via": "declarative" | "registry", "module": m, "name": n, "key": qualname}`: `n` in `m` is
  a declarative base (or another class of the same registry; `n.registry`) or the `registry`
  itself; the class is the one of its mappers whose `module.qualname` is `key`.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from sqlalchemy.orm import Mapper, registry


def _candidates(cls: type, modules: list[ModuleType]) -> list[ModuleType]:
    out: list[ModuleType] = []
    home = sys.modules.get(cls.__module__)
    for mod in [home, *sorted(modules, key=lambda m: m.__name__)]:
        if mod is not None and all(mod is not m for m in out):
            out.append(mod)
    return out


def _names(mod: ModuleType) -> list[str]:
    # Public names first, then private ones, each sorted: the same answer on every run.
    names = [n for n in list(vars(mod)) if isinstance(n, str)]
    return sorted(names, key=lambda n: (n.startswith("_"), n))


def _registry_of(value: Any) -> Any:
    if isinstance(value, registry):
        return value
    if isinstance(value, type):
        try:
            reg = vars(value).get("registry") or getattr(value, "registry", None)
        except Exception:  # noqa: BLE001 - exotic metaclasses
            return None
        return reg if isinstance(reg, registry) else None
    return None


def access_of(mapper: Mapper[Any], modules: list[ModuleType]) -> dict[str, Any] | None:
    """None when `from <cls.__module__> import <cls.__name__>` gives the class."""
    cls = mapper.class_
    home = sys.modules.get(cls.__module__)
    if home is not None and getattr(home, cls.__name__, None) is cls:
        return None
    candidates = _candidates(cls, modules)
    for mod in candidates:
        for name in _names(mod):
            if getattr(mod, name, None) is cls:
                return {"via": "attribute", "module": mod.__name__, "name": name}
    key = f"{cls.__module__}.{cls.__qualname__}"
    same = [m for m in mapper.registry.mappers if f"{m.class_.__module__}.{m.class_.__qualname__}" == key]
    if len(same) != 1:
        return None  # two classes of one registry share the name: nothing tells them apart
    for mod in candidates:
        anchors = []
        for name in _names(mod):
            value = getattr(mod, name, None)
            if _registry_of(value) is mapper.registry:
                # The registry itself, then a declarative base, then any mapped class of it.
                rank = 0 if isinstance(value, registry) else 2 if _is_mapped(value) else 1
                anchors.append((rank, name.startswith("_"), name, value))
        if anchors:
            _rank, _private, name, value = min(anchors, key=lambda a: a[:3])
            via = "registry" if isinstance(value, registry) else "declarative"
            return {"via": via, "module": mod.__name__, "name": name, "key": key}
    return None


def _is_mapped(value: Any) -> bool:
    from sqlalchemy import inspect

    try:
        return inspect(value, raiseerr=False) is not None
    except Exception:  # noqa: BLE001
        return False
