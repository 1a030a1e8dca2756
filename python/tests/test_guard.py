"""guard: what the allow-list accepts, and one test per diagnostic code and position."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sample_package as sp
from conftest import REPO, Helper
from guard_params import CONTRACT, catalog_params

from fixturegen_helper.guard import guard

GENERATED = (REPO / "generated" / "tenant_with_team.py").read_text()


@pytest.fixture(scope="module")
def params() -> dict[str, Any]:
    return catalog_params(["crm.models"])


@pytest.fixture
def check(params):
    def run(source: str, **overrides: Any) -> list[dict[str, Any]]:
        return guard({**params, "source": source, **overrides})["diagnostics"]

    return run


def codes(diagnostics: list[dict[str, Any]]) -> list[str]:
    return [d["code"] for d in diagnostics]


def at(source: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of `needle` (of its `|` when it has one)."""
    before, _, after = needle.rpartition("|")
    for n, line in enumerate(source.splitlines(), 1):
        if before + after in line:
            return n, line.index(before + after) + len(before) + 1
    raise AssertionError(needle)


def where(d: dict[str, Any]) -> tuple[int, int]:
    return d["line"], d["column"]


def body(extra: str) -> str:
    """The repo's generated module with statements added before its final flush."""
    return GENERATED.replace("    session.flush()\n", extra + "    session.flush()\n", 1)


def test_builtin_and_hand_written_modules_pass(check) -> None:
    assert check(GENERATED) == []
    assert check(sp.SCENARIO) == []
    team = (REPO / "generated" / "team_budget.py").read_text()
    contract = {"className": "TeamBudget", "createName": "create_team_budget", "fixtureName": "team_budget"}
    assert check(team, contract=contract) == []


def test_idioms_inside_the_subset_pass(check) -> None:
    source = body(
        "    names: list[str] = []\n"
        "    for k in range(2):\n"
        '        names.append(f"n{k:03d}")\n'
        "    first = users[0] if users else None\n"
        "    if first is not None:\n"
        '        first.full_name = "First " + names[0].encode().decode() if False else "First"\n'
        "    acme.users.extend([u for u in users if u.email])\n"
        '    stamp = datetime.datetime.fromisoformat("2024-05-01T00:00:00")\n'
        "    when = datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc)\n"
        '    plan = Plan["pro"] if Plan.pro else Plan("free")\n'
        "    session.add_all([acme, *users])\n"
    )
    [d] = check(source)
    assert d["code"] == "FG403" and "calling 'names[0].encode().decode' is not allowed" in d["message"]


def test_a_label_may_share_the_scenario_name(check) -> None:
    # The builtin generator names a label's variable after the label, also when it is the fixture's name.
    assert check(body("    tenant_with_team = acme\n")) == []
    assert codes(check(body("    create_tenant_with_team = acme\n"))) == ["FG409"]


def test_fg401_syntax_error(check) -> None:
    source = GENERATED.replace("def create_tenant_with_team(\n", "def create_tenant_with_team((\n")
    [d] = check(source)
    assert d["code"] == "FG401" and d["message"].startswith("syntax error")
    assert d["line"] == at(source, "def create_tenant_with_team(")[0]


@pytest.mark.parametrize(
    "line, what",
    [
        ("import requests", "`import requests`"),
        ("import datetime as dt", "`import datetime as dt`"),
        ("from collections import OrderedDict", "`from collections import OrderedDict`"),
        ("from sqlalchemy.orm import Session", "`from sqlalchemy.orm import Session`"),
        ("from generated.other import Other", "`from generated.other import Other`"),
        ("from crm.models import Base", "`from crm.models import Base`"),
        ("from os import *", "`from os import *`"),
        ("import enum", "`import enum`"),
        ("from __future__ import barry_as_FLUFL", "`from __future__` of anything but annotations"),
    ],
)
def test_fg402_imports_outside_the_allow_list(check, line: str, what: str) -> None:
    source = GENERATED.replace("import pytest\n", f"import pytest\n{line}\n")
    [d] = check(source)
    assert d["code"] == "FG402" and where(d) == (at(source, line)[0], 1)
    assert d["message"].startswith(f"{what} is not allowed; fixture code may import only: ")
    assert "`from decimal import Decimal`" in d["message"]


