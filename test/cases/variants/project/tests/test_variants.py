import decimal

import pytest
from sqlalchemy import func, select

from crm.models import PermissionGrant, Plan, Team, Tenant, User
from generated.tenant_with_team import create_tenant_with_team


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_the_base_fixture(tenant_with_team, db_session):
    assert [u.is_active for u in tenant_with_team.users] == [True, True, True]
    assert count(db_session, PermissionGrant) == 6


def test_a_variant_is_a_fixture_of_its_own(tenant_with_team__inactive_users, db_session):
    s = tenant_with_team__inactive_users
    assert [u.is_active for u in s.users] == [False, False, False]
    assert [u.full_name for u in s.users] == ["Former 1", "Former 2", "Former 3"]
    assert db_session.scalars(select(User.is_active)).all() == [False, False, False]


def test_another_count(tenant_with_team__big_team, db_session):
    s = tenant_with_team__big_team
    assert len(s.users) == 5
    assert [g.role for g in s.grants] == [s.roles[i % 2] for i in range(10)]
    assert count(db_session, PermissionGrant) == 10


def test_a_removed_label_is_empty(tenant_with_team__no_grants, db_session):
    assert tenant_with_team__no_grants.grants == []
    assert count(db_session, PermissionGrant) == 0
    assert count(db_session, User) == 3


@pytest.mark.parametrize("variant", [None, "inactive_users", "big_team", "no_grants"])
def test_every_variant_in_one_line(make_tenant_with_team, variant, db_session):
    s = make_tenant_with_team(variant)
    assert s.acme.plan is Plan.pro
    assert count(db_session, Tenant) == 1


def test_create_takes_the_variant_by_name(db_session):
    s = create_tenant_with_team(db_session, variant="big_team")
    assert len(s.users) == 5


def test_an_unknown_variant_suggests_the_closest(db_session):
    with pytest.raises(LookupError, match='has no variant "big_teams"; did you mean "big_team"'):
        create_tenant_with_team(db_session, variant="big_teams")
    assert count(db_session, Tenant) == 0


def test_overrides_for_every_instance_and_for_one(make_tenant_with_team, db_session):
    s = make_tenant_with_team(
        users={"is_active": False, 1: {"is_active": True, "full_name": "Kept"}},
        acme={"name": "Initech"},
    )
    assert [u.is_active for u in s.users] == [False, True, False]
    assert s.users[1].full_name == "Kept"
    assert db_session.scalars(select(Tenant.name)).all() == ["Initech"]


def test_overrides_set_a_relationship_and_clear_one(make_tenant_with_team, db_session):
    s = make_tenant_with_team(users={2: {"manager": None}})
    assert s.users[2].manager is None
    # A second set of rows in the same test: unique values need other values.
    other = make_tenant_with_team(
        "no_grants",
        acme={"name": "Other"},
        users={
            "full_name": "Other user",
            0: {"email": "a@other.test"},
            1: {"email": "b@other.test"},
            -1: {"email": "c@other.test"},
        },
    )
    assert [u.email for u in other.users] == ["a@other.test", "b@other.test", "c@other.test"]
    assert count(db_session, Tenant) == 2


def test_overrides_with_a_variant(make_tenant_with_team, db_session):
    s = make_tenant_with_team("inactive_users", users={0: {"is_active": True}})
    assert [u.is_active for u in s.users] == [True, False, False]


def test_an_unknown_label_is_named_with_the_closest(make_tenant_with_team, db_session):
    with pytest.raises(LookupError, match='tenant_with_team has no label "user"; did you mean "users"'):
        make_tenant_with_team(user={"is_active": False})
    assert count(db_session, Tenant) == 0


def test_an_unknown_attribute_is_named_with_the_closest(make_tenant_with_team):
    with pytest.raises(LookupError, match='User has no attribute "active".*did you mean "is_active"'):
        make_tenant_with_team(users={"active": False})
    with pytest.raises(LookupError, match='User has no attribute "emial".*did you mean "email"'):
        make_tenant_with_team(users={0: {"emial": "x@y.test"}})


def test_a_value_of_the_wrong_type(make_tenant_with_team):
    with pytest.raises(TypeError, match=r"tenant_with_team.users.is_active takes bool, not str 'no'"):
        make_tenant_with_team(users={"is_active": "no"})
    with pytest.raises(TypeError, match="tenant_with_team.users.tenant takes a Tenant"):
        make_tenant_with_team(users={"tenant": "acme"})
    with pytest.raises(TypeError, match="tenant_with_team.acme.name is NOT NULL"):
        make_tenant_with_team(acme={"name": None})


def test_a_label_the_variant_removes(make_tenant_with_team):
    with pytest.raises(LookupError, match='variant "no_grants" of tenant_with_team does not create "grants"'):
        make_tenant_with_team("no_grants", grants={"permission": "x"})


def test_a_variant_of_a_scenario_that_extends_another(with_teams__unfunded, db_session):
    assert with_teams__unfunded.engineering.budget == decimal.Decimal("0.00")
    assert with_teams__unfunded.engineering.settings == {"frozen": True}
    assert len(with_teams__unfunded.grants) == 6


def test_overrides_reach_the_extended_scenario(make_with_teams, db_session):
    s = make_with_teams(acme={"name": "Hooli"}, engineering={"name": "Platform"})
    assert s.acme.name == "Hooli"
    assert s.engineering.name == "Platform"
    assert s.engineering.members == [s.users[0], s.users[1]]
    assert count(db_session, Team) == 1
    with pytest.raises(LookupError, match='with_teams has no label "enginering"'):
        make_with_teams(enginering={"name": "x"})
