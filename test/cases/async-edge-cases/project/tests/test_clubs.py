"""The derived edge cases in an async test suite: one async test, run once per accepted case."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from clubs.models import Club, Key, Locker, Member
from generated.chess_club import ACCEPTED_EDGE_CASES, EDGE_CASES, REFUSED_EDGE_CASES

SEEN = []


def _changed(value, overrides):
    """(row, attribute, value) for every change a case's overrides make."""
    for label, changes in overrides.items():
        if changes is None:
            continue  # a label the case leaves out
        rows = getattr(value, label)
        items = rows if isinstance(rows, list) else [rows]
        for key, change in changes.items():
            if isinstance(key, int):
                yield from ((items[key], a, v) for a, v in change.items())
            else:
                yield from ((row, key, change) for row in items)


@pytest.mark.asyncio(loop_scope="function")
async def test_every_edge_case_creates_a_club(
    chess_club_edge_cases, db_session, request
):
    assert isinstance(db_session, AsyncSession)
    case = request.node.callspec.params["chess_club_edge_cases"]
    SEEN.append(case)
    count = await db_session.scalar(select(func.count()).select_from(Club))
    assert count == 1 and chess_club_edge_cases.chess.id is not None
    for row, attribute, value in _changed(chess_club_edge_cases, EDGE_CASES[case]):
        assert getattr(row, attribute) == value


def test_the_test_above_ran_once_per_accepted_case():
    assert SEEN == ACCEPTED_EDGE_CASES
    assert len(SEEN) == len(set(SEEN)) > 0
    assert set(REFUSED_EDGE_CASES) == {"chess.dues=-1.00", "chess.dues=-9999.99"}
    assert not set(REFUSED_EDGE_CASES) & set(SEEN)


async def _count(session, model):
    return await session.scalar(select(func.count()).select_from(model))


@pytest.mark.asyncio(loop_scope="function")
@pytest.mark.parametrize("chess_club_edge_cases", ["chess.members=[]"], indirect=True)
async def test_a_club_with_no_members(chess_club_edge_cases, db_session):
    # Members hold their club by a NOT NULL key: the case leaves them out, with the locker of
    # the first member and its key.
    assert EDGE_CASES["chess.members=[]"] == {
        "members": None,
        "locker": None,
        "key": None,
    }
    chess = chess_club_edge_cases.chess
    await db_session.refresh(chess, ["members"])
    assert chess.members == []
    counts = [await _count(db_session, m) for m in (Club, Member, Locker, Key)]
    assert counts == [1, 0, 0, 0]
