"""Model catalog: import the configured modules and describe their SQLAlchemy mapped classes.

The result is the `Catalog` of `src/catalog/types.ts` (camelCase keys), sorted so that the same
models always give the same JSON: models by qualname, columns and relationships by key.
"""

from __future__ import annotations

import enum
import importlib
import os
import pkgutil
import sys
from types import ModuleType
from typing import Any, Iterable

import sqlalchemy
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.sql import sqltypes
from sqlalchemy.orm import Mapper, configure_mappers
from sqlalchemy.schema import Column, Index, PrimaryKeyConstraint, Table, UniqueConstraint

#: Module paths of the last successful `introspect` in this process (used by `verify` to know
#: which tables to create when the project brings its own session fixture).
LAST_MODULES: list[str] = []


class HelperError(Exception):
    """An error reported to the caller with a stable `type` (ImportError, MapperError, ...)."""

    def __init__(self, type_: str, message: str, tb: str = "") -> None:
        super().__init__(message)
        self.type = type_
        self.message = message
        self.traceback = tb


# ---------------------------------------------------------------------------------------------
# Importing and discovery


def import_modules(paths: Iterable[str]) -> list[ModuleType]:
    """Import each path and, for packages, every submodule. Raises HelperError(ImportError)."""
    import traceback

    modules: list[ModuleType] = []
    seen: set[str] = set()

    def add(mod: ModuleType) -> None:
        if mod.__name__ not in seen:
            seen.add(mod.__name__)
            modules.append(mod)

    def import_submodule(name: str, path: str) -> ModuleType:
        try:
            return importlib.import_module(name)
        except BaseException as exc:  # noqa: BLE001
            raise HelperError(
                "ImportError",
                f"cannot import models module {name!r} (submodule of {path!r}): "
                f"{type(exc).__name__}: {exc}",
                traceback.format_exc(),
            ) from None

    for path in paths:
        try:
            mod = importlib.import_module(path)
        except BaseException as exc:  # noqa: BLE001 - user code may raise anything, even SystemExit
            raise HelperError(
                "ImportError",
                f"cannot import models module {path!r}: {type(exc).__name__}: {exc}",
                traceback.format_exc(),
            ) from None
        add(mod)
        if hasattr(mod, "__path__"):
            failures: list[str] = []

            def onerror(name: str) -> None:
                failures.append(name)

            for info in pkgutil.walk_packages(mod.__path__, prefix=mod.__name__ + ".", onerror=onerror):
                add(import_submodule(info.name, path))
            # walk_packages swallows errors of subpackage __init__ imports; import again to surface
            # the real exception.
            for name in failures:
                add(import_submodule(name, path))
    return modules


def _mapper_of(obj: Any) -> Mapper | None:
    if not isinstance(obj, type):
        return None
    try:
        insp = sa_inspect(obj, raiseerr=False)
    except Exception:  # noqa: BLE001 - exotic objects may raise in __getattr__
        return None
    if isinstance(insp, Mapper) and insp.class_ is obj:
        return insp
    return None


def discover_mappers(modules: list[ModuleType]) -> list[Mapper]:
    """Mapped classes found in the modules' namespaces, or defined in those modules and registered
    in a registry reachable from them (including SQLModel's). Sorted by qualname."""
    names = {m.__name__ for m in modules}
    found: dict[type, Mapper] = {}
    registries: list[Any] = []
    for mod in modules:
        for value in list(vars(mod).values()):
            mapper = _mapper_of(value)
            if mapper is not None:
                found[mapper.class_] = mapper
                if mapper.registry not in registries:
                    registries.append(mapper.registry)
    sqlmodel = sys.modules.get("sqlmodel")
    if sqlmodel is not None:
        reg = getattr(getattr(sqlmodel, "SQLModel", None), "_sa_registry", None)
        if reg is not None and reg not in registries:
            registries.append(reg)
    for reg in registries:
        for mapper in list(reg.mappers):
            if mapper.class_.__module__ in names:
                found[mapper.class_] = mapper
    return sorted(found.values(), key=lambda m: qualname(m.class_))


def qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def source_files(paths: Iterable[str]) -> list[str]:
    """Absolute source files of every imported module that belongs to the configured packages:
    the configured modules, their submodules, and their parent packages' modules (the top-level
    package of each configured path), so that a change in a sibling module the models import is
    seen too."""
    tops = {p.split(".")[0] for p in paths}
    files: set[str] = set()
    for name, mod in list(sys.modules.items()):
        if mod is None or name.split(".")[0] not in tops:
            continue
        f = getattr(mod, "__file__", None)
        if not f:
            continue
        f = os.path.abspath(f)
        if f.endswith((".py", ".pyw")) and os.path.isfile(f):
            files.add(f)
    return sorted(files)


# ---------------------------------------------------------------------------------------------
# Types


def _impl(t: sqltypes.TypeEngine) -> sqltypes.TypeEngine:
    """Unwrap TypeDecorators to the type that describes the stored value."""
    seen = 0
    while isinstance(t, sqltypes.TypeDecorator) and seen < 10:
        t = t.impl_instance if hasattr(t, "impl_instance") else t.impl
        seen += 1
    return t


def family_of(t: sqltypes.TypeEngine) -> str:
    # Order matters: Interval and PickleType are TypeDecorators with a meaning of their own;
    # Enum subclasses String; Float subclasses Numeric; Boolean/Enum are SchemaTypes.
    if isinstance(t, (sqltypes.Interval, sqltypes._AbstractInterval)):
        return "interval"
    if isinstance(t, sqltypes.PickleType):
        return "other"
    if isinstance(t, sqltypes.TypeDecorator):
        return family_of(_impl(t))
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
    if isinstance(t, sqltypes.Uuid):
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


def python_type_name(t: sqltypes.TypeEngine) -> str | None:
    for candidate in (t, _impl(t)):
        try:
            pt = candidate.python_type
        except NotImplementedError:
            continue
        except Exception:  # noqa: BLE001
            continue
        return getattr(pt, "__name__", None)
    return None


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return str(value)


def enum_info(t: sqltypes.TypeEngine) -> dict[str, Any] | None:
    t = _impl(t)
    if not isinstance(t, sqltypes.Enum):
        return None
    python_enum = None
    cls = getattr(t, "enum_class", None)
    if isinstance(cls, type) and issubclass(cls, enum.Enum):
        python_enum = {
            "module": cls.__module__,
            "name": cls.__qualname__,
            "members": [{"name": m.name, "value": _json_safe(m.value)} for m in cls],
        }
    return {"stored": [str(e) for e in t.enums], "pythonEnum": python_enum}


# ---------------------------------------------------------------------------------------------
# Mappers


def _table_name(selectable: Any) -> str:
    name = getattr(selectable, "fullname", None) or getattr(selectable, "name", None)
    return str(name) if name is not None else str(getattr(selectable, "description", selectable))


class _Index:
    """Which mapper owns a table, and which attribute key maps a column."""

    def __init__(self, mappers: list[Mapper]) -> None:
        self.table_owner: dict[Any, Mapper] = {}
        for mapper in mappers:
            self._add(mapper)

    def _add(self, mapper: Mapper) -> None:
        table = mapper.local_table
        current = self.table_owner.get(table)
        # The base-most mapper owns a table shared by single-table inheritance.
        if current is None or (current is not mapper and current.isa(mapper)):
            self.table_owner[table] = mapper

    def owner(self, table: Any) -> Mapper | None:
        mapper = self.table_owner.get(table)
        if mapper is not None:
            return mapper
        # A table mapped by a class outside the introspected modules (another registry).
        return None


def attribute_key(mapper: Mapper, column: Any) -> str | None:
    try:
        return mapper.get_property_by_column(column).key
    except Exception:  # noqa: BLE001 - unmapped column
        return None


