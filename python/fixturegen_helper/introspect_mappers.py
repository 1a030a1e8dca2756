"""How `introspect` describes one mapped class: its columns, relationships, keys, inheritance and
dataclass fields, in the camelCase shape of `src/catalog/types.ts`.

Foreign keys name the model and attribute they point to, so the index of which mapper owns which
table is built once per introspection (`MapperIndex`).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Mapper
from sqlalchemy.schema import CheckConstraint, Column, Index, PrimaryKeyConstraint, Table, UniqueConstraint

from fixturegen_helper.introspect_annotations import attribute_value_type
from fixturegen_helper.introspect_resolve import resolve
from fixturegen_helper.sa_compat import autoincrement_column


def qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _table_name(selectable: Any) -> str:
    name = getattr(selectable, "fullname", None) or getattr(selectable, "name", None)
    return str(name) if name is not None else str(getattr(selectable, "description", selectable))


class MapperIndex:
    """Which mapper owns a table, and which attribute key maps a column."""

    def __init__(self, mappers: list[Mapper[Any]]) -> None:
        self.table_owner: dict[Any, Mapper[Any]] = {}
        for mapper in mappers:
            self._add(mapper)

    def _add(self, mapper: Mapper[Any]) -> None:
        table = mapper.local_table
        current = self.table_owner.get(table)
        # The base-most mapper owns a table shared by single-table inheritance.
        if current is None or (current is not mapper and current.isa(mapper)):
            self.table_owner[table] = mapper

    def owner(self, table: Any) -> Mapper[Any] | None:
        mapper = self.table_owner.get(table)
        if mapper is not None:
            return mapper
        # A table mapped by a class outside the introspected modules (another registry).
        return None


def attribute_key(mapper: Mapper[Any], column: Any) -> str | None:
    try:
        return mapper.get_property_by_column(column).key
    except Exception:  # noqa: BLE001 - unmapped column
        return None


def _fk_info(fk: Any, index: MapperIndex) -> dict[str, Any]:
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


def column_info(mapper: Mapper[Any], key: str, column: Column[Any], index: MapperIndex) -> dict[str, Any]:
    t = column.type
    prop = mapper.attrs[key]
    columns = list(getattr(prop, "columns", [column]))
    autoincrement = any(
        isinstance(c, Column) and isinstance(c.table, Table) and autoincrement_column(c.table) is c for c in columns
    ) or any(isinstance(c, Column) and c.identity is not None for c in columns)
    disc = mapper.polymorphic_on
    is_discriminator = disc is not None and any(disc is c for c in columns)
    annotated = None if is_discriminator else attribute_value_type(mapper.class_, key)
    value = resolve(t, annotated)
    info = {
        "key": key,
        "name": column.name,
        "table": _table_name(column.table),
        "type": type(t).__name__,
        "family": value["family"],
        "pythonType": value["pythonType"],
        "nullable": bool(column.nullable),
        "primaryKey": bool(column.primary_key),
        "autoincrement": bool(autoincrement),
        "hasDefault": column.default is not None,
        "hasServerDefault": column.server_default is not None or column.identity is not None,
        "foreignKeys": sorted(
            (_fk_info(fk, index) for fk in column.foreign_keys),
            key=lambda f: (f["table"], f["column"]),
        ),
        "length": value["length"],
        "precision": value["precision"],
        "scale": value["scale"],
        "timezone": value["timezone"],
        "enum": value["enum"],
        "itemFamily": value["itemFamily"],
        "isDiscriminator": bool(is_discriminator),
    }
    for k in ("storedAs", "familyFrom", "unplaced"):
        if k in value:
            info[k] = value[k]
    return info


def relationship_info(mapper: Mapper[Any], rel: Any) -> dict[str, Any]:
    direction = rel.direction.name
    local_columns: list[str] = []
    if direction == "MANYTOONE":
        for local, _remote in rel.local_remote_pairs:
            key = attribute_key(mapper, local)
            name = key if key is not None else local.name
            if name not in local_columns:
                local_columns.append(name)
    # For ONETOMANY: the target's foreign-key columns that point back here (constraint tests).
    remote_columns: list[str] = []
    if direction == "ONETOMANY":
        for _local, remote in rel.local_remote_pairs:
            key = attribute_key(rel.mapper, remote)
            name = key if key is not None else remote.name
            if name not in remote_columns:
                remote_columns.append(name)
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
        "remoteColumns": remote_columns,
        "cascade": sorted(str(flag) for flag in rel.cascade),
        "passiveDeletes": "all" if rel.passive_deletes == "all" else bool(rel.passive_deletes),
        "secondaryForeignKeys": _secondary_fks(secondary),
    }


def _secondary_fks(secondary: Any) -> list[dict[str, Any]]:
    """For a link table: each of its foreign-key columns, the table it points at and its ondelete."""
    found = []
    for column in getattr(secondary, "columns", ()) if secondary is not None else ():
        for fk in column.foreign_keys:
            parts = fk.target_fullname.split(".")
            found.append({"column": column.name, "table": ".".join(parts[:-1]), "ondelete": fk.ondelete})
    return sorted(found, key=lambda f: (f["column"], f["table"]))


def _partial(ix: Index) -> bool:
    """A unique index with a WHERE clause (`postgresql_where=`, `sqlite_where=`): unique only among
    the rows the condition holds for."""
    try:
        return any(k.endswith("_where") and v is not None for k, v in ix.dialect_kwargs.items())
    except Exception:  # noqa: BLE001
        return False


def _uniques(mapper: Mapper[Any]) -> tuple[list[list[str]], list[list[str]]]:
    """Attribute key sets a primary key, unique constraint or unique index covers; and those only
    partial unique indexes cover (also in the first list: synthesized values stay distinct)."""
    sets: set[tuple[str, ...]] = set()
    partial: set[tuple[str, ...]] = set()
    full: set[tuple[str, ...]] = set()
    for table in mapper.tables:
        groups: list[tuple[list[Any], bool]] = []
        for c in getattr(table, "constraints", ()):
            if isinstance(c, (PrimaryKeyConstraint, UniqueConstraint)):
                groups.append((list(c.columns), False))
        for ix in getattr(table, "indexes", ()):
            if isinstance(ix, Index) and ix.unique:
                groups.append((list(ix.expressions), _partial(ix)))
        for cols, is_partial in groups:
            if not cols or not all(isinstance(c, Column) for c in cols):
                continue  # functional index: no attribute set to report
            found = [attribute_key(mapper, c) for c in cols]
            keys = [k for k in found if k is not None]
            if len(keys) == len(found):
                key = tuple(sorted(set(keys)))
                sets.add(key)
                (partial if is_partial else full).add(key)
    # A key set a full constraint covers too is not partial.
    return [list(s) for s in sorted(sets)], [list(s) for s in sorted(partial - full)]


def check_constraints(mapper: Mapper[Any]) -> list[dict[str, Any]]:
    """The CHECK constraints of the class's own table, with their SQL text (as written, before any
    dialect compiles it) and the attribute keys of the columns it names. A type's own CHECK (a
    non-native Enum or Boolean's) is left out: the type refuses the value first."""
    found = []
    table = mapper.local_table
    # A CHECK given to a Column stays in the column's constraints (written inline in its DDL).
    column_checks = [c for col in getattr(table, "columns", ()) for c in col.constraints]
    for c in [*getattr(table, "constraints", ()), *column_checks]:
        if not isinstance(c, CheckConstraint) or getattr(c, "_type_bound", False):
            continue
        try:
            sql = str(c.sqltext)
        except Exception:  # noqa: BLE001 - an expression that does not compile without a dialect
            continue
        words = {w.strip('"') for w in re.findall(r'"[^"]+"|[A-Za-z_][A-Za-z0-9_]*', sql)}
        names = {col.name for col in table.columns if col.name in words}
        keys = sorted({attribute_key(mapper, table.columns[n]) or n for n in names})
        found.append(
            {"name": None if c.name is None else str(c.name), "table": _table_name(table), "sql": sql, "columns": keys}
        )
    return sorted(found, key=lambda f: (f["sql"], f["name"] or ""))


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
        required = f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        fields.append({"key": f.name, "init": bool(f.init), "required": bool(required)})
    return sorted(fields, key=lambda f: f["key"])


def model_info(mapper: Mapper[Any], index: MapperIndex) -> dict[str, Any]:
    cls = mapper.class_
    columns = []
    for prop in mapper.column_attrs:
        col: object = mapper.columns.get(prop.key)
        if col is None:
            col = prop.columns[0]
        if not isinstance(col, Column):
            continue  # column_property() over a SQL expression: not settable
        columns.append(column_info(mapper, prop.key, col, index))
    columns.sort(key=lambda c: c["key"])
    rels = sorted((relationship_info(mapper, r) for r in mapper.relationships), key=lambda r: r["key"])
    uniques, partial_uniques = _uniques(mapper)
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
        "uniques": uniques,
        "inherits": qualname(inherits.class_) if inherits is not None else None,
        "polymorphicOn": polymorphic_on,
        "polymorphicIdentity": None if identity is None else str(identity),
        "single": bool(mapper.single),
        "abstract": bool(getattr(mapper, "polymorphic_abstract", False)),
    }
    info["checkConstraints"] = check_constraints(mapper)
    if partial_uniques:
        info["partialUniques"] = partial_uniques
    fields = dataclass_fields(cls)
    if fields is not None:
        info["dataclassFields"] = fields
    return info
