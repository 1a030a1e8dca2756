"""The models' DDL for an in-memory SQLite, recorded once in the helper and replayed by each
verification child.

Every verification child creates the models' tables on a new in-memory SQLite (the generated
`db_engine`, or `fixturegen_session`'s engine): `MetaData.create_all` compiles each CREATE TABLE
and CREATE INDEX for the dialect again (SQLAlchemy caches no DDL compilation), about 10 ms of CPU
per child at 24 tables, on the path from each save in `watch` to its write. The helper runs that
DDL once per schema on a throwaway in-memory database of the request's URL and records the
statements the driver executed (`record`); a child (`install`) answers `create_all` on an empty
in-memory SQLite of the same URL and dialect, for the same schema objects, all of its tables, by
executing the recorded statements through the connection (so its events and echo still see
them), instead of compiling them again.

Anything else runs SQLAlchemy's own `create_all`: another database, a subset of the tables, a
database that already has tables, a schema changed since the recording (a table, column,
constraint or index added, removed or replaced; a column's type, nullability or default
replaced), DDL event listeners other than SQLAlchemy's own and plain `DDL` statements, a
`schema_translate_map`, an executemany in the recording.
"""

from __future__ import annotations

from typing import Any

#: Recorded statements by id(MetaData): (fingerprint, URL, dialect key, [(statement, parameters)]).
#: The fingerprint's objects are held by the entry, so their ids stay theirs.
_SCRIPTS: dict[int, tuple[tuple[Any, ...], list[Any], str, tuple[Any, ...], list[tuple[str, Any]]]] = {}
_installed = False


def _fingerprint(metadata: Any) -> tuple[tuple[Any, ...], list[Any]]:
    """What the DDL of `metadata` depends on, by identity and value, and the objects named by id
    in it (kept alive with the recording)."""
    objects: list[Any] = [metadata]
    parts: list[Any] = [id(metadata), repr(getattr(metadata, "naming_convention", None))]
    for table in metadata.tables.values():
        objects.append(table)
        parts.append((id(table), table.name, table.schema))
        for c in table.columns:
            objects += [c, c.type, c.server_default]
            parts.append(
                (id(c), c.name, id(c.type), c.nullable, c.primary_key, id(c.server_default), str(c.autoincrement))
            )
        for item in [*table.constraints, *table.indexes]:
            objects.append(item)
            parts.append((id(item), getattr(item, "name", None)))
    return tuple(parts), objects


def _dialect_key(dialect: Any) -> tuple[Any, ...]:
    return (
        type(dialect),
        getattr(dialect, "server_version_info", None),
        getattr(dialect, "max_identifier_length", None),
        getattr(dialect, "supports_native_boolean", None),
        getattr(dialect, "supports_native_enum", None),
    )


def _is_memory_sqlite(url: Any) -> bool:
    return url.get_backend_name() == "sqlite" and (
        url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"
    )


def _plain_listener(fn: Any) -> bool:
    """SQLAlchemy's own DDL listeners (a SchemaType's), and `DDL` statements without a Python
    condition: what they do on this database is the SQL the recording holds."""
    from sqlalchemy.sql.ddl import DDLElement

    if isinstance(fn, DDLElement):
        return getattr(fn, "callable_", None) is None
    target, name = getattr(fn, "target", None), getattr(fn, "name", None)
    if target is not None and isinstance(name, str):  # util.portable_instancemethod
        fn = getattr(type(target), name, None)
    return str(getattr(fn, "__module__", "") or "").startswith("sqlalchemy.")


def _plain_listeners(metadata: Any) -> bool:
    for target in [metadata, *metadata.tables.values()]:
        for event in ("before_create", "after_create"):
            if not all(_plain_listener(fn) for fn in getattr(target.dispatch, event)):
                return False
    return True


