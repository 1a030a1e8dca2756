"""verify: the smoke test's call of a scenario's factory (the `call` check of
`test_fixturegen_scenario`, FG415), sync and async: a module that does not refuse an unknown
variant or an unknown label fails it, and says which call it let through
(fixturegen_helper.verify.calls.refusal_calls). The check is reported as a result of its own,
naming it, beside the scenario check's when both fail."""

from __future__ import annotations

from typing import Any

import pytest
import sample_package as sp
from conftest import Helper
from test_async import ASYNC_INIT, asynchronous

SMOKE = "test_fixturegen_smoke.py::"
SCENARIO_TEST = SMOKE + "test_fixturegen_scenario[tenant_with_team]"

#: What the sample package's `__init__.py` adds for the factory call: the contract's runtime, as
#: small as the call test allows (the generated one also checks attributes and their types).
RUNTIME = """

import dataclasses


def check_scenario_call(scenario_class, scenario, variant, variants, overrides) -> None:
    if variant is not None and variant not in variants:
        raise LookupError(f'{scenario} has no variant "{variant}"')
    labels = [f.name for f in dataclasses.fields(scenario_class)]
    for label in overrides or {}:
        if label not in labels:
            raise LookupError(f'{scenario} has no label "{label}"')


def apply_overrides(overrides, label, value) -> None:
    changes = (overrides or {}).get(label) or {}
    for obj in value if isinstance(value, list) else [value]:
        for key, item in changes.items():
            setattr(obj, key, item)


def scenario_factory(create, session):
    def make(variant=None, overrides=None, **labels):
        return create(session, variant=variant, overrides={**(overrides or {}), **labels} or None)

    return make
"""

LABELS = ["acme", "boss", "users", "roles", "grants", "team"]


def with_call(scenario: str) -> str:
    """The sample scenario module with the call contract: `create_<name>(session, variant,
    overrides)` checks its call and applies each label's overrides; `make_<name>` is its factory."""
    applied = "".join(f'    apply_overrides(overrides, "{label}", {label})\n' for label in LABELS)
    out = (
        scenario.replace(
            "from crm.models import",
            "from generated import apply_overrides, check_scenario_call, scenario_factory\nfrom crm.models import",
            1,
        )
        .replace(
            "def create_tenant_with_team(session) -> TenantWithTeam:\n",
            "def create_tenant_with_team(session, variant=None, overrides=None) -> TenantWithTeam:\n"
            '    check_scenario_call(TenantWithTeam, "tenant_with_team", variant, {}, overrides)\n',
            1,
        )
        .replace("    session.add_all(", applied + "    session.add_all(", 1)
    )
    out += (
        "\n\n@pytest.fixture\ndef make_tenant_with_team(db_session):\n"
        "    return scenario_factory(create_tenant_with_team, db_session)\n"
    )
    assert out.count("apply_overrides(overrides") == len(LABELS) and "check_scenario_call(Tenant" in out
    return out


SCENARIO = with_call(sp.SCENARIO)
CALL = {
    "module": "generated.tenant_with_team",
    "factory": "make_tenant_with_team",
    "entry": "create_tenant_with_team",
    "variant": None,
    "create": None,
    "labels": LABELS,
}

#: The package's runtime, broken in one way each: what the module's call lets through.
UNCHECKED_VARIANT = ("if variant is not None and variant not in variants:", "if False:")
UNCHECKED_LABEL = ("if label not in labels:", "if False:")
WRONG_ERROR = (
    """raise LookupError(f'{scenario} has no variant "{variant}"')""",
    """raise ValueError(f'{scenario} has no variant "{variant}"')""",
)


def params(mode: str, runtime: str = RUNTIME) -> dict[str, Any]:
    expectations = [{**sp.EXPECTATION, "call": CALL}]
    if mode == "sync":
        return sp.verify_params("run", files=sp.files(SCENARIO, sp.INIT + runtime), expectations=expectations)
    return sp.verify_params(
        "run",
        files=sp.files(asynchronous(SCENARIO), ASYNC_INIT + runtime),
        databaseUrl="sqlite+aiosqlite:///:memory:",
        expectations=expectations,
        **{"async": True},
    )


def broken(change: tuple[str, str]) -> str:
    old, new = change
    assert RUNTIME.count(old) == 1
    return RUNTIME.replace(old, new)


