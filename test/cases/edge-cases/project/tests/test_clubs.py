"""The derived edge cases as a user's test sees them: one test, run once per case."""

import pytest
from sqlalchemy import func, select

from clubs.models import Board, Game, Member
from generated.chess_club import ACCEPTED_EDGE_CASES, EDGE_CASES, REFUSED_EDGE_CASES
from generated.club_options import EDGE_CASES as OPTION_CASES
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
    # The fixture holds no boards and no game, as a variant that removes them would.
    assert (chess_club_edge_cases.boards, chess_club_edge_cases.games) == ([], None)
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


def _club_ids(session, model):
    return session.scalars(select(model.club_id).order_by(model.id)).all()


@pytest.mark.parametrize("league_edge_cases", ["clubs[0].boards=[]"], indirect=True)
def test_the_first_club_of_a_list_with_no_boards(league_edge_cases, db_session):
    # Boards hold their club by a NOT NULL key, spread over the clubs by `@clubs[i % 2]`: the
    # case leaves out the first club's boards (0 and 2) and the games on them, nothing else.
    assert LEAGUE_CASES["clubs[0].boards=[]"] == {
        "boards": {0: None, 2: None},
        "games": {0: None, 2: None},
    }
    first, second = league_edge_cases.clubs
    # The fixture holds the rows kept, as a variant would: board 1 and its game.
    assert [board.club for board in league_edge_cases.boards] == [second]
    assert [game.board for game in league_edge_cases.games] == league_edge_cases.boards
    db_session.expire_all()
    assert first.boards == []
    assert second.boards == league_edge_cases.boards
    assert _club_ids(db_session, Board) == [second.id]
    assert (_count(db_session, Game), _count(db_session, Member)) == (1, 3)


@pytest.mark.parametrize("league_edge_cases", ["clubs[0].members=[]"], indirect=True)
def test_the_first_club_of_a_list_with_no_members(league_edge_cases, db_session):
    # A nullable key: the first club's members (0 and 2) are kept, with no club.
    first, second = league_edge_cases.clubs
    db_session.expire_all()
    assert first.members == []
    assert _club_ids(db_session, Member) == [None, second.id, None]


@pytest.mark.parametrize("league_edge_cases", ["boards[0].games=[]"], indirect=True)
def test_the_first_board_with_no_games(league_edge_cases, db_session):
    assert LEAGUE_CASES["boards[0].games=[]"] == {"games": {0: None}}
    assert [g.board for g in league_edge_cases.games] == league_edge_cases.boards[1:]
    db_session.expire_all()
    boards = db_session.scalars(select(Board).order_by(Board.id)).all()
    assert [len(board.games) for board in boards] == [0, 1, 1]


def test_the_base_league(league, db_session):
    db_session.expire_all()
    assert [len(club.boards) for club in league.clubs] == [2, 1]
    assert (_count(db_session, Board), _count(db_session, Game)) == (3, 3)
