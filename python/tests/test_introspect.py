"""The catalog of the sample CRM and of models exercising inheritance and unusual types."""

from __future__ import annotations

from typing import Any

import pytest

from fixturegen_helper.errors import HelperError
from fixturegen_helper.introspect import introspect
from fixturegen_helper.introspect_types import family_of


@pytest.fixture(scope="module")
def catalog() -> dict[str, Any]:
    return introspect({"models": ["crm.models"]})


def model(catalog: dict[str, Any], qualname: str) -> dict[str, Any]:
    return next(m for m in catalog["models"] if m["qualname"] == qualname)


def column(m: dict[str, Any], key: str) -> dict[str, Any]:
    return next(c for c in m["columns"] if c["key"] == key)


def rel(m: dict[str, Any], key: str) -> dict[str, Any]:
    return next(r for r in m["relationships"] if r["key"] == key)


def test_models_sorted_and_complete(catalog):
    assert catalog["modules"] == ["crm.models"]
    assert [m["qualname"] for m in catalog["models"]] == [
        "crm.models.PermissionGrant",
        "crm.models.Role",
        "crm.models.Team",
        "crm.models.Tenant",
        "crm.models.User",
    ]
    for m in catalog["models"]:
        assert [c["key"] for c in m["columns"]] == sorted(c["key"] for c in m["columns"])
        assert [r["key"] for r in m["relationships"]] == sorted(r["key"] for r in m["relationships"])
    assert catalog["sqlalchemyVersion"] == "2.0.58"
    assert all(f.startswith("/") for f in catalog["files"])
    assert any(f.endswith("crm/models.py") for f in catalog["files"])
    assert catalog["files"] == sorted(catalog["files"])


def test_a_package_path_includes_its_submodules(catalog):
    whole = introspect({"models": ["crm"]})
    assert whole["modules"] == ["crm"]
    assert whole["models"] == catalog["models"]


def test_tenant_columns_enum_date_and_defaults(catalog):
    tenant = model(catalog, "crm.models.Tenant")
    assert tenant["table"] == "tenant" and tenant["name"] == "Tenant" and tenant["module"] == "crm.models"
    assert tenant["primaryKey"] == ["id"]
    ident = column(tenant, "id")
    assert ident["family"] == "integer" and ident["primaryKey"] and ident["autoincrement"]
    name = column(tenant, "name")
    assert (name["type"], name["family"], name["length"], name["nullable"]) == ("String", "string", 100, False)
    plan = column(tenant, "plan")
    assert plan["family"] == "enum" and plan["type"] == "Enum"
    assert plan["hasDefault"] and not plan["nullable"] and not plan["autoincrement"]
    assert plan["enum"] == {
        "stored": ["free", "pro", "enterprise"],
        "pythonEnum": {
            "module": "crm.models",
            "name": "Plan",
            "members": [
                {"name": "free", "value": "free"},
                {"name": "pro", "value": "pro"},
                {"name": "enterprise", "value": "enterprise"},
            ],
        },
    }
    created = column(tenant, "created_on")
    assert (created["family"], created["pythonType"], created["nullable"], created["hasDefault"]) == (
        "date",
        "date",
        False,
        False,
    )
    # a unique=True column gives a UniqueConstraint
    assert ["name"] in tenant["uniques"] and ["id"] in tenant["uniques"]


def test_user_unique_index_self_reference_and_fks(catalog):
    user = model(catalog, "crm.models.User")
    assert user["table"] == "user_account"
    # unique=True, index=True gives a unique Index, not a constraint: still a unique set
    assert user["uniques"] == [["email"], ["id"]]
    tenant_id = column(user, "tenant_id")
    assert tenant_id["foreignKeys"] == [
        {"table": "tenant", "column": "id", "model": "crm.models.Tenant", "attribute": "id", "ondelete": "CASCADE"}
    ]
    assert not tenant_id["nullable"] and not tenant_id["autoincrement"]
    manager_id = column(user, "manager_id")
    assert manager_id["nullable"]
    assert manager_id["foreignKeys"][0]["model"] == "crm.models.User"
    assert column(user, "full_name")["nullable"] and column(user, "full_name")["length"] == 100
    active = column(user, "is_active")
    assert active["family"] == "boolean" and active["hasDefault"] and not active["hasServerDefault"]

    manager = rel(user, "manager")
    assert manager == {
        "key": "manager",
        "target": "crm.models.User",
        "direction": "MANYTOONE",
        "uselist": False,
        "secondary": None,
        "localColumns": ["manager_id"],
        "backPopulates": "reports",
        "viewonly": False,
        "remoteColumns": [],
        "cascade": ["merge", "save-update"],
        "passiveDeletes": False,
        "secondaryForeignKeys": [],
    }
    reports = rel(user, "reports")
    assert (reports["direction"], reports["uselist"], reports["localColumns"]) == ("ONETOMANY", True, [])
    tenant = rel(user, "tenant")
    assert tenant["direction"] == "MANYTOONE" and tenant["localColumns"] == ["tenant_id"]
    assert tenant["backPopulates"] == "users"