@pytest.mark.parametrize(
    "statement, needle, message",
    [
        ("open('x')", "open", "calling 'open' is not allowed; fixture code may call only the model classes"),
        ("getattr(acme, 'name')", "getattr", "calling 'getattr' is not allowed"),
        ("leak = [vars]", "vars", "'vars' is not a name fixture code may use"),
        ("session.execute(None)", "session.execute", "calling 'session.execute' is not allowed"),
        ("session.commit()", "session.commit", "calling 'session.commit' is not allowed"),
        ("leak = acme.__class__", "acme.__class__", "'__class__': names beginning with `_` are not allowed"),
        ("leak = 'a{}'.format(acme)", "'a{}'.format", "string method 'format' is not allowed"),
        ("leak = datetime.sys", "datetime.sys", "'datetime.sys' is not allowed here; attributes may be read"),
        ("leak = datetime.datetime.now()", "datetime.datetime.now", "calling 'datetime.datetime.now'"),
        ("leak = Tenant.metadata", "Tenant.metadata", "'Tenant.metadata' is not allowed here"),
        ("leak = Tenant", "leak = |Tenant", "'Tenant' may only be called here, not used as a value"),
        ("leak = pytest.skip", "pytest.skip", "'pytest.skip' is not allowed here"),
        ("_hidden = 1", "_hidden", "'_hidden': names beginning with `_` are not allowed"),
        ("leak = Tenant(_sa_instance_state=None)", "_sa_instance_state", "'_sa_instance_state': names"),
    ],
)
def test_fg403_names_calls_and_attributes_outside_the_allow_list(check, statement, needle, message) -> None:
    source = body(f"    {statement}\n")
    found = check(source)
    assert codes(found) == ["FG403"], found
    assert where(found[0]) == at(source, needle)
    assert message in found[0]["message"]


def test_fg403_a_variable_of_two_kinds_has_no_attributes(check) -> None:
    # Flow-insensitive: `x` is a Tenant in one binding and a string in another, so neither's attributes.
    source = body('    x = acme\n    if users:\n        x = "{0.__class__}"\n    leak = x.name\n')
    [d] = check(source)
    assert d["code"] == "FG403" and where(d) == at(source, "x.name")


def test_fg404_unknown_constructor_keyword(check) -> None:
    source = GENERATED.replace('email=f"user{i + 1}@acme.test"', 'emial=f"user{i + 1}@acme.test"')
    [d] = check(source)
    assert d["code"] == "FG404" and where(d) == at(source, "emial=")
    assert "User() has no mapped attribute 'emial'" in d["message"] and d["hint"] == 'did you mean "email"?'


def test_fg404_hint_ranks_by_similarity_and_hides_internal_names(check, params) -> None:
    # The scenario checks (FG203) give the same hint for the same typo: one algorithm, one shape.
    models = {**params["models"]}
    user = models["crm.models.User"]
    models["crm.models.User"] = {**user, "attributes": sorted([*user["attributes"], "_sentinel"])}
    source = GENERATED.replace('email=f"user{i + 1}@acme.test"', "active=True, sentinel=1")
    found = check(source, models=models)
    assert codes(found) == ["FG404", "FG404"]
    assert found[0]["hint"] == 'did you mean "is_active"?'
    assert found[1]["hint"].startswith("mapped attributes of crm.models.User: ")
    assert "_sentinel" not in found[1]["hint"]


def test_fg405_unknown_attribute_of_a_model_instance(check) -> None:
    source = body("    acme.nmae = 'x'\n    for i in range(3):\n        users[i].is_activ = False\n")
    found = check(source)
    assert codes(found) == ["FG405", "FG405"]
    assert "Tenant instances have no attribute 'nmae'" in found[0]["message"]
    assert found[0]["hint"] == 'did you mean "name"?'
    assert where(found[1]) == at(source, "users[i].is_activ")


def test_edge_case_tables_hold_only_data(check) -> None:
    assert check(GENERATED) == []
    source = GENERATED.replace(
        "EDGE_CASES = {\n", 'EDGE_CASES = {\n    "x": {"acme": {"name": open("/etc/passwd").read()}},\n', 1
    )
    found = check(source)
    assert codes(found) == ["FG408"] and "EDGE_CASES may hold only data" in found[0]["message"]
    source = GENERATED.replace("overrides=EDGE_CASES[request.param])", "overrides=EDGE_CASES[request.param], x=1)")
    found = check(source)
    assert codes(found) == ["FG408"] and "edge-case fixture as fixturegen writes it" in found[0]["message"]
    source = GENERATED.replace("if case not in REFUSED_EDGE_CASES]", "if print(case) or True]")
    assert codes(check(source)) == ["FG408"]


