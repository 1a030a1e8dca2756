"""The generated runtime leaves rows of a list out by index (`{"boards": {0: None}}`), as the
zero-children case of one instance of a list parent does (`clubs[0].boards=[]`): those rows never
reach the database, the list's other rows do. Run on the golden edge-cases project's own
generated package (the rendered runtime), on an in-memory SQLite database."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest
from conftest import REPO
from sqlalchemy import create_engine, event, func, inspect, select
from sqlalchemy.orm import Session

CASE = REPO / "test" / "cases" / "edge-cases"


@pytest.fixture
def league() -> Iterator[ModuleType]:
    """`generated.league` of the golden, imported with its models; unloaded afterwards."""
    paths = [str(CASE / "project"), str(CASE / "expected")]
    sys.path[:0] = paths
    try:
        yield importlib.import_module("generated.league")
    finally:
        del sys.path[: len(paths)]
        for name in [n for n in sys.modules if n.split(".")[0] in ("generated", "clubs")]:
            del sys.modules[name]


@pytest.fixture
def session(league: ModuleType) -> Iterator[Session]:
    base = importlib.import_module("clubs.models").Base
    engine = create_engine("sqlite://")
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA foreign_keys=ON"))
    base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def _models(*names: str) -> list:
    models = importlib.import_module("clubs.models")
    return [getattr(models, name) for name in names]


def _club_ids(session: Session, model) -> list:
    return list(session.scalars(select(model.club_id).order_by(model.id)))


def test_the_rows_given_none_are_left_out_and_the_others_kept(league, session) -> None:
    Board, Game = _models("Board", "Game")
    # The case clubs[0].boards=[]: the first club's boards (0, 2) and their games.
    overrides = {"boards": {0: None, 2: None}, "games": {0: None, 2: None}}
    value = league.create_league(session, overrides=overrides)
    first, second = value.clubs
    assert _club_ids(session, Board) == [second.id]
    assert session.scalar(select(func.count()).select_from(Game)) == 1
    for k in (0, 2):
        assert inspect(value.boards[k]).transient and inspect(value.games[k]).transient
    assert inspect(value.boards[1]).persistent and inspect(value.games[1]).persistent
    session.expire_all()
    assert first.boards == [] and [b.id for b in second.boards] == [value.boards[1].id]


def test_a_row_in_the_middle_of_a_list(league, session) -> None:
    Board, Game = _models("Board", "Game")
    value = league.create_league(session, overrides={"boards": {1: None}, "games": {1: None}})
    first, _ = value.clubs
    assert _club_ids(session, Board) == [first.id, first.id]
    games = session.scalars(select(Game).order_by(Game.id)).all()
    assert [g.board_id for g in games] == [value.boards[0].id, value.boards[2].id]


def test_changes_and_left_out_rows_of_one_label(league, session) -> None:
    (Member,) = _models("Member")
    value = league.create_league(session, overrides={"members": {0: {"name": "first"}, 2: None}})
    names = list(session.scalars(select(Member.name).order_by(Member.id)))
    assert names == ["first", "member2"]
    assert inspect(value.members[2]).transient


def test_a_single_instance_takes_no_index(league) -> None:
    chess = importlib.import_module("generated.chess_club")

    with pytest.raises(TypeError, match="one instance"):
        chess.create_chess_club(None, overrides={"chess": {0: None}})


def test_an_index_out_of_range(league, session) -> None:
    with pytest.raises(LookupError, match=r"boards\[3\] does not exist: boards has 3 rows"):
        league.create_league(session, overrides={"boards": {3: None}})


def test_the_result_without_the_rows_left_out(league, session) -> None:
    # What the edge-case fixture returns: the rows kept, as a variant that removes rows has them.
    overrides = {"boards": {0: None, 2: None}, "games": {0: None, 2: None}}
    built = league.create_league(session, overrides=overrides)
    kept = league.without_left_out(built, overrides)
    assert kept.boards == [built.boards[1]] and kept.games == [built.games[1]]
    assert kept.clubs is built.clubs and kept.members is built.members
    assert all(inspect(row).persistent for row in [*kept.boards, *kept.games])
    # Changes of attributes leave the result as it is.
    changed = {"members": {0: {"club": None}}}
    assert league.without_left_out(built, changed) is built


def test_a_label_left_out_is_empty_or_none(league, session) -> None:
    chess = importlib.import_module("generated.chess_club")

    overrides = chess.EDGE_CASES["chess.boards=[]"]
    assert overrides == {"boards": None, "games": None}
    kept = chess.without_left_out(chess.create_chess_club(session, overrides=overrides), overrides)
    assert (kept.boards, kept.games) == ([], None)
    assert len(kept.members) == 2 and inspect(kept.chess).persistent
