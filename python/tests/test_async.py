"""async: true — the guard's async contract, and verification of async fixtures (pytest-asyncio on
an AsyncSession over aiosqlite), with the smoke test reading references as an async test would."""

from __future__ import annotations

from typing import Any

import pytest
import sample_package as sp
from conftest import Helper
from guard_params import CONTRACT, catalog_params

from fixturegen_helper.guard import guard

SMOKE = "test_fixturegen_smoke.py::"
ASYNC_CONTRACT = {**CONTRACT, "async": True}

ASYNC_INIT = '''\
"""fixturegen output package (hand-written async sample)."""

from __future__ import annotations

import os

import pytest_asyncio
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import StaticPool

from crm.models import Base

pytest_plugins = ["generated.tenant_with_team"]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def db_engine():
    url = os.environ.get("FIXTUREGEN_DATABASE_URL")
    engine = create_async_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")

    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture(loop_scope="function")
async def db_session(db_engine):
    async with db_engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()
'''


def asynchronous(scenario: str) -> str:
    """The sample scenario module as async output writes it."""
    return (
        scenario.replace("import pytest\n", "import pytest_asyncio\n")
        .replace("def create_tenant_with_team(", "async def create_tenant_with_team(")
        .replace("    session.flush()", "    await session.flush()")
        .replace("@pytest.fixture\ndef ", '@pytest_asyncio.fixture(loop_scope="function")\nasync def ')
        .replace("return create_tenant_with_team(", "return await create_tenant_with_team(")
    )


ASYNC_SCENARIO = asynchronous(sp.SCENARIO)


def async_params(**overrides: Any) -> dict[str, Any]:
    return sp.verify_params(
        "run",
        **{
            "files": sp.files(ASYNC_SCENARIO, ASYNC_INIT),
            "databaseUrl": "sqlite+aiosqlite:///:memory:",
            "async": True,
            **overrides,
        },
    )


def message_of(result: dict[str, Any], nodeid: str) -> str:
    return next(t["message"] for t in result["tests"] if t["nodeid"] == nodeid) or ""


# -- guard ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def params() -> dict[str, Any]:
    return catalog_params(["crm.models"])


def check(params: dict[str, Any], source: str, contract: dict[str, Any] = ASYNC_CONTRACT) -> list[tuple[str, str]]:
    return [(d["code"], d["message"]) for d in guard({**params, "source": source, "contract": contract})["diagnostics"]]


def test_guard_accepts_the_async_module_only_under_the_async_contract(params) -> None:
    assert check(params, ASYNC_SCENARIO) == []
    sync = check(params, ASYNC_SCENARIO, CONTRACT)
    assert ("FG402", "`import pytest_asyncio` is not allowed") in [(c, m.split(";")[0]) for c, m in sync]
    assert any(c == "FG409" and "must be a plain `def`" in m for c, m in sync)


def test_guard_wants_async_def_under_the_async_contract(params) -> None:
    found = check(params, sp.SCENARIO.replace("import pytest\n", "import pytest\nimport pytest_asyncio\n"))
    assert ("FG409", "create_tenant_with_team() must be `async def` (the configuration says async: true)") in found
    assert ("FG409", "tenant_with_team() must be `async def` (the configuration says async: true)") in found


def test_the_async_def_message_says_what_to_write(params) -> None:
    """The LLM generator sends these hints back to a model that wrote the module in sync form."""
    source = sp.SCENARIO.replace("import pytest\n", "import pytest\nimport pytest_asyncio\n")
    found = guard({**params, "source": source, "contract": ASYNC_CONTRACT})["diagnostics"]
    hints = {d["message"].split("()")[0]: d.get("hint", "") for d in found if d["code"] == "FG409"}
    assert hints["create_tenant_with_team"].startswith(
        "write `async def create_tenant_with_team(`, and await inside it `await session.flush()`"
    )
    assert hints["tenant_with_team"] == (
        'write `@pytest_asyncio.fixture(loop_scope="function")` and `async def tenant_with_team(`, '
        "returning `await create_tenant_with_team(db_session, ...)`; import pytest_asyncio"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    await session.flush()",
            "    session.flush()",
            "session.flush() is a coroutine in an async module: write `await session.flush(...)`",
        ),
        (
            "    await session.flush()",
            "    await session.flush()\n    await Tenant(name='x')",
            "fixture code may not use `await`",
        ),
        (
            '@pytest_asyncio.fixture(loop_scope="function")',
            "@pytest_asyncio.fixture",
            'the only decorator allowed on tenant_with_team() is @pytest_asyncio.fixture(loop_scope="function")',
        ),
        (
            '@pytest_asyncio.fixture(loop_scope="function")',
            '@pytest_asyncio.fixture(loop_scope="session")',
            'the only decorator allowed on tenant_with_team() is @pytest_asyncio.fixture(loop_scope="function")',
        ),
    ],
)
def test_guard_async_subset(params, old: str, new: str, message: str) -> None:
    source = ASYNC_SCENARIO.replace(old, new, 1)
    assert source != ASYNC_SCENARIO
    assert any(message in m for _, m in check(params, source)), check(params, source)


