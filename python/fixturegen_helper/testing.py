"""Engine and session fixtures used by the verifier when the project names its own session fixture.

A generated package then defines no `db_session` of its own; to run its fixtures in isolation the
verifier's conftest registers this module as a plugin and aliases `fixturegen_session` under the
configured name. The tables of the models of `FIXTUREGEN_MODELS` (comma-separated import paths)
that do not exist yet are created, and exactly those are dropped at the end; rows are rolled back
after each test.

`make_engine` applies the SQLite recipe for working SAVEPOINTs: the engine, not `sqlite3`,
controls transactions (`isolation_level = None` on connect, `BEGIN` on begin), foreign keys are
enforced, and an in-memory database is shared by all connections (`StaticPool`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from fixturegen_helper import sa_compat

DEFAULT_URL = "sqlite+pysqlite:///:memory:"


def make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return create_engine(u)
    kwargs: dict[str, Any] = {}
    if u.database in (None, "", ":memory:") or u.query.get("mode") == "memory":
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    engine = create_engine(u, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def metadatas(modules: list[str]) -> list[MetaData]:
    """The MetaData objects of the mapped classes of `modules` (all registries when empty)."""
    found: list[MetaData] = []
    if modules:
        from fixturegen_helper.introspect import configure, discover_mappers, import_modules

        mods = import_modules(modules)
        configure()
        for mapper in discover_mappers(mods):
            table = mapper.local_table
            if not isinstance(table, Table):
                continue  # mapped against a join or select: its tables come with their own mappers
            md = table.metadata
            if md not in found:
                found.append(md)
    else:
        from sqlalchemy.orm import mapperlib

        for reg in list(mapperlib._mapper_registries):
            if reg.mappers and reg.metadata not in found:
                found.append(reg.metadata)
    return found


def modules_from_env() -> list[str]:
    return [m.strip() for m in os.environ.get("FIXTUREGEN_MODELS", "").split(",") if m.strip()]


@pytest.fixture(scope="session")
def fixturegen_engine() -> Iterator[Engine]:
    engine = make_engine(os.environ.get("FIXTUREGEN_DATABASE_URL") or DEFAULT_URL)
    created: list[tuple[MetaData, list[Any]]] = []
    for md in metadatas(modules_from_env()):
        existing = set(inspect(engine).get_table_names())
        tables = [t for t in md.sorted_tables if t.name not in existing]
        if tables:
            md.create_all(engine, tables=tables)
            created.append((md, tables))
    yield engine
    for md, tables in reversed(created):
        md.drop_all(engine, tables=tables)
    engine.dispose()


@pytest.fixture
def fixturegen_session(fixturegen_engine: Engine) -> Iterator[Session]:
    connection = fixturegen_engine.connect()
    transaction = connection.begin()
    if sa_compat.FAMILY == "1.4":
        # 1.4 has no join_transaction_mode: its recipe, a SAVEPOINT begun again whenever it ends.
        session = Session(bind=connection)
        nested = [connection.begin_nested()]

        @event.listens_for(session, "after_transaction_end")
        def _restart_savepoint(_session: Session, _transaction: Any) -> None:
            if not nested[0].is_active:
                nested[0] = connection.begin_nested()

    else:
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        if transaction.is_active:
            transaction.rollback()
        connection.close()