def test_role_composite_unique_and_grant_fks(catalog):
    role = model(catalog, "crm.models.Role")
    assert role["uniques"] == [["id"], ["name", "tenant_id"]]
    grant = model(catalog, "crm.models.PermissionGrant")
    assert {c["key"]: c["nullable"] for c in grant["columns"]} == {
        "id": False,
        "permission": False,
        "role_id": False,
        "user_id": False,
    }
    assert rel(grant, "role")["target"] == "crm.models.Role"
    assert rel(grant, "user")["localColumns"] == ["user_id"]


def test_team_numeric_json_and_many_to_many(catalog):
    team = model(catalog, "crm.models.Team")
    budget = column(team, "budget")
    assert (budget["family"], budget["precision"], budget["scale"], budget["pythonType"]) == (
        "numeric",
        12,
        2,
        "Decimal",
    )
    settings = column(team, "settings")
    assert settings["family"] == "json" and settings["nullable"]
    members = rel(team, "members")
    assert members == {
        "key": "members",
        "target": "crm.models.User",
        "direction": "MANYTOMANY",
        "uselist": True,
        "secondary": "team_membership",
        "localColumns": [],
        "backPopulates": "teams",
        "viewonly": False,
        "remoteColumns": [],
        "cascade": ["merge", "save-update"],
        "passiveDeletes": False,
        "secondaryForeignKeys": [
            {"column": "team_id", "table": "team", "ondelete": "CASCADE"},
            {"column": "user_id", "table": "user_account", "ondelete": "CASCADE"},
        ],
    }
    # the pure link table is not a model
    assert all(m["table"] != "team_membership" for m in catalog["models"])


def test_inheritance_and_unusual_types():
    cat = introspect({"models": ["extra_models"]})
    by = {m["qualname"]: m for m in cat["models"]}
    assert list(by) == sorted(by)
    emp, eng, mgr = by["extra_models.Employee"], by["extra_models.Engineer"], by["extra_models.Manager"]
    assert emp["polymorphicOn"] == "kind" and column(emp, "kind")["isDiscriminator"]
    assert emp["polymorphicIdentity"] == "employee"
    # joined inheritance: own table, inherited columns reported with the table holding them
    assert eng["inherits"] == "extra_models.Employee" and not eng["single"] and eng["table"] == "engineer"
    assert {c["key"]: c["table"] for c in eng["columns"]} == {
        "id": "employee",
        "kind": "employee",
        "language": "engineer",
        "name": "employee",
        "salary": "employee",
    }
    assert column(eng, "id")["autoincrement"]  # generated by the parent's row
    assert column(eng, "id")["foreignKeys"] == []
    # single-table inheritance
    assert mgr["single"] and mgr["table"] == "employee" and mgr["inherits"] == "extra_models.Employee"
    assert column(mgr, "reports_count")["table"] == "employee"

    things = by["extra_models.Thing"]
    fam = {c["key"]: (c["type"], c["family"]) for c in things["columns"]}
    assert fam == {
        "amount": ("Float", "float"),
        "big": ("BigInteger", "integer"),
        "blob": ("LargeBinary", "binary"),
        "code": ("Uuid", "uuid"),
        "doc": ("JSONB", "json"),
        "id": ("Integer", "integer"),
        "lowered": ("LowerString", "string"),
        "pickled": ("PickleType", "other"),
        "at": ("DateTime", "datetime"),
        "span": ("Interval", "interval"),
        "status": ("Enum", "enum"),
        "tags": ("ARRAY", "array"),
        "text": ("Text", "string"),
        "when": ("Time", "time"),
    }
    assert column(things, "tags")["itemFamily"] == "string"
    assert column(things, "lowered")["pythonType"] == "str" and column(things, "lowered")["length"] == 20
    assert column(things, "text")["length"] is None
    assert column(things, "at")["timezone"] is True
    status = column(things, "status")["enum"]
    assert status == {"stored": ["draft", "live"], "pythonEnum": None}
    # a column attribute whose key differs from the database column name
    assert column(things, "code")["name"] == "uuid_code"
    # no default: a plain integer primary key is "auto" autoincrement; a server default is reported
    assert column(things, "big")["hasServerDefault"]

    hero = by["extra_models.Hero"]  # SQLModel table class
    assert column(hero, "name")["type"] == "AutoString" and column(hero, "name")["family"] == "string"
    assert column(hero, "id")["autoincrement"]


