# Escape attempt: an async fixture function
# canary: no
from __future__ import annotations

import dataclasses
import datetime

import pytest

from crm.models import PermissionGrant, Plan, Role, Tenant, User


@dataclasses.dataclass(frozen=True)
class TenantWithTeam:
    """Rows created by the `tenant_with_team` scenario (scenarios/tenant_with_team.yaml)."""

    acme: Tenant
    roles: list[Role]
    users: list[User]
    grants: list[PermissionGrant]


def create_tenant_with_team(session) -> TenantWithTeam:
    """A tenant with three users, two roles and ten permission grants."""
    acme = Tenant(created_on=datetime.date(2024, 5, 1), name="Acme Corp", plan=Plan.pro)
    session.add(acme)
    roles = [Role(name=("admin", "viewer")[i % 2], tenant=acme) for i in range(2)]
    session.add_all(roles)
    users = [User(email=f"user{i + 1}@acme.test", tenant=acme) for i in range(3)]
    session.add_all(users)
    grants = [
        PermissionGrant(permission=f"perm.{i}", role=roles[i // 5], user=users[i % 3])
        for i in range(10)
    ]
    session.add_all(grants)
    session.flush()
    return TenantWithTeam(acme=acme, roles=roles, users=users, grants=grants)


@pytest.fixture
async def tenant_with_team(db_session) -> TenantWithTeam:
    """A tenant with three users, two roles and ten permission grants."""
    return create_tenant_with_team(db_session)

