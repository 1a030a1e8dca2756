"""The derived edge cases as a user's test sees them: one test, run once per case."""

from generated.chess_club import ACCEPTED_EDGE_CASES, EDGE_CASES, REFUSED_EDGE_CASES
from generated.club_options import EDGE_CASES as OPTION_CASES

SEEN = []


def _changed(value, overrides):
    """(row, attribute, value) for every change a case's overrides make."""
    for label, changes in overrides.items():
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