def _fk_info(fk: Any, index: _Index) -> dict[str, Any]:
    try:
        target = fk.column
    except Exception:  # noqa: BLE001 - target table not in the metadata
        parts = fk.target_fullname.split(".")
        return {
            "table": ".".join(parts[:-1]),
            "column": parts[-1],
            "model": None,
            "attribute": None,
            "ondelete": fk.ondelete,
        }
    model = attribute = None
    owner = index.owner(target.table)
    if owner is None:
        # Any mapper at all (even outside the configured modules) that maps this table.
        for reg in _registries_of_table(target.table):
            for m in sorted(reg.mappers, key=lambda m: qualname(m.class_)):
                if m.local_table is target.table and (owner is None or owner.isa(m)):
                    owner = m
    if owner is not None:
        model = qualname(owner.class_)
        attribute = attribute_key(owner, target)
    return {
        "table": _table_name(target.table),
        "column": target.name,
        "model": model,
        "attribute": attribute,
        "ondelete": fk.ondelete,
    }


def _registries_of_table(table: Any) -> list[Any]:
    try:
        from sqlalchemy.orm import mapperlib

        return [r for r in list(mapperlib._mapper_registries) if r.metadata is table.metadata]
    except Exception:  # noqa: BLE001 - private API, best effort
        return []


def column_info(mapper: Mapper, key: str, column: Column, index: _Index) -> dict[str, Any]:
    t = column.type
    impl = _impl(t)
    family = family_of(t)
    prop = mapper.attrs[key]
    columns = list(getattr(prop, "columns", [column]))
    autoincrement = any(
        isinstance(c, Column) and isinstance(c.table, Table) and c.table.autoincrement_column is c
        for c in columns
    ) or any(isinstance(c, Column) and c.identity is not None for c in columns)
    disc = mapper.polymorphic_on
    is_discriminator = disc is not None and any(disc is c for c in columns)
    return {
        "key": key,
        "name": column.name,
        "table": _table_name(column.table),
        "type": type(t).__name__,
        "family": family,
        "pythonType": python_type_name(t),
        "nullable": bool(column.nullable),
        "primaryKey": bool(column.primary_key),
        "autoincrement": bool(autoincrement),
        "hasDefault": column.default is not None,
        "hasServerDefault": column.server_default is not None or column.identity is not None,
        "foreignKeys": sorted(
            (_fk_info(fk, index) for fk in column.foreign_keys),
            key=lambda f: (f["table"], f["column"]),
        ),
        "length": getattr(impl, "length", None) if family in ("string", "binary") else None,
        "precision": getattr(impl, "precision", None) if family in ("numeric", "float") else None,
        "scale": getattr(impl, "scale", None) if family in ("numeric", "float") else None,
        "timezone": bool(getattr(impl, "timezone", False)) if family in ("datetime", "time") else False,
        "enum": enum_info(t),
        "itemFamily": family_of(impl.item_type) if isinstance(impl, sqltypes.ARRAY) else None,
        "isDiscriminator": bool(is_discriminator),
    }


def relationship_info(mapper: Mapper, rel: Any) -> dict[str, Any]:
    direction = rel.direction.name
    local_columns: list[str] = []
    if direction == "MANYTOONE":
        for local, _remote in rel.local_remote_pairs:
            key = attribute_key(mapper, local)
            name = key if key is not None else local.name
            if name not in local_columns:
                local_columns.append(name)
    back = rel.back_populates
    if not back:
        reverse = sorted(p.key for p in getattr(rel, "_reverse_property", ()) or ())
        back = reverse[0] if reverse else None
    secondary = rel.secondary
    return {
        "key": rel.key,
        "target": qualname(rel.mapper.class_),
        "direction": direction,
        "uselist": bool(rel.uselist),
        "secondary": _table_name(secondary) if secondary is not None else None,
        "localColumns": local_columns,
        "backPopulates": back,
        "viewonly": bool(rel.viewonly),
    }