def test_the_edge_fixture_returns_only_the_rows_kept_through_the_package(check) -> None:
    wrapped = (
        "    return without_left_out(\n"
        "        create_tenant_with_team(db_session, overrides=EDGE_CASES[request.param]),\n"
        "        EDGE_CASES[request.param],\n"
        "    )\n"
    )
    assert wrapped in GENERATED and "    without_left_out,\n" in GENERATED
    # Without the wrapper (a scenario none of whose cases leaves rows out) it is accepted too.
    plain = "    return create_tenant_with_team(db_session, overrides=EDGE_CASES[request.param])\n"
    assert check(GENERATED.replace(wrapped, plain)) == []
    # Another wrapper, or other overrides handed to it, is not the fixture fixturegen writes.
    for source in (
        GENERATED.replace("return without_left_out(", "return list(", 1),
        GENERATED.replace("        EDGE_CASES[request.param],\n    )", "        {},\n    )", 1),
    ):
        found = check(source)
        assert "FG408" in codes(found) and any("edge-case fixture" in d["message"] for d in found), found


def test_fg406_missing_contract_names(check) -> None:
    source = (
        GENERATED.replace("@dataclasses.dataclass(frozen=True)", "@dataclasses.dataclass")
        .replace("@pytest.fixture\n", "")
        .replace("def create_tenant_with_team(", "def create_it(")
    )
    found = [d for d in check(source) if d["code"] == "FG406"]
    messages = " | ".join(d["message"] for d in found)
    assert len(found) == 4
    assert "def create_tenant_with_team(session)" in messages
    assert "make_tenant_with_team() must be decorated with @pytest.fixture" in messages
    assert "class TenantWithTeam must be a frozen dataclass" in messages
    assert "tenant_with_team() must be decorated with @pytest.fixture" in messages
    found = check(GENERATED, contract={**CONTRACT, "sessionFixture": "session"})
    # The edge-case fixture takes db_session, which is not the contract's shape any more.
    edge = [d for d in found if "edge-case fixture" in d["message"]]
    assert codes(edge) == ["FG408"] and "tenant_with_team_edge_cases()" in edge[0]["message"]
    found = [d for d in found if d not in edge]
    # The fixture and make_tenant_with_team each.
    assert codes(found) == ["FG406", "FG408"] * 2 and "parameter named 'session'" in found[0]["message"]


@pytest.mark.parametrize(
    "old, new, needle, message",
    [
        ("@pytest.fixture\n", "@pytest.fixture(autouse=True)\n", "pytest.fixture(autouse", "is @pytest.fixture, bare or with scope="),
        ("def tenant_with_team(db_session)", "def tenant_with_team(db_session, tmp_path)", "tmp_path",
         "may take only these parameters: db_session"),
        ("\n\n@pytest.fixture\n", "\n\npytest_plugins = ['os']\n\n\n@pytest.fixture\n", "pytest_plugins", "`pytest_plugins`"),
        ("\n\n@pytest.fixture\n", "\n\ndef pytest_runtest_makereport(item, call):\n    pass\n\n\n@pytest.fixture\n",
         "def pytest_runtest", "pytest hooks"),
        ("\n\n@pytest.fixture\n", "\n\ndef helper():\n    pass\n\n\n@pytest.fixture\n", "def helper", "not part of the contract"),
        ("class TenantWithTeam:", "class TenantWithTeam(Tenant):", "Tenant)", "takes no base class"),
        ("import pytest\n", "import pytest\nfrom crm.models import User as list\n", "from crm.models import User as",
         "shadow Python's built-in"),
        ("import pytest\n", "import pytest\nfrom crm.models import User\n", "from crm.models import PermissionGrant",
         "defined twice"),
    ],
)  # fmt: skip
def test_fg408_top_level_outside_the_contract(check, old, new, needle, message) -> None:
    source = GENERATED.replace(old, new, 1)
    assert source != GENERATED
    found = check(source)
    assert "FG408" in codes(found), found
    d = next(d for d in found if d["code"] == "FG408")
    assert where(d)[0] == at(source, needle)[0] and message in d["message"]


