from sqlalchemy import func, select

from crm.models import PermissionGrant, Plan, Role, Tenant, User


def test_the_example_from_the_spec(tenant_with_team, db_session):
    s = tenant_with_team
    assert s.acme.plan is Plan.pro
    assert [u.email for u in s.users] == [f"user{n}@acme.test" for n in (1, 2, 3)]
    assert [r.name for r in s.roles] == ["admin", "viewer"]
    assert [g.user for g in s.grants] == [s.users[i % 3] for i in range(10)]
    assert [g.role for g in s.grants] == [s.roles[i // 5] for i in range(10)]
    assert db_session.scalar(select(func.count()).select_from(PermissionGrant)) == 10


def test_rolled_back(db_session):
    for model in (Tenant, User, Role, PermissionGrant):
        assert db_session.scalar(select(func.count()).select_from(model)) == 0
