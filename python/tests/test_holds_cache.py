"""`holds` answers again from what it decided, only while the schema objects are the same."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, Table
from sqlalchemy.dialects.postgresql import JSONB

from fixturegen_helper.verify import holds as holds_module
from fixturegen_helper.verify.holds import CREATING, holds

MODELS = """
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "thing"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
"""


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"holds_cache_models_{abs(hash(str(tmp_path)))}"
    (tmp_path / f"{name}.py").write_text(MODELS, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_same_schema_same_answer_without_deciding_again(models: str, monkeypatch: pytest.MonkeyPatch) -> None:
    params = {"databaseUrl": None, "models": [models]}
    assert holds(params) == {"problem": None}
    decided: list[str] = []
    decide = holds_module._decide

    def counting(url: str, metadatas: list[Any]) -> dict[str, Any]:
        decided.append(url)
        return decide(url, metadatas)

    monkeypatch.setattr(holds_module, "_decide", counting)
    assert holds(params) == {"problem": None}
    assert decided == []
    # Another database is another question.
    assert holds({**params, "databaseUrl": "sqlite+pysqlite:///:memory:?cache=shared"}) == {"problem": None}
    assert len(decided) == 1


def test_a_table_added_in_place_is_decided_again(models: str) -> None:
    params = {"databaseUrl": None, "models": [models]}
    assert holds(params) == {"problem": None}
    metadata = sys.modules[models].Base.metadata
    # The same MetaData object, extended with a column SQLite cannot create.
    Table("blob", metadata, Column("id", Integer, primary_key=True), Column("doc", JSONB))
    problem = holds(params)["problem"]
    assert problem is not None and problem.startswith(CREATING)
