"""The async twin of `fixturegen_helper.testing`: engine and AsyncSession fixtures the verifier uses
when an `async: true` project names its own session fixture.

The tables of the models of `FIXTUREGEN_MODELS` that do not exist yet are created, and exactly
those are dropped at the end; each test's rows are rolled back. The engine lives in the session's
event loop and pools nothing (but an in-memory SQLite's one connection): a driver's connection
belongs to the loop that opened it, and each test runs in a loop of its own.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from sqlalchemy import MetaData, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool, StaticPool

from fixturegen_helper.testing import metadatas, modules_from_env

DEFAULT_URL = "sqlite+aiosqlite:///:memory:"


def make_engine(url: str) -> AsyncEngine:
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return create_async_engine(u, poolclass=NullPool)
    kwargs: dict[str, Any] = {"poolclass": NullPool}
    if u.database in (None, "", ":memory:") or u.query.get("mode") == "memory":
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    engine = create_async_engine(u, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _create(connection: Any) -> list[tuple[MetaData, list[Any]]]:
    created: list[tuple[MetaData, list[Any]]] = []
    for md in metadatas(modules_from_env()):
        existing = set(inspect(connection).get_table_names())
        tables = [t for t in md.sorted_tables if t.name not in existing]
        if tables:
            md.create_all(connection, tables=tables)
            created.append((md, tables))
    return created


def _drop(connection: Any, created: list[tuple[MetaData, list[Any]]]) -> None:
    for md, tables in reversed(created):
        md.drop_all(connection, tables=tables)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def fixturegen_engine() -> AsyncIterator[AsyncEngine]:
    engine = make_engine(os.environ.get("FIXTUREGEN_DATABASE_URL") or DEFAULT_URL)
    async with engine.begin() as connection:
        created = await connection.run_sync(_create)
    yield engine
    async with engine.begin() as connection:
        await connection.run_sync(_drop, created)
    await engine.dispose()


@pytest_asyncio.fixture(loop_scope="function")
async def fixturegen_session(fixturegen_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with fixturegen_engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield session
        finally:
            await session.close()
            if transaction.is_active:
                await transaction.rollback()
