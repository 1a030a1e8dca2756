"""verify: a hand-written candidate package through collect and run, and the ways it can fail."""

from __future__ import annotations

from typing import Any

import pytest
import sample_package as sp
from conftest import Helper

SMOKE = "test_fixturegen_smoke.py::"


def outcomes(result: dict[str, Any]) -> dict[str, str]:
    return {t["nodeid"]: t["outcome"] for t in result["tests"]}


def message_of(result: dict[str, Any], nodeid: str) -> str:
    return next(t["message"] for t in result["tests"] if t["nodeid"] == nodeid) or ""


def test_good_package_collects(helper: Helper) -> None:
    result = helper.result("verify", sp.verify_params("collect"))
    assert result["ok"], result["output"]
    assert result["exitCode"] == 0 and not result["timedOut"]
    assert outcomes(result) == {
        SMOKE + "test_fixturegen_baseline": "collected",
        SMOKE + "test_fixturegen_scenario[tenant_with_team]": "collected",
        SMOKE + "test_fixturegen_isolation": "collected",
    }
    assert "3 tests collected" in result["output"]


def test_good_package_runs(helper: Helper) -> None:
    result = helper.result("verify", sp.verify_params("run"))
    assert result["ok"], result["output"]
    assert set(outcomes(result).values()) == {"passed"} and len(result["tests"]) == 3
    assert result["exitCode"] == 0 and result["durationMs"] > 0
    assert "3 passed" in result["output"]


def test_two_users_instead_of_three_fails_with_specific_messages(helper: Helper) -> None:
    scenario = sp.SCENARIO.replace("for i in range(3)]", "for i in range(2)]", 1).replace(
        "users[i % 3]", "users[i % 2]"
    )
    result = helper.result("verify", sp.verify_params("run", files=sp.files(scenario)))
    assert not result["ok"] and result["exitCode"] == 1
    nodeid = SMOKE + "test_fixturegen_scenario[tenant_with_team]"
    assert outcomes(result)[nodeid] == "failed"
    message = message_of(result, nodeid)
    assert "users has 2 items, expected 3 crm.models.User" in message
    assert "expected 4 crm.models.User rows, found 3" in message
    assert "grants[2].user: cannot check the reference: users[i % 3] = users[2] (i = 2) is out of range" in message
    assert "grants[3].user is users[1] not users[0]" in message
    # the other tests are unaffected
    assert outcomes(result)[SMOKE + "test_fixturegen_isolation"] == "passed"


def test_wrong_references_are_named(helper: Helper) -> None:
    scenario = sp.SCENARIO.replace("manager=boss)", "manager=None)").replace(
        "    grants = [",
        '    users[1].tenant = Tenant(name="Other", created_on=datetime.date(2024, 1, 1))\n    grants = [',
    )
    result = helper.result("verify", sp.verify_params("run", files=sp.files(scenario)))
    message = message_of(result, SMOKE + "test_fixturegen_scenario[tenant_with_team]")
    assert "users[1].tenant is <Tenant 2> not acme" in message
    assert "users[1].tenant_id is 2, expected acme.id = 1" in message
    assert "users[0].manager is None not boss" in message
    assert "boss.reports is missing users[0], users[1], users[2]" in message
    assert "expected 1 crm.models.Tenant rows, found 2" in message


def test_database_error_points_into_the_candidate(helper: Helper) -> None:
    scenario = sp.SCENARIO.replace('name=["admin", "viewer"][i % 2]', 'name="admin"')
    result = helper.result("verify", sp.verify_params("run", files=sp.files(scenario)))
    message = message_of(result, SMOKE + "test_fixturegen_scenario[tenant_with_team]")
    assert message.startswith("sqlalchemy.exc.IntegrityError")
    assert "UNIQUE constraint failed: role.tenant_id, role.name" in message
    assert (
        "database: unique key (tenant_id, name) of table role; the row being inserted has (tenant_id, name)=(1, 'admin')"
        in message
    )
    assert "at generated/tenant_with_team.py:" in message and "in create_tenant_with_team" in message


def test_long_database_error_keeps_type_constraint_key_and_line(helper: Helper) -> None:
    """A failing batch of 400 rows: the parameter dump is long, yet the message starts with the
    exception and what the database said, and names the candidate's line (issue: only the end of
    the dump used to be kept)."""
    scenario = sp.SCENARIO.replace(
        'users = [User(tenant=acme, email=f"user{i + 1}@acme.test", manager=boss) for i in range(3)]',
        'users = [User(tenant=acme, email="same@acme.test", full_name="x" * 200, manager=boss) for i in range(400)]',
    )
    assert scenario != sp.SCENARIO
    result = helper.result("verify", sp.verify_params("run", files=sp.files(scenario)))
    message = message_of(result, SMOKE + "test_fixturegen_scenario[tenant_with_team]")
    assert message.startswith("sqlalchemy.exc.IntegrityError: (sqlite3.IntegrityError) UNIQUE constraint failed")
    assert "the row being inserted has (email)=('same@acme.test')" in message
    assert "at generated/tenant_with_team.py:" in message and "session.flush()" in message
    assert "[SQL: INSERT INTO user_account" in message
    assert len(message) <= 3000, message


