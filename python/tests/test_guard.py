"""guard: one test per diagnostic code, on variations of the hand-written sample module."""

from __future__ import annotations

from typing import Any

import pytest

import sample_package as sp
from conftest import Helper
from fixturegen_helper.guard import guard
from fixturegen_helper.introspect import introspect

CONTRACT = {
    "className": "TenantWithTeam",
    "createName": "create_tenant_with_team",
    "fixtureName": "tenant_with_team",
}


@pytest.fixture(scope="module")
def models() -> dict[str, Any]:
    catalog = introspect({"models": ["crm.models"]})
    return {
        m["qualname"]: {
            "className": m["name"],
            "module": m["module"],
            "attributes": sorted([c["key"] for c in m["columns"]] + [r["key"] for r in m["relationships"]]),
        }
        for m in catalog["models"]
    }


@pytest.fixture
def check(models):
    def run(source: str, **overrides: Any) -> list[dict[str, Any]]:
        params = {"source": source, "allowedModules": ["crm.models"], "models": models, "contract": CONTRACT}
        params.update(overrides)
        return guard(params)["diagnostics"]

    return run


def codes(diagnostics: list[dict[str, Any]]) -> list[str]:
    return [d["code"] for d in diagnostics]


def line_of(source: str, needle: str) -> int:
    return next(n for n, line in enumerate(source.splitlines(), 1) if needle in line)


def test_sample_module_is_clean(check) -> None:
    assert check(sp.SCENARIO) == []


def test_fg401_syntax_error(check) -> None:
    source = sp.SCENARIO.replace("def create_tenant_with_team(session)", "def create_tenant_with_team(session")
    [d] = check(source)
    assert d["code"] == "FG401" and d["message"].startswith("syntax error")
    assert d["line"] == line_of(source, "def create_tenant_with_team(") and d["column"] >= 1


def test_fg402_imports_outside_the_allow_list(check) -> None:
    source = sp.SCENARIO.replace(
        "import pytest\n",
        "import pytest\nimport requests\nfrom collections import OrderedDict\nimport collections.abc\n"
        "from sqlalchemy.orm import Session\nfrom generated.other import Other\nfrom . import sibling\n",
    )
    found = check(source)
    assert codes(found) == ["FG402", "FG402"]
    assert found[0]["line"] == line_of(source, "import requests") and found[0]["column"] == 1
    assert "'requests' is not allowed" in found[0]["message"] and "crm.models" in found[0]["message"]
    assert "'collections'" in found[1]["message"]


def test_fg403_names_reaching_the_outside_world(check) -> None:
    source = sp.SCENARIO.replace(
        "    session.flush()\n",
        "    session.flush()\n"
        "    data = open('/etc/passwd').read()\n"
        "    eval('1 + 1')\n"
        "    name = 'email'\n"
        "    getattr(boss, name)\n"
        "    getattr(boss, 'email')\n"
        "    (1).__class__.__subclasses__()\n",
    )
    found = check(source)
    assert codes(found) == ["FG403"] * 4
    assert "'open'" in found[0]["message"] and found[0]["line"] == line_of(source, "open(")
    assert found[0]["column"] == 12
    assert "'eval'" in found[1]["message"]
    assert "computed attribute name" in found[2]["message"]
    assert "__subclasses__" in found[3]["message"]


def test_fg403_os_even_when_imported(check) -> None:
    found = check("import os\nos.system('rm -rf /')\n", contract=None)
    assert codes(found) == ["FG402", "FG403"]
    assert (found[1]["line"], found[1]["column"]) == (2, 1)


def test_fg404_unknown_constructor_keyword(check) -> None:
    source = sp.SCENARIO.replace('full_name="The Boss"', 'fullname="The Boss"')
    [d] = check(source)
    assert d["code"] == "FG404"
    assert d["message"] == "User() has no mapped attribute 'fullname'"
    assert d["hint"] == 'did you mean "full_name"?'
    line = line_of(source, "fullname=")
    assert d["line"] == line and d["column"] == source.splitlines()[line - 1].index("fullname=") + 1


def test_fg404_through_module_alias(check) -> None:
    found = check("import crm.models as m\nt = m.Tenant(nmae='x', plan=None)\n", contract=None)
    assert codes(found) == ["FG404"] and found[0]["hint"] == 'did you mean "name"?'


def test_fg404_hint_ranks_by_similarity_and_hides_internal_names(check, models) -> None:
    models = {**models}
    user = models["crm.models.User"]
    models["crm.models.User"] = {**user, "attributes": sorted([*user["attributes"], "_sentinel"])}
    found = check("import crm.models as m\nm.User(active=True)\nm.User(sentinel=1)\n", contract=None, models=models)
    assert codes(found) == ["FG404", "FG404"]
    # The scenario checks (FG203) give the same hint for the same typo: one algorithm.
    assert found[0]["hint"] == 'did you mean "is_active"?'
    assert found[1]["hint"].startswith("mapped attributes of crm.models.User: ")
    assert "_sentinel" not in found[1]["hint"]


def test_fg405_unknown_attribute_of_a_model_instance(check) -> None:
    source = sp.SCENARIO.replace(
        "    session.flush()\n",
        "    boss.emial = 'x'\n"
        "    for user in users:\n"
        "        user.is_activ = False\n"
        "    grants[0].permision\n"
        "    team.members.append(boss)\n"
        "    boss.__tablename__\n"
        "    session.flush()\n",
    )
    found = check(source)
    assert codes(found) == ["FG405"] * 3
    assert found[0]["message"] == "User instances have no attribute 'emial'"
    assert found[0]["hint"] == 'did you mean "email"?'
    assert found[1]["hint"] == 'did you mean "is_active"?'
    assert found[2]["message"] == "PermissionGrant instances have no attribute 'permision'"


def test_fg406_missing_contract_names(check) -> None:
    source = sp.SCENARIO.replace("@dataclass(frozen=True)", "@dataclass").replace(
        "@pytest.fixture\n", ""
    ).replace("def create_tenant_with_team(", "def create_it(")
    found = check(source)
    assert codes(found) == ["FG406"] * 3
    messages = " | ".join(d["message"] for d in found)
    assert "def create_tenant_with_team(session)" in messages
    assert "class TenantWithTeam must be a frozen dataclass" in messages
    assert "tenant_with_team() must be decorated with @pytest.fixture" in messages


def test_fg406_fixture_must_take_the_session_fixture(check) -> None:
    assert check(sp.SCENARIO, contract={**CONTRACT, "sessionFixture": None}) == []
    [d] = check(sp.SCENARIO, contract={**CONTRACT, "sessionFixture": "session"})
    assert d["code"] == "FG406" and "parameter named 'session'" in d["message"]
    assert d["line"] == line_of(sp.SCENARIO, "def tenant_with_team(")


def test_guard_over_the_protocol(helper: Helper, models) -> None:
    result = helper.result(
        "guard",
        {"source": "import socket\n", "allowedModules": ["crm.models"], "models": models, "contract": None},
    )
    assert result == {
        "diagnostics": [
            {
                "code": "FG402",
                "message": "import of 'socket' is not allowed; generated code may import only: "
                "__future__, collections.abc, dataclasses, datetime, decimal, enum, json, typing, uuid, "
                "pytest, sqlalchemy, crm.models, generated",
                "line": 1,
                "column": 1,
            }
        ]
    }
