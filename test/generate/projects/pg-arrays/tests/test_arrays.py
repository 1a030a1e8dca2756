import datetime
import decimal

from survey.models import Survey


def test_arrays_jsonb_and_exact_values(arrays, db_session):
    ids = [arrays.one.id, *(s.id for s in arrays.many)]
    db_session.expire_all()
    one, *many = (db_session.get(Survey, k) for k in ids)
    assert one.tags == ["a", "b c", "@d"]
    assert one.scores == [1, -2, 3]
    assert one.days == [datetime.date(2025, 1, 31), datetime.date(2024, 2, 29)]
    assert one.doc == {"k": [1, {"x": None}], "y": "z"}
    assert one.amount == decimal.Decimal("12345678901234567890.12345678901234567890")
    minus_7 = datetime.timezone(datetime.timedelta(hours=-7))
    assert one.at == datetime.datetime(2025, 6, 1, 12, tzinfo=minus_7)
    assert [s.tags for s in many] == [["x"], [], ["x"]]
    assert [s.scores for s in many] == [[1, 2], [3], [1, 2]]
    assert [s.days for s in many] == [[], [], []]  # NOT NULL ARRAY, synthesized empty
    assert [s.doc for s in many] == [{}, {}, {}]
    assert [s.amount for s in many] == [decimal.Decimal(f"0.{n}") for n in (1, 2, 3)]
    plus_530 = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
    assert [s.at for s in many] == [datetime.datetime(2025, 6, n, tzinfo=plus_530) for n in (1, 2, 3)]


RAN = []


def test_every_edge_case_of_the_survey(survey_edges_edge_cases, request):
    """Runs once per derived case, the empty arrays among them."""
    RAN.append(request.node.callspec.params["survey_edges_edge_cases"])
    assert survey_edges_edge_cases.survey.id is not None


def test_the_arrays_were_emptied_once_each():
    assert {"survey.tags=[]", "survey.scores=[]", "survey.days=[]"} <= set(RAN)