def test_family_order_float_before_numeric():
    from sqlalchemy import REAL, Double, Float, Numeric, SmallInteger, Unicode, UnicodeText

    assert family_of(Float()) == "float" and family_of(Double()) == "float" and family_of(REAL()) == "float"
    assert family_of(Numeric(10, 2)) == "numeric"
    assert family_of(SmallInteger()) == "integer"
    assert family_of(Unicode(5)) == "string" and family_of(UnicodeText()) == "string"


def test_import_error():
    with pytest.raises(HelperError) as err:
        introspect({"models": ["no_such_models_module"]})
    assert err.value.type == "ImportError" and "no_such_models_module" in err.value.message
    assert "ModuleNotFoundError" in err.value.message and err.value.traceback


def test_dataclass_fields_of_classes_mapped_as_dataclasses(catalog):
    cat = introspect({"models": ["dataclass_models"]})
    by = {m["qualname"]: m for m in cat["models"]}
    assert by["dataclass_models.Owner"]["dataclassFields"] == [
        {"key": "id", "init": False, "required": False},
        {"key": "name", "init": True, "required": True},
        {"key": "nickname", "init": True, "required": False},
        {"key": "pets", "init": True, "required": False},
    ]
    assert by["dataclass_models.Pet"]["dataclassFields"] == [
        {"key": "id", "init": False, "required": False},
        {"key": "owner", "init": True, "required": True},
        {"key": "owner_id", "init": False, "required": False},
    ]
    # Other classes take any mapped attribute as a keyword: no key at all (hashes unchanged).
    assert all("dataclassFields" not in m for m in catalog["models"])


def test_constraint_test_facts(catalog):
    """What constraint tests read: cascade flags, passive_deletes, the target's foreign-key
    columns of a one-to-many, a link table's foreign keys, and CHECK constraints."""
    users = rel(model(catalog, "crm.models.Tenant"), "users")
    assert users["cascade"] == ["merge", "save-update"]
    assert users["passiveDeletes"] is False
    assert users["remoteColumns"] == ["tenant_id"]
    assert rel(model(catalog, "crm.models.User"), "reports")["remoteColumns"] == ["manager_id"]
    assert rel(model(catalog, "crm.models.User"), "tenant")["remoteColumns"] == []
    assert rel(model(catalog, "crm.models.Team"), "members")["secondaryForeignKeys"] == [
        {"column": "team_id", "table": "team", "ondelete": "CASCADE"},
        {"column": "user_id", "table": "user_account", "ondelete": "CASCADE"},
    ]
    assert model(catalog, "crm.models.Team")["checkConstraints"] == []


def test_check_constraints_and_passive_deletes() -> None:
    from check_models import Item, Shop
    from sqlalchemy import inspect

    from fixturegen_helper.introspect_mappers import check_constraints, relationship_info

    # The types' own CHECKs (Boolean, non-native Enum) are left out.
    assert check_constraints(inspect(Shop)) == [
        {"name": "ck_shop_name", "table": "shop", "sql": "length(name) >= 2", "columns": ["name"]}
    ]
    assert check_constraints(inspect(Item)) == [{"name": None, "table": "item", "sql": "qty > 0", "columns": ["qty"]}]
    items = relationship_info(inspect(Shop), inspect(Shop).relationships["items"])
    assert items["passiveDeletes"] == "all"
    assert items["cascade"] == ["merge", "save-update"]
    assert items["remoteColumns"] == ["shop_id"]