def _uniques(mapper: Mapper) -> list[list[str]]:
    sets: set[tuple[str, ...]] = set()
    for table in mapper.tables:
        groups: list[list[Any]] = []
        for c in getattr(table, "constraints", ()):
            if isinstance(c, (PrimaryKeyConstraint, UniqueConstraint)):
                groups.append(list(c.columns))
        for ix in getattr(table, "indexes", ()):
            if isinstance(ix, Index) and ix.unique:
                groups.append(list(ix.expressions))
        for cols in groups:
            if not cols or not all(isinstance(c, Column) for c in cols):
                continue  # functional index: no attribute set to report
            keys = [attribute_key(mapper, c) for c in cols]
            if all(k is not None for k in keys):
                sets.add(tuple(sorted(set(keys))))  # type: ignore[arg-type]
    return [list(s) for s in sorted(sets)]


def dataclass_fields(cls: type) -> list[dict[str, Any]] | None:
    """For a class mapped as a dataclass (`MappedAsDataclass`, `registry.mapped_as_dataclass`):
    its fields, whether `__init__` takes each (`init=False` fields are set after construction)
    and whether it must be given (no default, no default_factory). None for other classes, whose
    constructor takes any mapped attribute as a keyword."""
    import dataclasses

    if not dataclasses.is_dataclass(cls):
        return None
    fields = []
    for f in dataclasses.fields(cls):
        required = (
            f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        )
        fields.append({"key": f.name, "init": bool(f.init), "required": bool(required)})
    return sorted(fields, key=lambda f: f["key"])


def model_info(mapper: Mapper, index: _Index) -> dict[str, Any]:
    cls = mapper.class_
    columns = []
    for prop in mapper.column_attrs:
        col = mapper.columns.get(prop.key)
        if col is None:
            col = prop.columns[0]
        if not isinstance(col, Column):
            continue  # column_property() over a SQL expression: not settable
        columns.append(column_info(mapper, prop.key, col, index))
    columns.sort(key=lambda c: c["key"])
    rels = sorted((relationship_info(mapper, r) for r in mapper.relationships), key=lambda r: r["key"])
    disc = mapper.polymorphic_on
    polymorphic_on = attribute_key(mapper, disc) if disc is not None else None
    identity = mapper.polymorphic_identity
    inherits = mapper.inherits
    info = {
        "name": cls.__name__,
        "module": cls.__module__,
        "qualname": qualname(cls),
        "table": _table_name(mapper.local_table),
        "columns": columns,
        "relationships": rels,
        "primaryKey": [attribute_key(mapper, c) or c.name for c in mapper.primary_key],
        "uniques": _uniques(mapper),
        "inherits": qualname(inherits.class_) if inherits is not None else None,
        "polymorphicOn": polymorphic_on,
        "polymorphicIdentity": None if identity is None else str(identity),
        "single": bool(mapper.single),
        "abstract": bool(getattr(mapper, "polymorphic_abstract", False)),
    }
    fields = dataclass_fields(cls)
    if fields is not None:
        info["dataclassFields"] = fields
    return info


def configure() -> None:
    import traceback

    try:
        configure_mappers()
    except Exception as exc:  # noqa: BLE001
        raise HelperError(
            "MapperError", f"{type(exc).__name__}: {exc}", traceback.format_exc()
        ) from None


def introspect(params: dict[str, Any]) -> dict[str, Any]:
    paths = params.get("models")
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) and p for p in paths):
        raise HelperError("ProtocolError", "params.models must be a non-empty list of module paths")
    modules = import_modules(paths)
    configure()
    mappers = discover_mappers(modules)
    index = _Index(mappers)
    models = [model_info(m, index) for m in mappers]
    LAST_MODULES[:] = list(paths)
    return {
        "modules": list(paths),
        "models": models,
        "files": source_files(paths),
        "sqlalchemyVersion": sqlalchemy.__version__,
    }
