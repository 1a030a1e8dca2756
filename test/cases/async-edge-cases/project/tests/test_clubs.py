"""The derived edge cases in an async test suite: one async test, run once per accepted case."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from clubs.models import Club, Key, Locker, Member
from generated.chess_club import ACCEPTED_EDGE_CASES, EDGE_CASES, REFUSED_EDGE_CASES
from generated.league import EDGE_CASES as LEAGUE_CASES

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
    # The fixture holds none of them, as a variant that removes them would.
    assert chess_club_edge_cases.members == []
    assert (chess_club_edge_cases.locker, chess_club_edge_cases.key) == (None, None)
    chess = chess_club_edge_cases.chess
    await db_session.refresh(chess, ["members"])
    assert chess.members == []
    counts = [await _count(db_session, m) for m in (Club, Member, Locker, Key)]
    assert counts == [1, 0, 0, 0]


@pytest.mark.asyncio(loop_scope="function")
@pytest.mark.parametrize("league_edge_cases", ["clubs[0].members=[]"], indirect=True)
async def test_the_first_club_of_a_list_with_no_members(league_edge_cases, db_session):
    # Members hold their club by a NOT NULL key, spread over the clubs by `@clubs[i % 2]`: the
    # case leaves out the first club's members (0 and 2), their lockers and the lockers' keys.
    assert LEAGUE_CASES["clubs[0].members=[]"] == {
        "members": {0: None, 2: None},
        "lockers": {0: None, 2: None},
        "keys": {0: None, 2: None},
    }
    first, second = league_edge_cases.clubs
    # The fixture holds the rows kept, as a variant would: the second club's member, and its
    # locker and key.
    assert [m.name for m in league_edge_cases.members] == ["member2"]
    assert [locker.number for locker in league_edge_cases.lockers] == [2]
    assert [key.locker for key in league_edge_cases.keys] == league_edge_cases.lockers
    await db_session.refresh(first, ["members"])
    await db_session.refresh(second, ["members"])
    assert first.members == []
    assert [m.name for m in second.members] == ["member2"]
    counts = [await _count(db_session, m) for m in (Club, Member, Locker, Key)]
    assert counts == [2, 1, 1, 1]


@pytest.mark.asyncio(loop_scope="function")
@pytest.mark.parametrize("league_edge_cases", ["lockers[0].keys=[]"], indirect=True)
async def test_the_first_locker_of_a_list_with_no_keys(league_edge_cases, db_session):
    assert LEAGUE_CASES["lockers[0].keys=[]"] == {"keys": {0: None}}
    keys = (await db_session.scalars(select(Key.locker_id).order_by(Key.id))).all()
    lockers = (await db_session.scalars(select(Locker.id).order_by(Locker.id))).all()
    assert keys == lockers[1:]
