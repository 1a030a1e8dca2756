"""Tests of the sample CRM that use the generated fixtures, as a user's tests would."""

from generated.team_budget import ACCEPTED_EDGE_CASES

RAN = []


def test_a_team_has_a_budget_and_two_members(team_budget):
    assert team_budget.engineering.budget > 0
    assert {u.email for u in team_budget.engineering.members} == {
        "lead@globex.test",
        "engineer@globex.test",
    }


def test_every_edge_case_of_the_team(team_budget_edge_cases, request):
    """Runs once per derived edge case (`edge_cases: auto`), e.g. [engineer.manager=None]."""
    RAN.append(request.node.callspec.params["team_budget_edge_cases"])
    team = team_budget_edge_cases
    assert team.engineering.tenant is team.globex
    assert team.engineer.tenant_id == team.globex.id


def test_it_ran_once_per_case():
    assert RAN == ACCEPTED_EDGE_CASES


def test_inactive_users(make_tenant_with_team):
    team = make_tenant_with_team(users={"is_active": False})
    assert not any(u.is_active for u in team.users)
