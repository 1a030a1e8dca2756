"""The derived edge cases as a user's test sees them: one test, run once per case."""

import pytest
from sqlalchemy import func, select

from clubs.models import Board, Game, Member
from generated.chess_club import ACCEPTED_EDGE_CASES, EDGE_CASES, REFUSED_EDGE_CASES
from generated.club_options import EDGE_CASES as OPTION_CASES

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


def test_every_edge_case_creates_a_club(chess_club_edge_cases, request):
    case = request.node.callspec.params["chess_club_edge_cases"]
    SEEN.append(case)
    assert chess_club_edge_cases.chess.id is not None
    for row, attribute, value in _changed(chess_club_edge_cases, EDGE_CASES[case]):
        assert getattr(row, attribute) == value


def test_the_test_above_ran_once_per_accepted_case():
    assert SEEN == ACCEPTED_EDGE_CASES
    assert set(REFUSED_EDGE_CASES) == {"chess.dues=-1.00", "chess.dues=-9999.99"}
    assert not set(REFUSED_EDGE_CASES) & set(SEEN)


def test_options_filter_and_cap(club_options_edge_cases):
    # kinds: [nulls, enum, no_children], motto and rating excluded, at most 2.
    assert list(OPTION_CASES) == ["chess.tier=gold", "members[0].club=None"]
    assert club_options_edge_cases.chess.name == "Chess"


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("chess_club_edge_cases", ["chess.boards=[]"], indirect=True)
def test_a_club_with_no_boards(chess_club_edge_cases, db_session):
    # Boards hold their club by a NOT NULL key: the case leaves them out, and the games on them.
    assert EDGE_CASES["chess.boards=[]"] == {"boards": None, "games": None}
    chess = chess_club_edge_cases.chess
    db_session.expire(chess, ["boards", "members"])
    assert chess.boards == []
    assert len(chess.members) == 2
    assert (
        _count(db_session, Board),
        _count(db_session, Game),
        _count(db_session, Member),
    ) == (0, 0, 2)


def test_the_base_club_has_boards(chess_club, db_session):
    db_session.expire(chess_club.chess, ["boards"])
    assert len(chess_club.chess.boards) == 2
    assert (_count(db_session, Board), _count(db_session, Game)) == (2, 1)