# -- verify -----------------------------------------------------------------------------------


def test_async_package_verifies(helper: Helper) -> None:
    result = helper.result("verify", async_params())
    assert result["ok"], result["output"]
    assert {t["nodeid"]: t["outcome"] for t in result["tests"]} == {
        SMOKE + "test_fixturegen_baseline": "passed",
        SMOKE + "test_fixturegen_scenario[tenant_with_team]": "passed",
        SMOKE + "test_fixturegen_isolation": "passed",
    }


def test_async_candidate_that_never_flushes_fails(helper: Helper) -> None:
    scenario = ASYNC_SCENARIO.replace("    await session.flush()\n", "")
    result = helper.result("verify", async_params(files=sp.files(scenario, ASYNC_INIT)))
    assert not result["ok"]
    message = message_of(result, SMOKE + "test_fixturegen_scenario[tenant_with_team]")
    assert "acme was not flushed" in message


def test_async_references_are_read_without_a_lazy_load(helper: Helper) -> None:
    # The boss is flushed before the users name it as their manager: boss.reports is then not
    # loaded, and an async test reading it would get MissingGreenlet. The smoke test says so.
    scenario = ASYNC_SCENARIO.replace(
        "    users = [", "    session.add_all([acme, boss])\n    await session.flush()\n    users = [", 1
    )
    result = helper.result("verify", async_params(files=sp.files(scenario, ASYNC_INIT)))
    assert not result["ok"]
    message = message_of(result, SMOKE + "test_fixturegen_scenario[tenant_with_team]")
    assert "boss.reports cannot be read (not loaded: an async test cannot lazy-load it" in message
    assert "MissingGreenlet" in message


def test_async_project_session_fixture(helper: Helper) -> None:
    # The project's own session fixture: the verifier provides an AsyncSession under its name.
    scenario = ASYNC_SCENARIO.replace("(db_session)", "(async_db)").replace(
        "create_tenant_with_team(db_session)", "create_tenant_with_team(async_db)"
    )
    init = '"""Only the plugin list."""\n\npytest_plugins = ["generated.tenant_with_team"]\n'
    result = helper.result("verify", async_params(files=sp.files(scenario, init), sessionFixture="async_db"))
    assert result["ok"], result["output"]


def test_async_module_with_one_wrong_literal_fails_value_parity(helper: Helper) -> None:
    # The async scenario test checks every written value, as the sync one does.
    scenario = ASYNC_SCENARIO.replace('Tenant(name="Acme Corp"', 'Tenant(name="Acme Inc"', 1)
    assert scenario != ASYNC_SCENARIO
    result = helper.result("verify", async_params(files=sp.files(scenario, ASYNC_INIT)))
    assert not result["ok"]
    message = message_of(result, SMOKE + "test_fixturegen_scenario[tenant_with_team]")
    assert "acme.name is 'Acme Inc', expected 'Acme Corp'" in message


ASYNC_BULK = ASYNC_SCENARIO.replace(
    "import pytest_asyncio\n", "import pytest_asyncio\n\nfrom generated import insert_rows\n", 1
).replace(
    "for i in range(3)]\n",
    'for i in range(3)]\n    users = await insert_rows(session, User, users, None, "users")\n',
    1,
)


def test_guard_wants_insert_rows_awaited_in_an_async_module(params) -> None:
    assert 'users = await insert_rows(session, User, users, None, "users")' in ASYNC_BULK
    assert check(params, ASYNC_BULK) == []
    found = check(params, ASYNC_BULK.replace("await insert_rows(", "insert_rows("))
    assert found == [("FG409", "insert_rows() is a coroutine in an async module: write `await insert_rows(...)`")]


def test_a_missing_variant_says_async_def(params) -> None:
    """FG414 names the async contract in an async module: what the model is sent back."""
    contract = {**ASYNC_CONTRACT, "variants": ["solo"]}
    found = check(params, ASYNC_SCENARIO, contract)
    create = (
        'variant "solo": the module must define `async def create_tenant_with_team__solo(session, overrides=None)`, '
        'which builds the variant\'s rows and which `create_tenant_with_team(session, variant="solo")` returns'
    )
    fixture = (
        'variant "solo": the module must define the fixture `async def tenant_with_team__solo(db_session)` '
        'returning `await create_tenant_with_team(db_session, variant="solo")`'
    )
    assert ("FG414", create) in found
    assert ("FG414", fixture) in found
