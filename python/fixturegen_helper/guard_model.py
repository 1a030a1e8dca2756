"""What the static guard knows of a model class (see `guard`): the attributes the catalog lists,
and, when the class's module is already imported in this process, the live class itself.

The guard imports no models module: the live class is used only when `introspect` already imported
it in this process; otherwise the catalog's attribute list is all there is.
"""

from __future__ import annotations

import sys
from typing import Any

#: Attributes every mapped instance has, used when the class itself is not importable here.
INSTANCE_BASICS = frozenset(
    {"metadata", "registry", "__table__", "__mapper__", "__tablename__", "__class__", "__dict__", "_sa_instance_state"}
)


class _Model:
    def __init__(self, qualname: str, info: dict[str, Any]) -> None:
        self.qualname = qualname
        self.class_name = str(info.get("className") or qualname.rsplit(".", 1)[-1])
        self.module = str(info.get("module") or qualname.rsplit(".", 1)[0])
        self.attributes = frozenset(str(a) for a in info.get("attributes") or [])
        self._live: Any = None
        self._live_done = False

    def live(self) -> Any:
        """The class, when its module is already imported in this process (never imports)."""
        if not self._live_done:
            self._live_done = True
            mod = sys.modules.get(self.module)
            obj = getattr(mod, self.class_name, None) if mod is not None else None
            self._live = obj if isinstance(obj, type) else None
        return self._live

    def keyword_names(self) -> set[str]:
        names = set(self.attributes)
        cls = self.live()
        if cls is None:
            return names
        try:
            from sqlalchemy import inspect as sa_inspect

            names.update(sa_inspect(cls).all_orm_descriptors.keys())
        except Exception:  # noqa: BLE001
            pass
        init = getattr(cls, "__init__", None)
        if init is not None and not (getattr(init, "__module__", "") or "").startswith("sqlalchemy"):
            import inspect

            try:
                params = inspect.signature(init).parameters.values()
            except (TypeError, ValueError):
                params = []
            names.update(
                p.name
                for p in params
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in ("self", "cls")
            )
            fields = getattr(cls, "model_fields", None)  # SQLModel / pydantic
            if isinstance(fields, dict):
                names.update(fields)
        names.discard("_sa_instance_state")
        return names

    def attribute_names(self) -> set[str]:
        names = set(self.attributes) | set(INSTANCE_BASICS)
        cls = self.live()
        if cls is not None:
            names.update(dir(cls))
            names.update(self.keyword_names())
        return names
