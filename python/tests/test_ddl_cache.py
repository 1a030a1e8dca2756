"""The models' DDL recorded once in the helper and replayed by `create_all` in a verification child
(`fixturegen_helper.verify.ddl_cache`): the same tables as SQLAlchemy's own `create_all`, and
SQLAlchemy's own whenever the recording would not do what it does (the schema changed since, other
tables exist, a listener of the project's, a subset of the tables)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, MetaData, String, event, inspect, text
from sqlalchemy.sql import ddl

from fixturegen_helper import testing
from fixturegen_helper.verify import ddl_cache, warm

URL = testing.DEFAULT_URL

MODELS = """
import enum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Kind(enum.Enum):
    a = "a"
    b = "b"


class Base(DeclarativeBase):
    pass


class Team(Base):
    __tablename__ = "team"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True, server_default=text("'x'"))
    kind: Mapped[Kind] = mapped_column(Enum(Kind, create_constraint=True))
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)


class Member(Base):
    __tablename__ = "member"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    email: Mapped[str] = mapped_column(String(50))
    __table_args__ = (Index("member_email", "email", unique=True),)
#EXTRA
"""

EXTRA_TABLE = """

class Badge(Base):
    __tablename__ = "badge"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
"""


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"ddl_cache_models_{abs(hash(str(tmp_path)))}"
    (tmp_path / f"{name}.py").write_text(MODELS, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


@pytest.fixture(autouse=True)
def own_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test records and installs afresh; MetaData.create_all is SQLAlchemy's again after it."""
    monkeypatch.setattr(MetaData, "create_all", MetaData.create_all)
    monkeypatch.setattr(ddl_cache, "_SCRIPTS", {})
    monkeypatch.setattr(ddl_cache, "_installed", False)
    yield


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each MetaData SQLAlchemy's own create_all compiled DDL for (by its tables' names)."""
    seen: list[str] = []
    original = ddl.SchemaGenerator.visit_metadata

    def visit(self: Any, metadata: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(",".join(sorted(metadata.tables)))
        return original(self, metadata, *args, **kwargs)

    monkeypatch.setattr(ddl.SchemaGenerator, "visit_metadata", visit)
    return seen


def schema(engine: Any) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")).all()
    return [tuple(r) for r in rows]


def created(metadata: MetaData, **kwargs: Any) -> list[tuple[str, str, str]]:
    engine = testing.make_engine(URL)
    try:
        metadata.create_all(engine, **kwargs)
        return schema(engine)
    finally:
        engine.dispose()


def test_a_replay_creates_what_create_all_creates_without_compiling(models: str, compiles: list[str]) -> None:
    [metadata] = testing.metadatas([models])
    expected = created(metadata, checkfirst=False)
    assert {name for kind, name, _ in expected if kind == "table"} == {"team", "member"}
    assert any(kind == "index" and name == "member_email" for kind, name, _ in expected)
    assert ddl_cache.record(URL, [metadata]) is True
    assert ddl_cache.recorded(metadata)
    ddl_cache.install()
    compiles.clear()
    assert created(metadata, checkfirst=False) == expected
    assert created(metadata) == expected  # checkfirst on an empty database: the same
    assert compiles == []


def test_a_column_added_in_place_is_created_by_sqlalchemy(models: str, compiles: list[str]) -> None:
    [metadata] = testing.metadatas([models])
    ddl_cache.record(URL, [metadata])
    ddl_cache.install()
    metadata.tables["member"].append_column(Column("nickname", String(10)))
    compiles.clear()
    engine = testing.make_engine(URL)
    try:
        metadata.create_all(engine, checkfirst=False)
        assert "nickname" in {c["name"] for c in inspect(engine).get_columns("member")}
    finally:
        engine.dispose()
    assert compiles == ["member,team"]
    # Recorded again for the schema as it is now, the replay has the column too.
    ddl_cache.record(URL, [metadata])
    compiles.clear()
    assert any("nickname" in (sql or "") for _, _, sql in created(metadata, checkfirst=False))
    assert compiles == []


def test_models_imported_again_from_a_changed_file_use_the_new_schema(
    models: str, tmp_path: Path, compiles: list[str]
) -> None:
    [old] = testing.metadatas([models])
    ddl_cache.record(URL, [old])
    ddl_cache.install()
    # The models file changed; the module is imported again (as a restarted helper would).
    (tmp_path / f"{models}.py").write_text(MODELS.replace("#EXTRA", EXTRA_TABLE), encoding="utf-8")
    sys.modules.pop(models)
    importlib.invalidate_caches()
    [new] = testing.metadatas([models])
    assert new is not old and "badge" in new.tables
    compiles.clear()
    tables = {name for kind, name, _ in created(new, checkfirst=False) if kind == "table"}
    assert tables == {"team", "member", "badge"}
    assert compiles == ["badge,member,team"]  # not the old recording
    ddl_cache.record(URL, [new])
    compiles.clear()
    assert {name for kind, name, _ in created(new, checkfirst=False) if kind == "table"} == tables
    assert compiles == []


def test_existing_tables_and_a_subset_are_left_to_sqlalchemy(models: str, compiles: list[str]) -> None:
    [metadata] = testing.metadatas([models])
    ddl_cache.record(URL, [metadata])
    ddl_cache.install()
    engine = testing.make_engine(URL)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE team (id INTEGER PRIMARY KEY)")
        compiles.clear()
        metadata.create_all(engine)  # checkfirst: only member is created
        assert compiles == ["member,team"]
        assert set(inspect(engine).get_table_names()) == {"team", "member"}
        assert {c["name"] for c in inspect(engine).get_columns("team")} == {"id"}
    finally:
        engine.dispose()
    compiles.clear()
    only = created(metadata, tables=[metadata.tables["team"]], checkfirst=False)
    assert {name for kind, name, _ in only if kind == "table"} == {"team"}
    assert compiles == ["member,team"]


def test_a_python_listener_of_the_project_still_runs(models: str, compiles: list[str]) -> None:
    [metadata] = testing.metadatas([models])
    calls: list[str] = []
    event.listen(metadata.tables["team"], "after_create", lambda target, conn, **kw: calls.append(target.name))
    ddl_cache.record(URL, [metadata])
    assert not ddl_cache.recorded(metadata)
    calls.clear()
    ddl_cache.install()
    created(metadata, checkfirst=False)
    assert calls == ["team"]


def test_a_ddl_statement_listener_is_replayed(models: str, compiles: list[str]) -> None:
    [metadata] = testing.metadatas([models])
    trigger = ddl.DDL("CREATE TRIGGER team_named AFTER INSERT ON team BEGIN SELECT 1; END")
    event.listen(metadata.tables["team"], "after_create", trigger)
    expected = created(metadata, checkfirst=False)
    assert any(kind == "trigger" for kind, _, _ in expected)
    ddl_cache.record(URL, [metadata])
    assert ddl_cache.recorded(metadata)
    ddl_cache.install()
    compiles.clear()
    assert created(metadata, checkfirst=False) == expected
    assert compiles == []


def test_another_database_is_not_recorded(models: str, tmp_path: Path) -> None:
    [metadata] = testing.metadatas([models])
    assert ddl_cache.record(f"sqlite+pysqlite:///{tmp_path / 'db.sqlite'}", [metadata]) is False
    assert ddl_cache.record("sqlite+aiosqlite:///:memory:", [metadata]) is False
    assert not ddl_cache.recorded(metadata)


def test_the_helper_records_again_only_once_the_models_were_imported_again(
    models: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warm, "_databases", set())
    monkeypatch.setattr(warm, "_recorded_with", {})
    looked_up: list[list[str]] = []
    metadatas = testing.metadatas

    def counting(modules: list[str]) -> list[MetaData]:
        looked_up.append(modules)
        return metadatas(modules)

    monkeypatch.setattr(testing, "metadatas", counting)
    warm.warm_database(URL, [models])
    warm.warm_database(URL, [models])
    assert len(looked_up) == 1
    [old] = metadatas([models])
    assert ddl_cache.recorded(old)
    (tmp_path / f"{models}.py").write_text(MODELS.replace("#EXTRA", EXTRA_TABLE), encoding="utf-8")
    sys.modules.pop(models)
    importlib.invalidate_caches()
    importlib.import_module(models)  # as introspect would
    warm.warm_database(URL, [models])
    assert len(looked_up) == 2
    [new] = metadatas([models])
    assert new is not old and ddl_cache.recorded(new)
