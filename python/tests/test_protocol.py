"""The helper as the CLI drives it: a subprocess speaking JSON lines."""

from __future__ import annotations

import json

from conftest import Helper

from fixturegen_helper.introspect import introspect


def test_ping(helper: Helper) -> None:
    result = helper.result("ping")
    assert result["python"].startswith("3.11.")
    assert result["sqlalchemy"] == "2.0.58"
    assert result["pytest"] == "9.2.0"


def test_introspect_matches_in_process(helper: Helper) -> None:
    remote = helper.result("introspect", {"models": ["crm.models"]})
    local = json.loads(json.dumps(introspect({"models": ["crm.models"]})))
    assert remote == local
    assert [m["name"] for m in remote["models"]] == ["PermissionGrant", "Role", "Team", "Tenant", "User"]


def test_unknown_module_is_an_import_error(helper: Helper) -> None:
    response = helper.request("introspect", {"models": ["crm.nope"]})
    error = response["error"]
    assert error["type"] == "ImportError"
    assert "crm.nope" in error["message"] and "ModuleNotFoundError" in error["message"]
    assert "Traceback" in error["traceback"]
    # the helper keeps serving
    assert helper.result("ping")["sqlalchemy"] == "2.0.58"


def test_protocol_errors(helper: Helper) -> None:
    assert helper.request("frobnicate")["error"]["type"] == "ProtocolError"
    assert helper.request("introspect", {"models": []})["error"]["type"] == "ProtocolError"
    bad = helper.send("this is not json")
    assert bad["id"] is None and bad["error"]["type"] == "ProtocolError"
    assert helper.result("ping")["pytest"] == "9.2.0"


def test_prints_of_user_models_never_reach_the_protocol(project) -> None:
    h = Helper(project)
    try:
        catalog = h.result("introspect", {"models": ["noisy_models"]})
        assert [m["qualname"] for m in catalog["models"]] == ["noisy_models.Note"]
        assert catalog["files"] == [str(h.cwd / "noisy_models.py")]
        assert h.result("ping")["python"].startswith("3.11")
    finally:
        out, err = h.close()
    assert out == ""
    for line in ("print() at import", "sys.stdout.write at import", "os.write(1) at import"):
        assert f"noisy: {line}" in err


PROBE_MODELS = """\
import os
import sys

from sqlalchemy import Integer
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

print("probe: pytest loaded:", "pytest" in sys.modules, file=sys.stderr)
print("probe: verifier loaded:", "fixturegen_helper.verify" in sys.modules, file=sys.stderr)
print("probe: variable seen:", "FIXTUREGEN_HELPER_VERIFIER" in os.environ, file=sys.stderr)


class Base(DeclarativeBase):
    pass


class Probe(Base):
    __tablename__ = "probe"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
"""


def test_without_the_verifier_no_pytest_is_loaded_and_verifying_is_refused(tmp_path) -> None:
    (tmp_path / "probe_models.py").write_text(PROBE_MODELS)
    for verifier, loaded in (("0", False), ("1", True)):
        h = Helper(tmp_path, extra_env={"FIXTUREGEN_HELPER_VERIFIER": verifier})
        try:
            catalog = h.result("introspect", {"models": ["probe_models"]})
            assert [m["name"] for m in catalog["models"]] == ["Probe"]
            holds = h.request("holds", {"models": ["probe_models"], "databaseUrl": None})
            if loaded:
                assert holds["result"] == {"problem": None}
            else:
                assert holds["error"]["type"] == "ProtocolError"
                assert "needs the verifier" in holds["error"]["message"]
                for method in ("verify", "verifyEach"):
                    assert h.request(method, {})["error"]["type"] == "ProtocolError"
            assert h.result("ping")["sqlalchemy"] == "2.0.58"
        finally:
            out, err = h.close()
        assert out == ""
        assert f"probe: pytest loaded: {loaded}" in err
        assert f"probe: verifier loaded: {loaded}" in err
        # The models see the environment the user gave, without the CLI's switch.
        assert "probe: variable seen: False" in err


def test_mapper_error(project) -> None:
    h = Helper(project)
    try:
        response = h.request("introspect", {"models": ["broken_models"]})
        assert response["error"]["type"] == "MapperError"
        assert "Nowhere" in response["error"]["message"]
    finally:
        out, _ = h.close()
    assert out == ""


ARRAY_MODELS = """\
from sqlalchemy import Integer, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Survey(Base):
    __tablename__ = "survey"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
"""


def test_holds_decides_whether_the_database_can_create_the_tables(tmp_path) -> None:
    (tmp_path / "array_models.py").write_text(ARRAY_MODELS)
    h = Helper(tmp_path)
    try:
        h.result("introspect", {"models": ["array_models"]})
        sqlite = h.result("holds", {"databaseUrl": "sqlite+pysqlite:///:memory:", "models": ["array_models"]})
        assert sqlite["problem"].startswith("creating the models' tables failed: sqlalchemy.exc.CompileError: ")
        assert "(in table 'survey', column 'tags')" in sqlite["problem"] and "ARRAY" in sqlite["problem"]
        # PostgreSQL renders ARRAY: compiled only, nothing connects to a server.
        pg = h.result(
            "holds", {"databaseUrl": "postgresql+psycopg://nobody@127.0.0.1:1/none", "models": ["array_models"]}
        )
        assert pg == {"problem": None}
    finally:
        h.close()


def test_holds_for_models_sqlite_can_create(helper: Helper) -> None:
    assert helper.result("holds", {"databaseUrl": None, "models": ["crm.models"]}) == {"problem": None}
