"""Tests of the sample CRM that use the generated fixtures, as a user's tests would."""

import pytest

from generated.team_budget import ACCEPTED_EDGE_CASES, EDGE_CASES
from generated.tenant_with_team import EDGE_CASES as TEAM_CASES

RAN = []


def test_a_team_has_a_budget_and_two_members(team_budget):
    assert team_budget.engineering.budget > 0
    assert {u.email for u in team_budget.engineering.members} == {
        "lead@globex.test",
        "engineer@globex.test",
    }


def test_every_edge_case_of_the_team(team_budget_edge_cases, request):
    """Runs once per derived edge case (`edge_cases: auto`), e.g. [engineer.manager=None]."""
    case = request.node.callspec.params["team_budget_edge_cases"]
    RAN.append(case)
    team = team_budget_edge_cases
    # A zero-children case leaves labels out (`{label: None}`): their rows are not in the database.
    left_out = {label for label, changes in EDGE_CASES[case].items() if changes is None}
    if "engineering" not in left_out:
        assert team.engineering.tenant is team.globex
    if "engineer" not in left_out:
        assert team.engineer.tenant_id == team.globex.id


def test_it_ran_once_per_case():
    assert RAN == ACCEPTED_EDGE_CASES
    assert len(ACCEPTED_EDGE_CASES) == 38


@pytest.mark.parametrize(
    "tenant_with_team_edge_cases", ["acme.users=[]"], indirect=True
)
def test_a_tenant_without_users(tenant_with_team_edge_cases, db_session):
    # Users hold their tenant by a NOT NULL key: the case leaves them out, and their grants.
    assert TEAM_CASES["acme.users=[]"] == {"users": None, "grants": None}
    acme = tenant_with_team_edge_cases.acme
    db_session.expire(acme, ["users", "roles"])
    assert acme.users == []
    assert len(acme.roles) == 2


@pytest.mark.parametrize(
    "tenant_with_team_edge_cases", ["users[0].grants=[]"], indirect=True
)
def test_the_first_user_without_grants(tenant_with_team_edge_cases, db_session):
    # Grants hold their user by a NOT NULL key (`@users[i % 3]`): the case leaves out the
    # first user's grants only (0, 3, 6 and 9); the other users keep theirs.
    assert TEAM_CASES["users[0].grants=[]"] == {
        "grants": {0: None, 3: None, 6: None, 9: None}
    }
    first, *others = tenant_with_team_edge_cases.users
    # The fixture holds the grants kept, as a variant would.
    assert len(tenant_with_team_edge_cases.grants) == 6
    assert first not in {grant.user for grant in tenant_with_team_edge_cases.grants}
    db_session.expire_all()
    assert first.grants == []
    assert [len(user.grants) for user in others] == [3, 3]


def test_inactive_users(make_tenant_with_team):
    team = make_tenant_with_team(users={"is_active": False})
    assert not any(u.is_active for u in team.users)


def test_leave_labels_out_by_overrides(make_tenant_with_team, db_session):
    team = make_tenant_with_team(users=None, grants=None)
    db_session.expire(team.acme, ["users"])
    assert team.acme.users == []
    assert len(team.roles) == 2