def test_clip_keeps_head_and_tail() -> None:
    from fixturegen_helper.verify.failure import clip

    text = "HEAD" + "x" * 10_000 + "TAIL"
    clipped = clip(text, 300)
    assert len(clipped) <= 300
    assert clipped.startswith("HEAD") and clipped.endswith("TAIL")
    assert "characters left out" in clipped
    assert clip("short", 300) == "short"


def test_unflushed_rows_are_reported(helper: Helper) -> None:
    scenario = sp.SCENARIO.replace("    session.flush()\n", "")
    result = helper.result("verify", sp.verify_params("run", files=sp.files(scenario)))
    message = message_of(result, SMOKE + "test_fixturegen_scenario[tenant_with_team]")
    assert "acme was not flushed" in message


def test_leaking_session_fails_isolation(helper: Helper) -> None:
    init = sp.INIT.replace(
        "    connection = db_engine.connect()\n    transaction = connection.begin()\n"
        '    session = Session(bind=connection, join_transaction_mode="create_savepoint")\n'
        "    try:\n        yield session\n    finally:\n        session.close()\n"
        "        transaction.rollback()\n        connection.close()\n",
        "    session = Session(bind=db_engine)\n    yield session\n    session.commit()\n    session.close()\n",
    )
    assert init != sp.INIT
    result = helper.result("verify", sp.verify_params("run", files=sp.files(init=init)))
    assert outcomes(result)[SMOKE + "test_fixturegen_scenario[tenant_with_team]"] == "passed"
    assert outcomes(result)[SMOKE + "test_fixturegen_isolation"] == "failed"
    message = message_of(result, SMOKE + "test_fixturegen_isolation")
    assert "a new session sees 4 crm.models.User rows after the scenario tests, expected 0" in message


def test_syntax_error_fails_at_collect(helper: Helper) -> None:
    scenario = sp.SCENARIO.replace("def create_tenant_with_team(session)", "def create_tenant_with_team(session")
    result = helper.result("verify", sp.verify_params("collect", files=sp.files(scenario)))
    assert not result["ok"] and result["exitCode"] != 0 and not result["timedOut"]
    [test] = result["tests"]
    assert test["outcome"] == "error" and test["nodeid"] == "generated/tenant_with_team.py"
    assert "SyntaxError" in test["message"] and "line 24" in test["message"]
    assert "/tmp/" not in result["output"]  # paths are shown relative to the candidate folder


def test_import_error_names_the_candidate_file(helper: Helper) -> None:
    scenario = sp.SCENARIO.replace(
        "from crm.models import PermissionGrant,", "from crm.models import Nope, PermissionGrant,"
    )
    result = helper.result("verify", sp.verify_params("collect", files=sp.files(scenario)))
    [test] = result["tests"]
    assert test["outcome"] == "error" and test["nodeid"] == "generated/tenant_with_team.py"
    assert "ImportError: cannot import name 'Nope' from 'crm.models'" in test["message"]


def test_endless_import_is_killed_at_the_timeout(helper: Helper) -> None:
    scenario = sp.SCENARIO + "\n\nwhile True:\n    pass\n"
    loop_line = scenario.splitlines().index("while True:") + 1
    result = helper.result("verify", sp.verify_params("collect", files=sp.files(scenario), timeoutS=1.5))
    assert result["timedOut"] and not result["ok"]
    assert result["exitCode"] == -9
    assert 1400 <= result["durationMs"] < 5000
    [test] = result["tests"]
    assert test["outcome"] == "timeout" and test["nodeid"] == "generated/tenant_with_team.py"
    # faulthandler's stack dump says where it hung
    hung_at = [f'File "generated/tenant_with_team.py", line {n} in <module>' for n in (loop_line, loop_line + 1)]
    assert any(h in result["output"] for h in hung_at), result["output"]
    assert helper.result("ping")["sqlalchemy"] == "2.0.58"


def test_endless_fixture_is_killed_while_running(helper: Helper) -> None:
    scenario = sp.SCENARIO.replace("    session.flush()\n", "    while True:\n        pass\n")
    result = helper.result("verify", sp.verify_params("run", files=sp.files(scenario), timeoutS=1.5))
    assert result["timedOut"]
    assert outcomes(result)[SMOKE + "test_fixturegen_baseline"] == "passed"
    assert outcomes(result)[SMOKE + "test_fixturegen_scenario[tenant_with_team]"] == "timeout"


