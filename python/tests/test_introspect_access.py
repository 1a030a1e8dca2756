"""`access_of`: how generated code reaches classes no module exports under their own name."""

from __future__ import annotations

import sys
import types
from typing import Any

from sqlalchemy import Column, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase, registry

from fixturegen_helper.introspect import discover_mappers
from fixturegen_helper.introspect_access import access_of


def _module(name: str) -> Any:
    mod = types.ModuleType(name)
    sys.modules[name] = mod
    return mod


def test_dict_held_function_made_and_renamed_classes():
    mod = _module("fg_access_models")
    try:

        class Base(DeclarativeBase):
            pass

        def table(name):
            attrs = {"__tablename__": name.lower(), "__module__": mod.__name__}
            attrs["id"] = Column(Integer, primary_key=True)
            return type(name, (Base,), attrs)

        plain = table("Plain")
        mod.Base, mod.Plain = Base, plain
        mod.KINDS = {"Kind": table("Kind")}
        mod.Alias = table("Hidden")
        reg = registry()
        imperative = type("Imperative", (), {"__module__": mod.__name__})
        reg.map_imperatively(
            imperative,
            Table("imperative", reg.metadata, Column("id", Integer, primary_key=True), Column("name", String(5))),
        )
        mod.reg = reg

        mappers = {m.class_.__name__: m for m in discover_mappers([mod])}
        assert sorted(mappers) == ["Hidden", "Imperative", "Kind", "Plain"]
        assert access_of(mappers["Plain"], [mod]) is None
        assert access_of(mappers["Hidden"], [mod]) == {"via": "attribute", "module": mod.__name__, "name": "Alias"}
        assert access_of(mappers["Kind"], [mod]) == {
            "via": "declarative",
            "module": mod.__name__,
            "name": "Base",
            "key": "fg_access_models.Kind",
        }
        assert access_of(mappers["Imperative"], [mod]) == {
            "via": "registry",
            "module": mod.__name__,
            "name": "reg",
            "key": "fg_access_models.Imperative",
        }
    finally:
        del sys.modules[mod.__name__]
