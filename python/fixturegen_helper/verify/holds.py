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


def holds(params: dict[str, Any]) -> dict[str, Any]:
    """`{"problem": null}`, or `{"problem": "creating the models' tables failed: <why>"}`."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.schema import CreateTable

    from fixturegen_helper import testing

    url = make_url(params.get("databaseUrl") or DEFAULT_URL)
    models = [str(m) for m in params.get("models") or []]
    metadatas = testing.metadatas(models)
    dialect = url.get_dialect()()
    try:
        for metadata in metadatas:
            for table in metadata.sorted_tables:
                CreateTable(table).compile(dialect=dialect)
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            engine = testing.make_engine(DEFAULT_URL)
            try:
                with engine.begin() as conn:
                    for metadata in metadatas:
                        metadata.create_all(conn)
            finally:
                engine.dispose()
    except Exception as e:  # noqa: BLE001 - whatever refused the DDL is what the user must read
        return {"problem": CREATING + f"{type(e).__module__}.{type(e).__qualname__}: {e}"}
    return {"problem": None}