@pytest.mark.parametrize(
    "statement, needle, message",
    [
        ("leak = (lambda: 1)()", "lambda: 1", "lambdas"),
        ("if (n := 1):\n        pass", "n := 1", "assignment expressions"),
        ("while False:\n        pass", "while", "`while` loops"),
        ("with session:\n        pass", "with session", "`with` statements"),
        ("try:\n        pass\n    except Exception:\n        pass", "try", "`try` statements"),
        ("del acme", "del acme", "`del`"),
        ("assert acme", "assert", "`assert`"),
        ("global Tenant", "global", "`global`"),
        ("import os", "import os", "imports inside a function"),
        ("for user in users:\n        pass", "in |users:", "may only run over `range(...)`"),
        ("session.add_all(*[users])", "*[users]", "`*` unpacking of call arguments"),
        ("leak = Tenant(**{'name': 'x'})", "{'name'", "`**` unpacking"),
        ("users[0] = acme", "users[0]", "assign to a name or a mapped attribute only"),
        ("range = 3", "range = 3", "'range' is already a name"),
        ("session = None", "session = None", "holds the session"),
    ],
)
def test_fg409_statements_and_expressions_outside_the_subset(check, statement, needle, message) -> None:
    source = body(f"    {statement}\n")
    found = check(source)
    assert any(d["code"] == "FG409" and where(d) == at(source, needle) and message in d["message"] for d in found), (
        found
    )


def test_fg409_defaults_and_annotations_that_would_run(check) -> None:
    source = GENERATED.replace("    session,\n", "    session,\n    extra=print(),\n", 1).replace(
        "acme: Tenant", "acme: print()"
    )
    found = check(source)
    assert ("FG409", at(source, "extra=|print(),")) in [(d["code"], where(d)) for d in found]
    assert ("FG409", at(source, "acme: |print()")) in [(d["code"], where(d)) for d in found]


def test_nesting_past_the_recursion_limit_is_rejected_not_a_crash(check) -> None:
    deep = GENERATED.replace('name="Acme Corp"', "name=" + " + ".join(['"a"'] * 20000))
    [d] = check(deep)
    assert (d["code"], d["line"], d["column"]) == ("FG409", 1, 1) and "too deeply" in d["message"]


def test_extended_scenarios_their_imports_fields_and_parameters(check, params) -> None:
    parents = [
        {
            "name": "team_budget",
            "className": "TeamBudget",
            "direct": True,
            "labels": [{"label": "globex", "model": "crm.models.Tenant", "list": False}],
        }
    ]
    source = (
        GENERATED.replace("import pytest\n", "import pytest\n\nfrom generated.team_budget import TeamBudget, create_team_budget\n")
        .replace("def create_tenant_with_team(\n    session,\n", "def create_tenant_with_team(\n    session,\n    team_budget: TeamBudget | None = None,\n")
        .replace('    acme = Tenant(\n', "    if team_budget is None:\n        team_budget = create_team_budget(session)\n"
                 "    other = team_budget.globex\n    other.name = 'x'\n    copy = TeamBudget(globex=team_budget.globex)\n    acme = Tenant(\n")
        .replace("def tenant_with_team(db_session)", "def tenant_with_team(db_session, team_budget)")
        .replace("tenant_with_team_edge_cases(request, db_session)", "tenant_with_team_edge_cases(request, db_session, team_budget)")
        .replace("create_tenant_with_team(db_session, overrides=", "create_tenant_with_team(db_session, team_budget=team_budget, overrides=")
    )  # fmt: skip
    assert check(source, parents=parents) == []
    found = check(source.replace("team_budget.globex)", "team_budget.secret)"), parents=parents)
    assert codes(found) == ["FG403"] and "'secret'" in found[0]["message"]
    found = check(source.replace("TeamBudget(globex=", "TeamBudget(glob="), parents=parents)
    assert codes(found) == ["FG404"] and "has no field 'glob'" in found[0]["message"]
    found = codes(check(source))  # no such parent: neither its import nor its parameters
    assert found[0] == "FG402" and found.count("FG408") == 3  # the fixture, the edge-case fixture


def test_guard_over_the_protocol(helper: Helper, params) -> None:
    result = helper.result("guard", {**params, "source": "import socket\n", "contract": None})
    [d] = result["diagnostics"]
    assert (d["code"], d["line"], d["column"]) == ("FG402", 1, 1)
    assert d["message"].startswith("`import socket` is not allowed; fixture code may import only: ")


def test_escape_corpus_is_next_door() -> None:
    assert (Path(__file__).parent / "escapes" / "clean.py").exists()


