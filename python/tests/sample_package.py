"""A hand-written output package following the generated-code contract (scenario-format.md), and
the expectations the verifier derives for it. Tests mutate copies of it to make it fail."""

from __future__ import annotations

from typing import Any

INIT = '''\
"""fixturegen output package (hand-written sample)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from crm.models import Base

pytest_plugins = ["generated.tenant_with_team"]

DATABASE_URL = "sqlite+pysqlite:///:memory:"


@pytest.fixture(scope="session")
def db_engine():
    url = os.environ.get("FIXTUREGEN_DATABASE_URL") or DATABASE_URL
    kwargs = {}
    if url.startswith("sqlite") and ":memory:" in url:
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN")

    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine):
    connection = db_engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()
'''

SCENARIO = '''\
"""Scenario tenant_with_team (hand-written sample)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from crm.models import PermissionGrant, Plan, Role, Team, Tenant, User


@dataclass(frozen=True)
class TenantWithTeam:
    acme: Tenant
    boss: User
    users: list[User]
    roles: list[Role]
    grants: list[PermissionGrant]
    team: Team


def create_tenant_with_team(session) -> TenantWithTeam:
    acme = Tenant(name="Acme Corp", plan=Plan.pro, created_on=datetime.date(2024, 5, 1))
    boss = User(tenant=acme, email="boss@acme.test", full_name="The Boss")
    users = [User(tenant=acme, email=f"user{i + 1}@acme.test", manager=boss) for i in range(3)]
    roles = [Role(tenant=acme, name=["admin", "viewer"][i % 2]) for i in range(2)]
    grants = [
        PermissionGrant(user=users[i % 3], role=roles[i // 5], permission=f"perm.{i}")
        for i in range(10)
    ]
    team = Team(tenant=acme, name="Core", budget=Decimal("1234.50"), settings={"focus": "crm"})
    team.members.extend(users)
    session.add_all([acme, boss, *users, *roles, *grants, team])
    session.flush()
    return TenantWithTeam(acme=acme, boss=boss, users=users, roles=roles, grants=grants, team=team)


@pytest.fixture
def tenant_with_team(db_session) -> TenantWithTeam:
    """A tenant with a boss, three users, two roles, ten grants and a team of the three users."""
    return create_tenant_with_team(db_session)
'''


def files(scenario: str = SCENARIO, init: str = INIT) -> dict[str, str]:
    return {"generated/__init__.py": init, "generated/tenant_with_team.py": scenario}


def ref(label: str, index: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"kind": "ref", "label": label, "index": index}


EXPECTATION: dict[str, Any] = {
    "fixture": "tenant_with_team",
    "labels": [
        {"label": "acme", "model": "crm.models.Tenant", "count": None},
        {"label": "boss", "model": "crm.models.User", "count": None},
        {"label": "users", "model": "crm.models.User", "count": 3},
        {"label": "roles", "model": "crm.models.Role", "count": 2},
        {"label": "grants", "model": "crm.models.PermissionGrant", "count": 10},
        {"label": "team", "model": "crm.models.Team", "count": None},
    ],
    "refs": [
        {"label": "boss", "attribute": "tenant", "column": None, "expect": ref("acme")},
        {"label": "users", "attribute": "tenant", "column": None, "expect": ref("acme")},
        {"label": "users", "attribute": "tenant_id", "column": "id", "expect": ref("acme")},
        {"label": "users", "attribute": "manager", "column": None, "expect": ref("boss")},
        {"label": "roles", "attribute": "tenant", "column": None, "expect": ref("acme")},
        {"label": "grants", "attribute": "user", "column": None, "expect": ref("users", {"kind": "mod", "k": 3})},
        {"label": "grants", "attribute": "role", "column": None, "expect": ref("roles", {"kind": "div", "k": 5})},
        {
            "label": "grants",
            "attribute": "user_id",
            "column": "id",
            "expect": {
                "kind": "cycle",
                "items": [ref("users", {"kind": "const", "value": k}) for k in range(3)],
            },
        },
        {"label": "team", "attribute": "tenant", "column": None, "expect": ref("acme")},
        {"label": "team", "attribute": "members", "column": None, "expect": ref("users")},
        {
            "label": "boss",
            "attribute": "reports",
            "column": None,
            "expect": {"kind": "list", "items": [ref("users", {"kind": "const", "value": k}) for k in range(3)]},
        },
    ],
    "counts": {
        "crm.models.PermissionGrant": 10,
        "crm.models.Role": 2,
        "crm.models.Team": 1,
        "crm.models.Tenant": 1,
        "crm.models.User": 4,
    },
    # Value parity: what the scenario wrote, as the plan's literals (src/verify/expectations.ts).
    "values": [
        {
            "label": "acme",
            "attribute": "name",
            "expect": {"kind": "literal", "value": {"kind": "str", "value": "Acme Corp"}},
        },
        {
            "label": "acme",
            "attribute": "plan",
            "expect": {
                "kind": "literal",
                "value": {"kind": "enum", "enumModule": "crm.models", "enumClass": "Plan", "member": "pro"},
            },
        },
        {
            "label": "acme",
            "attribute": "created_on",
            "expect": {"kind": "literal", "value": {"kind": "date", "year": 2024, "month": 5, "day": 1}},
        },
        {
            "label": "boss",
            "attribute": "full_name",
            "expect": {"kind": "literal", "value": {"kind": "str", "value": "The Boss"}},
        },
        {
            "label": "users",
            "attribute": "email",
            "expect": {
                "kind": "interpolate",
                "parts": ["user", {"var": "n"}, "@acme.test"],
                "convert": "string",
                "enumModule": None,
                "enumClass": None,
                "enumAsValue": False,
            },
        },
        {"label": "users", "attribute": "full_name", "expect": {"kind": "literal", "value": {"kind": "none"}}},
        {
            "label": "roles",
            "attribute": "name",
            "expect": {
                "kind": "cycle",
                "items": [
                    {"kind": "literal", "value": {"kind": "str", "value": "admin"}},
                    {"kind": "literal", "value": {"kind": "str", "value": "viewer"}},
                ],
            },
        },
        {
            "label": "grants",
            "attribute": "permission",
            "expect": {
                "kind": "interpolate",
                "parts": ["perm.", {"var": "i"}],
                "convert": "string",
                "enumModule": None,
                "enumClass": None,
                "enumAsValue": False,
            },
        },
        {
            "label": "team",
            "attribute": "budget",
            "expect": {"kind": "literal", "value": {"kind": "decimal", "value": "1234.50"}},
        },
        {
            "label": "team",
            "attribute": "settings",
            "expect": {"kind": "literal", "value": {"kind": "json", "value": {"focus": "crm"}}},
        },
    ],
}


def verify_params(level: str = "run", **overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "level": level,
        "package": "generated",
        "files": files(),
        "databaseUrl": "sqlite+pysqlite:///:memory:",
        "sessionFixture": None,
        "timeoutS": 30,
        "expectations": [EXPECTATION],
        "models": ["crm.models"],
    }
    params.update(overrides)
    return params
