"""Value parity: every value the scenario wrote, checked on every instance (verify.parity), alone
and through a real verification of the sample package."""

from __future__ import annotations

import datetime
import decimal
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
import sample_package as sp
from conftest import Helper

from fixturegen_helper.verify import parity

SMOKE = "test_fixturegen_smoke.py::test_fixturegen_scenario[tenant_with_team]"


def lit(kind: str, **fields: Any) -> dict[str, Any]:
    return {"kind": "literal", "value": {"kind": kind, **fields}}


def interp(*parts: Any, convert: str = "string") -> dict[str, Any]:
    return {
        "kind": "interpolate",
        "parts": list(parts),
        "convert": convert,
        "enumModule": None,
        "enumClass": None,
        "enumAsValue": False,
    }


@pytest.mark.parametrize(
    ("spec", "i", "expected"),
    [
        (lit("none"), 0, None),
        (lit("bool", value=False), 0, False),
        (lit("int", value="123456789012345678901234567890"), 0, 123456789012345678901234567890),
        (lit("float", value="0.1"), 0, 0.1),
        (lit("decimal", value="1234.50"), 0, decimal.Decimal("1234.50")),
        (lit("bytes", value="héllo"), 0, "héllo".encode()),
        (lit("date", year=2024, month=5, day=1), 0, datetime.date(2024, 5, 1)),
        (
            lit("datetime", iso="", parts=[2024, 5, 1, 9, 30, 0, 0], offsetMinutes=120),
            0,
            datetime.datetime(2024, 5, 1, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
        ),
        (
            lit("datetime", iso="", parts=[2024, 5, 1, 9, 30, 0, 0], offsetMinutes=None),
            0,
            datetime.datetime(2024, 5, 1, 9, 30),
        ),
        (lit("time", parts=[9, 30, 0, 0]), 0, datetime.time(9, 30)),
        (lit("interval", seconds="90"), 0, datetime.timedelta(seconds=90)),
        (lit("interval", seconds="1.5"), 0, datetime.timedelta(seconds=1.5)),
        (
            lit("uuid", value="12345678-1234-5678-1234-567812345678"),
            0,
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
        ),
        (lit("enum", enumModule=None, enumClass=None, member="pro"), 0, "pro"),
        (lit("json", value={"a": [1, 2]}), 0, {"a": [1, 2]}),
        (lit("list", items=[{"kind": "int", "value": "1"}, {"kind": "str", "value": "x"}]), 0, [1, "x"]),
        (interp("user", {"var": "n"}, "@x.test"), 2, "user3@x.test"),
        (interp({"var": "i"}, convert="integer"), 4, 4),
        (interp("2024-05-0", {"var": "n"}, convert="date"), 1, datetime.date(2024, 5, 2)),
        (interp("yes", convert="boolean"), 0, True),
        ({"kind": "cycle", "items": [lit("str", value="a"), lit("str", value="b")]}, 3, "b"),
    ],
)
def test_expected_values(spec: dict[str, Any], i: int, expected: Any) -> None:
    got = parity.expected_value(spec, i)
    assert got == expected and type(got) is type(expected)


def test_an_enum_member_is_imported_from_its_module() -> None:
    spec = lit("enum", enumModule="crm.models", enumClass="Plan", member="pro")
    member = parity.expected_value(spec, 0)
    assert type(member).__name__ == "Plan" and type(member).__module__ == "crm.models"
    assert member.name == "pro"
    spec = lit("enum", enumModule="crm.models", enumClass="Plan", member="pro", asValue=True)
    assert parity.expected_value(spec, 0) == "pro"


def test_same_is_strict_where_python_is_loose() -> None:
    assert not parity.same(1, True) and not parity.same(True, 1)
    assert parity.same(float("nan"), float("nan"))
    assert parity.same(decimal.Decimal("1234.5"), decimal.Decimal("1234.50"))
    naive = datetime.datetime(2024, 5, 1)
    assert not parity.same(naive.replace(tzinfo=datetime.timezone.utc), naive)


def check(values: list[dict[str, Any]], labels: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    parity.check_values(values, labels, problems.append)
    return problems


def test_every_instance_is_checked_and_named() -> None:
    users = [SimpleNamespace(email=f"user{k + 1}@acme.test") for k in range(5)]
    users[3].email = "u4@acme.test"
    values = [{"label": "users", "attribute": "email", "expect": interp("user", {"var": "n"}, "@acme.test")}]
    assert check(values, {"users": users}) == ["users[3].email is 'u4@acme.test', expected 'user4@acme.test'"]


def test_cycle_items_that_are_references_are_left_to_refs() -> None:
    spec = {"kind": "cycle", "items": [{"kind": "skip"}, lit("none")]}
    items = [SimpleNamespace(manager="someone"), SimpleNamespace(manager="x"), SimpleNamespace(manager="y")]
    assert check([{"label": "u", "attribute": "manager", "expect": spec}], {"u": items}) == [
        "u[1].manager is 'x', expected None"
    ]


def test_many_wrong_instances_are_summarized() -> None:
    items = [SimpleNamespace(n=0) for _ in range(10)]
    spec = interp({"var": "i"}, convert="integer")
    problems = check([{"label": "xs", "attribute": "n", "expect": spec}], {"xs": items})
    assert problems == [
        "xs[1].n is 0, expected 1",
        "xs[2].n is 0, expected 2",
        "xs[3].n is 0, expected 3",
        "... xs.n is wrong for 6 more instance(s)",
    ]


def test_unreadable_attribute_and_missing_label() -> None:
    values = [
        {"label": "acme", "attribute": "nmae", "expect": lit("str", value="Acme")},
        {"label": "gone", "attribute": "x", "expect": lit("none")},
    ]
    [problem] = check(values, {"acme": SimpleNamespace(name="Acme")})
    assert problem.startswith("acme.nmae cannot be read: AttributeError")


def test_the_sample_package_passes_value_parity(helper: Helper) -> None:
    result = helper.result("verify", sp.verify_params("run"))
    assert result["ok"], result["output"]


def test_one_wrong_literal_fails_and_is_named(helper: Helper) -> None:
    scenario = sp.SCENARIO.replace('Tenant(name="Acme Corp"', 'Tenant(name="Acme Inc"', 1)
    assert scenario != sp.SCENARIO
    result = helper.result("verify", sp.verify_params("run", files=sp.files(scenario)))
    assert not result["ok"]
    [message] = [t["message"] for t in result["tests"] if t["nodeid"] == SMOKE]
    assert "acme.name is 'Acme Inc', expected 'Acme Corp'" in message


def test_interpolations_cycles_decimals_and_nulls_are_checked(helper: Helper) -> None:
    scenario = (
        sp.SCENARIO.replace(
            'email=f"user{i + 1}@acme.test", manager=boss)', 'email=f"u{i}@acme.test", manager=boss, full_name="X")'
        )
        .replace('["admin", "viewer"][i % 2]', '["viewer", "admin"][i % 2]')
        .replace('Decimal("1234.50")', 'Decimal("1234.51")')
    )
    assert scenario.count("u{i}") == 1
    result = helper.result("verify", sp.verify_params("run", files=sp.files(scenario)))
    [message] = [t["message"] for t in result["tests"] if t["nodeid"] == SMOKE]
    assert "users[0].email is 'u0@acme.test', expected 'user1@acme.test'" in message
    assert "users[2].full_name is 'X', expected None" in message
    assert "roles[0].name is 'viewer', expected 'admin'" in message
    assert "team.budget is Decimal('1234.51'), expected Decimal('1234.50')" in message