def outcomes(result: dict[str, Any]) -> dict[str, str]:
    """Each result's outcome, by its test's node id and, for a check other than the scenario's own,
    the check's name after it."""
    return {t["nodeid"] + (f" ({t['check']})" if "check" in t else ""): t["outcome"] for t in result["tests"]}


#: The factory call's check of the scenario's test, as `outcomes` names it.
CALL_CHECK = SCENARIO_TEST + " (call)"


def message_of(result: dict[str, Any]) -> str:
    return next(t["message"] for t in result["tests"] if t.get("check") == "call") or ""


MODES = ["sync", "async"]


@pytest.mark.parametrize("mode", MODES)
def test_a_module_that_refuses_both_passes(helper: Helper, mode: str) -> None:
    if mode == "async":
        # The factory fixture and the call are awaited: the conversion reached them.
        assert "async def make_tenant_with_team(" in asynchronous(SCENARIO)
    result = helper.result("verify", params(mode))
    assert result["ok"], result["output"]
    assert outcomes(result) == {
        SMOKE + "test_fixturegen_baseline": "passed",
        SCENARIO_TEST: "passed",
        SMOKE + "test_fixturegen_isolation": "passed",
    }


#: The scenario module without its flush: its rows clash with nothing, so a call let through
#: returns. (The fixture's own test fails for the missing flush; the call test still checks.)
UNFLUSHED = SCENARIO.replace("    session.flush()\n", "", 1)

#: (what the runtime lets through, the scenario module, what the call test says, what it does not
#: say: the first call let through ends the checks).
LET_THROUGH = {
    # The base's rows a second time: the tenant's unique name is refused at the flush.
    "unknown variant": (
        UNCHECKED_VARIANT,
        SCENARIO,
        (
            'make_tenant_with_team("fixturegen_no_such_variant") did not raise LookupError: it went on to create rows,'
            " which the database refused (IntegrityError); create_tenant_with_team must begin with"
            " check_scenario_call(...) exactly as the request writes it"
        ),
        "fixturegen_no_such_label",
    ),
    # The variant is refused (LookupError), so the label is tried next.
    "unknown label": (
        UNCHECKED_LABEL,
        SCENARIO,
        (
            "make_tenant_with_team(fixturegen_no_such_label={}) did not raise LookupError: it went on to create rows,"
            " which the database refused (IntegrityError)"
        ),
        "fixturegen_no_such_variant",
    ),
    "another error": (
        WRONG_ERROR,
        SCENARIO,
        (
            'make_tenant_with_team("fixturegen_no_such_variant") raised ValueError instead of LookupError:'
            ' tenant_with_team has no variant "fixturegen_no_such_variant"; create_tenant_with_team must begin with'
            " check_scenario_call(...)"
        ),
        "fixturegen_no_such_label",
    ),
    "nothing raised": (
        UNCHECKED_VARIANT,
        UNFLUSHED,
        (
            'make_tenant_with_team("fixturegen_no_such_variant") did not raise LookupError: it created rows;'
            " create_tenant_with_team must begin with check_scenario_call(...)"
        ),
        "fixturegen_no_such_label",
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(LET_THROUGH))
def test_a_call_let_through_fails_the_call_test(helper: Helper, mode: str, case: str) -> None:
    change, scenario, said, unsaid = LET_THROUGH[case]
    files = params(mode, broken(change))["files"]
    files["generated/tenant_with_team.py"] = asynchronous(scenario) if mode == "async" else scenario
    result = helper.result("verify", {**params(mode), "files": files})
    assert not result["ok"]
    assert outcomes(result)[CALL_CHECK] == "failed"
    # Only the missing flush fails the scenario check: then the test has two results, the scenario
    # check's first; else the call check's is its only one.
    assert (SCENARIO_TEST in outcomes(result)) is (scenario is UNFLUSHED)
    if scenario is UNFLUSHED:
        assert outcomes(result)[SCENARIO_TEST] == "failed"
        scenario_message = next(t["message"] for t in result["tests"] if t["nodeid"] == SCENARIO_TEST)
        assert "fixture tenant_with_team did not create what its scenario says:" in scenario_message
        assert "was not flushed" in scenario_message
    message = message_of(result)
    assert said in message
    assert unsaid not in message