LOOKUP_MODELS = {
    "dyn.models.Color": {
        "className": "Color",
        "module": "dyn.models",
        "attributes": ["id", "name"],
        "access": {"via": "declarative", "module": "dyn.models", "name": "Base", "key": "dyn.models.Color"},
    },
}
LOOKUP_CONTRACT = {"className": "Palette", "createName": "create_palette", "fixtureName": "palette"}
LOOKUP_MODULE = """from __future__ import annotations

import dataclasses

import pytest

from dyn.models import Base

Color = next(
    mapper.class_
    for mapper in Base.registry.mappers
    if f"{mapper.class_.__module__}.{mapper.class_.__qualname__}" == "dyn.models.Color"
)


@dataclasses.dataclass(frozen=True)
class Palette:
    red: Color


def create_palette(session) -> Palette:
    red = Color(name="red")
    session.add(red)
    session.flush()
    return Palette(red=red)


@pytest.fixture
def palette(db_session) -> Palette:
    return create_palette(db_session)
"""


def lookup_check(source: str) -> list[dict[str, Any]]:
    params = {"source": source, "allowedModules": ["dyn.models"], "models": LOOKUP_MODELS, "contract": LOOKUP_CONTRACT}
    return guard(params)["diagnostics"]


def test_a_class_reached_through_its_mapper_registry_passes_in_the_builtin_shape_only() -> None:
    assert lookup_check(LOOKUP_MODULE) == []
    # Another key, another expression, or the base used for anything else is outside the subset.
    other_key = LOOKUP_MODULE.replace('== "dyn.models.Color"', '== "dyn.models.Secret"')
    assert codes(lookup_check(other_key)) != []
    other_shape = LOOKUP_MODULE.replace("mapper.class_\n    for", "mapper.class_.__init__\n    for")
    assert codes(lookup_check(other_shape)) != []
    misuse = LOOKUP_MODULE.replace(
        '    red = Color(name="red")\n', '    Base.metadata.drop_all(session.get_bind())\n    red = Color(name="red")\n'
    )
    assert "FG403" in codes(lookup_check(misuse))


def test_enum_member_values_and_enums_nested_in_a_model_class() -> None:
    models = {
        "ledger.models.Entry": {"className": "Entry", "module": "ledger.models", "attributes": ["id", "side", "tier"]}
    }
    enums = [
        {"module": "ledger.models", "name": "Entry.Side", "members": ["DEBIT", "CREDIT"]},
        {"module": "ledger.models", "name": "Tier", "members": ["GOLD"]},
    ]
    source = LOOKUP_MODULE.replace("from dyn.models import Base", "from ledger.models import Entry, Tier")
    source = source[: source.index("Color = next(")] + source[source.index("@dataclasses") :]
    source = source.replace("red: Color", "red: Entry").replace(
        'red = Color(name="red")', "red = Entry(side=(Entry.Side.DEBIT, Entry.Side.CREDIT)[0], tier=Tier.GOLD.value)"
    )
    params = {
        "source": source,
        "allowedModules": ["ledger.models"],
        "models": models,
        "enums": enums,
        "contract": LOOKUP_CONTRACT,
    }
    assert guard(params)["diagnostics"] == []
    for bad in ("Entry.Side.DEBIT.__class__", "Entry.Secret.DEBIT", "Tier.GOLD.value.__class__", "Entry.metadata"):
        found = guard({**params, "source": source.replace("Tier.GOLD.value)", f"{bad})")})["diagnostics"]
        assert found and {d["code"] for d in found} <= {"FG403"}, bad


VARIANTS_MODULE = (REPO / "test" / "cases" / "variants" / "expected" / "generated" / "tenant_with_team.py").read_text()
VARIANTS_CONTRACT = {**CONTRACT, "variants": ["inactive_users", "big_team", "no_grants"]}


def test_variants_the_factory_and_the_package_functions_pass(check) -> None:
    assert check(VARIANTS_MODULE, contract=VARIANTS_CONTRACT) == []
    # Variants the contract does not name are outside it: their create functions and fixtures.
    found = check(VARIANTS_MODULE)
    assert codes(found).count("FG408") == 6
    assert "create_tenant_with_team__big_team" in " ".join(d["message"] for d in found)