def test_prints_of_generated_code_stay_off_the_protocol(helper: Helper) -> None:
    scenario = sp.SCENARIO.replace(
        "import pytest\n", 'import pytest\n\nprint("generated: print at import")\n', 1
    ).replace("    session.flush()\n", '    session.flush()\n    print("generated: print in create")\n')
    scenario = scenario.replace("import datetime\n", "import datetime\nimport sys\n", 1).replace(
        "    session.flush()\n", '    session.flush()\n    sys.__stdout__.write("generated: raw stdout\\n")\n'
    )
    result = helper.result("verify", sp.verify_params("run", files=sp.files(scenario)))
    assert result["ok"], result["output"]
    # the next exchange is still in step: nothing stray was written between responses
    assert helper.result("ping")["pytest"] == "9.2.0"


def test_own_session_fixture(helper: Helper) -> None:
    """With session_fixture configured the package defines no db_session; the verifier provides one."""
    init = '"""Generated fixtures (project brings its own session fixture)."""\n\npytest_plugins = ["generated.tenant_with_team"]\n'
    scenario = sp.SCENARIO.replace("def tenant_with_team(db_session)", "def tenant_with_team(session)").replace(
        "create_tenant_with_team(db_session)", "create_tenant_with_team(session)"
    )
    params = sp.verify_params("run", files=sp.files(scenario, init=init), sessionFixture="session")
    result = helper.result("verify", params)
    assert result["ok"], result["output"]
    assert len(result["tests"]) == 3


def test_project_generated_package_is_never_imported(project_helper: Helper) -> None:
    project_helper.result("introspect", {"models": ["crm.models"]})
    result = project_helper.result("verify", sp.verify_params("run"))
    assert result["ok"], result["output"]


@pytest.mark.parametrize(
    "bad",
    [{"level": "fast"}, {"files": {"../x.py": ""}}, {"files": {"conftest.py": ""}}, {"models": None}, {"models": [1]}],
)
def test_bad_params(helper: Helper, bad: dict[str, Any]) -> None:
    response = helper.request("verify", {**sp.verify_params("run"), **bad})
    assert response["error"]["type"] == "ProtocolError"


OWN_TESTS = """\
import pytest
from sqlalchemy.exc import IntegrityError


def test_rows_are_there(tenant_with_team, db_session):
    assert len(tenant_with_team.users) == 3


def test_wrong_expectation(tenant_with_team, db_session):
    with pytest.raises(IntegrityError), db_session.begin_nested():
        tenant_with_team.acme.name = "Another"
        db_session.flush()
"""
OWN = "generated/test_tenant_with_team_constraints.py"


def test_candidate_test_module_runs_beside_the_smoke_test(helper: Helper) -> None:
    """Constraint tests: the candidate's own test module runs in the same child; a test that passes
    is confirmed (by the verifier's conftest), one that fails fails the verification."""
    params = sp.verify_params(
        "run",
        files={**sp.files(), OWN: OWN_TESTS},
        tests=[{"path": OWN, "names": ["test_rows_are_there", "test_wrong_expectation"]}],
    )
    result = helper.result("verify", params)
    assert not result["ok"]
    assert outcomes(result)[OWN + "::test_rows_are_there"] == "passed"
    assert outcomes(result)[OWN + "::test_wrong_expectation"] == "failed"
    assert "DID NOT RAISE" in message_of(result, OWN + "::test_wrong_expectation")
    passing = OWN_TESTS.split("\n\n\ndef test_wrong_expectation")[0] + "\n"
    params["files"] = {**sp.files(), OWN: passing}
    params["tests"] = [{"path": OWN, "names": ["test_rows_are_there"]}]
    result = helper.result("verify", params)
    assert result["ok"], result["output"]
    assert outcomes(result)[OWN + "::test_rows_are_there"] == "passed"


def test_candidate_test_that_never_ran_is_unconfirmed(helper: Helper) -> None:
    params = sp.verify_params(
        "run",
        files={**sp.files(), OWN: "def test_rows_are_there():\n    pass\n"},
        tests=[{"path": OWN, "names": ["test_rows_are_there", "test_gone"]}],
    )
    result = helper.result("verify", params)
    assert not result["ok"]
    assert outcomes(result)[OWN + "::test_gone"] == "unconfirmed"


def test_candidate_tests_must_be_candidate_files(helper: Helper) -> None:
    params = {**sp.verify_params("run"), "tests": [{"path": "elsewhere/test_x.py", "names": []}]}
    assert helper.request("verify", params)["error"]["type"] == "ProtocolError"
