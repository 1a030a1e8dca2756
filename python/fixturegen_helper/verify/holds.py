"""Whether the verification database can hold the models' tables, decided once per run.

`build` asks before it verifies any scenario: a database that cannot create the tables (ARRAY,
JSONB or INET columns on SQLite) fails every scenario for the same reason, and fixturegen says it
once, at `database_url` (FG630), instead of once per scenario.

The question is answered in the helper itself, which never runs generated code and never connects
to a server: each table's `CREATE TABLE` is compiled for the database's dialect (what SQLAlchemy
cannot render there is refused without a connection) and, for an in-memory SQLite, the whole DDL
runs once on a throwaway database. What only a server can refuse (a missing extension, a
permission) is still reported by the verification that meets it.
"""

from __future__ import annotations

from typing import Any

#: Starts the message of an exception raised creating the models' tables: fixturegen then says the
#: database cannot hold the models and names database_url (src/verify/verify.ts reads it).
CREATING = "creating the models' tables failed: "
DEFAULT_URL = "sqlite+pysqlite:///:memory:"


#: Answers by database URL and models, with the schema objects they were decided for (held, so
#: their ids stay theirs): `watch` asks on every run, and compiling and running the DDL again
#: (20-25 ms of CPU at 24 tables) would lie on the path from each save to its write.
_ANSWERS: dict[tuple[str, tuple[str, ...]], tuple[list[Any], tuple[int, ...], dict[str, Any]]] = {}


def _schema_objects(metadatas: list[Any]) -> list[Any]:
    """Every object the answer depends on: the MetaData, their tables and each table's columns,
    constraints and indexes. Models imported again (or a table extended in place) give new ones."""
    objects: list[Any] = []
    for metadata in metadatas:
        objects.append(metadata)
        for table in metadata.tables.values():
            objects += [table, *table.columns, *table.constraints, *table.indexes]
    return objects


def holds(params: dict[str, Any]) -> dict[str, Any]:
    """`{"problem": null}`, or `{"problem": "creating the models' tables failed: <why>"}`. Asked
    again about the same schema objects, the same answer, without compiling anything again."""
    from fixturegen_helper import testing

    url_text = str(params.get("databaseUrl") or DEFAULT_URL)
    models = [str(m) for m in params.get("models") or []]
    metadatas = testing.metadatas(models)
    objects = _schema_objects(metadatas)
    ids = tuple(id(o) for o in objects)
    key = (url_text, tuple(models))
    known = _ANSWERS.get(key)
    if known is not None and known[1] == ids:
        return dict(known[2])
    answer = _decide(url_text, metadatas)
    _ANSWERS[key] = (objects, ids, answer)
    return dict(answer)


def create_on_throwaway_sqlite(metadatas: list[Any]) -> None:
    """Runs the DDL of `metadatas` on an in-memory SQLite that is dropped after (raises what it
    raised). Also what `warm.warm_database` runs, for the state it leaves in SQLAlchemy."""
    from fixturegen_helper import testing

    engine = testing.make_engine(DEFAULT_URL)
    try:
        with engine.begin() as conn:
            for metadata in metadatas:
                metadata.create_all(conn)
    finally:
        engine.dispose()


def _decide(url_text: str, metadatas: list[Any]) -> dict[str, Any]:
    from sqlalchemy.engine import make_url
    from sqlalchemy.schema import CreateTable

    url = make_url(url_text)
    dialect = url.get_dialect()()
    try:
        for metadata in metadatas:
            for table in metadata.sorted_tables:
                CreateTable(table).compile(dialect=dialect)
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            create_on_throwaway_sqlite(metadatas)
    except Exception as e:  # noqa: BLE001 - whatever refused the DDL is what the user must read
        return {"problem": CREATING + f"{type(e).__module__}.{type(e).__qualname__}: {e}"}
    return {"problem": None}