def test_a_missing_variant_function_or_fixture_is_fg414(check) -> None:
    start = VARIANTS_MODULE.index("def create_tenant_with_team__big_team(")
    end = VARIANTS_MODULE.index("def create_tenant_with_team__no_grants(")
    source = VARIANTS_MODULE[:start] + VARIANTS_MODULE[end:]
    source = source.replace("def tenant_with_team__no_grants(", "def tenant_with_team_no_grants(")
    found = [d for d in check(source, contract=VARIANTS_CONTRACT) if d["code"] == "FG414"]
    assert [d["message"] for d in found] == [
        (
            'variant "big_team": the module must define `def create_tenant_with_team__big_team(session, '
            "overrides=None)`, which builds the variant's rows and which "
            '`create_tenant_with_team(session, variant="big_team")` returns'
        ),
        (
            'variant "no_grants": the module must define the fixture `def tenant_with_team__no_grants(db_session)` '
            'returning `create_tenant_with_team(db_session, variant="no_grants")`'
        ),
    ]
    # At the base's create function and fixture, where the model reads what is around it.
    assert [d["line"] for d in found] == [
        at(source, "def |create_tenant_with_team(")[0],
        at(source, "def |tenant_with_team(db_session)")[0],
    ]
    # Without variants in the contract nothing is missing (the factory fixture is the smoke test's).
    assert "FG414" not in codes(check(GENERATED.replace("def make_tenant_with_team(", "def make_it(")))


@pytest.mark.parametrize(
    "line, code, needle",
    [
        ('    apply_overrides(overrides, "acme", Tenant)\n', "FG403", "'Tenant' may only be called here"),
        ('    apply_overrides(overrides, "acme", acme, extra=1)\n', "FG409", "positional arguments only"),
        ("    scenario_factory(create_team_budget, session)\n", "FG403", "'create_team_budget'"),
        ("    scenario_factory(*users)\n", "FG409", "`*` unpacking"),
        ("    check_scenario_call(TenantWithTeam, __name__, variant, {}, overrides)\n", "FG403", "'__name__'"),
    ],
)
def test_the_package_functions_take_only_fixture_values(check, line, code, needle) -> None:
    source = body(line).replace(
        "import pytest\n", "import pytest\n\nfrom generated.team_budget import create_team_budget\n"
    )
    found = [d for d in check(source) if d["code"] != "FG402"]
    assert [d["code"] for d in found] == [code], found
    assert needle in found[0]["message"]


def test_only_the_package_functions_come_from_the_package(check) -> None:
    source = GENERATED.replace("import pytest\n", "import pytest\n\nfrom generated import db_engine\n")
    [d] = check(source)
    assert d["code"] == "FG402" and "`from generated import db_engine`" in d["message"]


# The builtin bulk shape (bulk.ts): the rows as dicts, handed to insert_rows with the class, the
# overrides and the label.
BULK = GENERATED.replace(
    "    check_scenario_call,\n    scenario_factory,\n",
    "    check_scenario_call,\n    insert_rows,\n    scenario_factory,\n",
).replace(
    '    session.add_all(users)\n    apply_overrides(overrides, "users", users)\n',
    "    users = insert_rows(\n"
    "        session,\n"
    "        User,\n"
    '        [{"email": f"u{i}@acme.test", "tenant_id": acme.id} for i in range(3)],\n'
    "        overrides,\n"
    '        "users",\n'
    "    )\n",
)


def test_insert_rows_of_the_package_in_the_builtin_bulk_shape(check) -> None:
    assert "users = insert_rows(\n" in BULK and "    insert_rows,\n    scenario_factory,\n" in BULK
    assert check(BULK) == []
    # What it returns are instances of the class it took: attributes of its rows are checked.
    wrong = BULK.replace("            user=users[i % 3],\n", "            user=users[i % 3].nickname,\n")
    assert [d["code"] for d in check(wrong)] == ["FG405"]
    # The class is handed over by name there, and only there.
    assert check(BULK.replace("    return TenantWithTeam(", "    print(User)\n    return TenantWithTeam(", 1))


@pytest.mark.parametrize(
    "call",
    [
        "insert_rows(session, User, 5, overrides, 'users')",
        "insert_rows(acme, User, [], overrides, 'users')",
        "insert_rows(session, acme, [], overrides, 'users')",
        "insert_rows(session, User, [], overrides, users)",
        "insert_rows(session, User, [], overrides, 'users', extra=1)",
        "insert_rows(session, users)",
        "insert_rows(session)",
    ],
)
def test_insert_rows_takes_the_session_a_class_and_a_list_of_rows(check, call) -> None:
    end = '        "users",\n    )'
    old = BULK[BULK.index("users = insert_rows(\n") : BULK.index(end) + len(end)]
    source = BULK.replace(old, f"users = {call}")
    found = [d for d in check(source) if d["code"] == "FG403" and "insert_rows takes" in d["message"]]
    assert len(found) == 1, check(source)
    assert where(found[0]) == at(source, f"users = |{call}")