def record(url_text: str, metadatas: list[Any]) -> bool:
    """Records the DDL of each of `metadatas` on a throwaway database of `url_text`, unless
    recorded already for the same schema objects; False (nothing recorded) unless the URL is an
    in-memory SQLite's. Raises what creating the tables raised (nothing is recorded then)."""
    from sqlalchemy import event
    from sqlalchemy.engine import make_url

    from fixturegen_helper import testing

    url = make_url(url_text)
    if not _is_memory_sqlite(url) or not hasattr(_connection_class(), "exec_driver_sql"):
        return False
    if getattr(url.get_dialect(), "is_async", False):
        return False  # aiosqlite: the helper has no event loop to run it in
    wanted = []
    for metadata in metadatas:
        fingerprint, objects = _fingerprint(metadata)
        known = _SCRIPTS.get(id(metadata))
        if known is not None and known[0] == fingerprint and known[2] == str(url):
            continue
        _SCRIPTS.pop(id(metadata), None)
        wanted.append((metadata, fingerprint, objects))
    if not wanted:
        return True
    engine = testing.make_engine(url_text)
    try:
        with engine.connect() as conn:
            dialect = _dialect_key(conn.dialect)
            for metadata, fingerprint, objects in wanted:
                statements: list[tuple[str, Any]] = []
                many: list[bool] = []

                def seen(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, executemany: bool) -> None:
                    statements.append((statement, parameters))  # noqa: B023 - used within the loop
                    many.append(executemany)  # noqa: B023

                with conn.begin():
                    event.listen(conn, "before_cursor_execute", seen)
                    try:
                        metadata.create_all(conn, checkfirst=False)
                    finally:
                        event.remove(conn, "before_cursor_execute", seen)
                if not any(many) and _plain_listeners(metadata):
                    _SCRIPTS[id(metadata)] = (fingerprint, objects, str(url), dialect, statements)
    finally:
        engine.dispose()
    return True


def _connection_class() -> Any:
    from sqlalchemy.engine import Connection

    return Connection


def _script(metadata: Any, conn: Any, tables: Any) -> list[tuple[str, Any]] | None:
    """The recorded statements that do what `create_all(conn, tables)` would on an empty
    database, or None."""
    known = _SCRIPTS.get(id(metadata))
    if known is None:
        return None
    fingerprint, _objects, url, dialect, statements = known
    if str(conn.engine.url) != url or _dialect_key(conn.dialect) != dialect:
        return None
    if conn.get_execution_options().get("schema_translate_map"):
        return None
    if tables is not None and {id(t) for t in tables} != {id(t) for t in metadata.tables.values()}:
        return None
    if _fingerprint(metadata)[0] != fingerprint or not _plain_listeners(metadata):
        return None
    return statements


def _empty(conn: Any) -> bool:
    """No table in the connection's database (nor a temporary one): what exists decides nothing."""
    raw = conn.connection
    dbapi = getattr(raw, "dbapi_connection", None) or getattr(raw, "connection", None)
    exists = "SELECT 1 FROM sqlite_master UNION ALL SELECT 1 FROM sqlite_temp_master LIMIT 1"
    return dbapi is not None and not dbapi.execute(exists).fetchall()


def install() -> None:
    """In a verification child, when the helper recorded any DDL: `MetaData.create_all` replays
    the recording where it does what SQLAlchemy's would (see the module's docstring)."""
    global _installed
    if _installed or not _SCRIPTS:
        return
    _installed = True
    from sqlalchemy import MetaData
    from sqlalchemy.engine import Engine

    connection_class = _connection_class()
    original = MetaData.create_all

    def create_all(self: Any, bind: Any = None, tables: Any = None, checkfirst: bool = True) -> None:
        if id(self) in _SCRIPTS and isinstance(bind, Engine):
            # Connected first: the dialect knows the server's version only then.
            with bind.begin() as conn:
                if _replayed(self, conn, tables):
                    return
        elif id(self) in _SCRIPTS and isinstance(bind, connection_class) and _replayed(self, bind, tables):
            return
        return original(self, bind, tables=tables, checkfirst=checkfirst)

    create_all.__doc__ = original.__doc__
    MetaData.create_all = create_all  # type: ignore[method-assign]


def _replayed(metadata: Any, conn: Any, tables: Any) -> bool:
    """Executes the recording on `conn` when it does what `create_all` would there."""
    statements = _script(metadata, conn, tables)
    if statements is None or not _empty(conn):
        return False
    for statement, parameters in statements:
        conn.exec_driver_sql(statement, parameters)
    return True


def recorded(metadata: Any) -> bool:
    """Whether a recording of `metadata`'s DDL is kept (for tests)."""
    return id(metadata) in _SCRIPTS
