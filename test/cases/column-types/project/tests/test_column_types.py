"""Each column type: the value the fixture built, and what the database gives back (expire_all).
Runs on SQLite (the golden case) and on PostgreSQL (test/generate/postgres.test.ts)."""

import datetime
import decimal
import uuid

from sqlalchemy import text

from lab.models import Level, Plan, Sample


def _stored(session, row_id, *columns):
    """What the database holds, as the driver returns it (enum columns: the stored text)."""
    sql = f"SELECT {', '.join(columns)} FROM sample WHERE id = :id"
    return tuple(session.execute(text(sql), {"id": row_id}).one())


def test_literals_of_every_type(literals, db_session):
    w = literals.written
    # Built exactly: Numeric as Decimal from the written text (never through float), and an
    # aware datetime keeping its offset.
    assert w.price == decimal.Decimal("1234.50") and str(w.price) == "1234.50"
    assert w.exact == decimal.Decimal("12345678901234567890.0123456789")
    assert w.aware_at == datetime.datetime(
        2025, 1, 31, 9, 30, 15, 250000, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    assert w.aware_at.utcoffset() == datetime.timedelta(hours=2)
    row_id, built_aware = w.id, w.aware_at
    sqlite = db_session.bind.dialect.name == "sqlite"
    db_session.expire_all()
    r = db_session.get(Sample, row_id)
    assert (r.i32, r.i64, r.i16) == (31, 9223372036854775807, -32768)
    assert r.ratio == 0.1 and isinstance(r.ratio, float)
    assert r.price == decimal.Decimal("1234.50")
    if sqlite:
        # SQLite keeps NUMERIC as a REAL: 30 digits do not come back (the built value is exact).
        assert isinstance(r.exact, decimal.Decimal)
    else:
        assert r.exact == decimal.Decimal("12345678901234567890.0123456789")
    assert r.flag is True
    assert r.code == "exactly8"
    assert r.body == 'two\nlines, "quotes", a \\ backslash and\ta tab'
    assert r.title == "Grüße 🎉"
    assert r.born == datetime.date(2025, 1, 31)
    # A naive column stores UTC wall time: 09:30+02:00 is 07:30.
    assert r.naive_at == datetime.datetime(2025, 1, 31, 7, 30)
    if sqlite:
        # SQLite keeps no offset: the aware value comes back as its wall time.
        assert r.aware_at.replace(tzinfo=None) == datetime.datetime(2025, 1, 31, 9, 30, 15, 250000)
    else:
        assert r.aware_at == built_aware and r.aware_at.utcoffset() is not None  # the same instant
    assert r.starts == datetime.time(9, 30)
    assert r.duration == datetime.timedelta(seconds=5400, microseconds=500000)
    # Enum members by name and by value; what is stored: names, or values with values_callable.
    assert r.plan is Plan.pro and r.plan_stored_by_value is Plan.enterprise and r.level is Level.two
    assert r.status == "published"
    assert _stored(db_session, row_id, "plan", "plan_stored_by_value", "level", "status") == (
        "pro",
        "Enterprise tier",
        "two",
        "published",
    )
    assert r.uid == uuid.UUID("123e4567-e89b-12d3-a456-426614174000")
    assert r.data == {"nested": {"list": [1, 2.5, "x", None, True]}}
    assert r.blob == "héllo".encode("utf-8")


def test_synthesized_values_of_every_type(literals, db_session):
    row_id = literals.blank.id
    db_session.expire_all()
    r = db_session.get(Sample, row_id)
    assert (r.i32, r.i64, r.i16, r.ratio, r.price, r.exact) == (0, 0, 0, 0.0, 0, 0)
    assert (r.flag, r.code, r.body, r.title, r.blob) == (False, "blank", "blank", "blank", b"blank")
    assert (r.born, r.naive_at) == (datetime.date(2000, 1, 1), datetime.datetime(2000, 1, 1))
    assert (r.starts, r.duration) == (datetime.time(0, 0), datetime.timedelta(0))
    assert (r.plan, r.plan_stored_by_value, r.level, r.status) == (Plan.free, Plan.free, Level.one, "draft")
    assert isinstance(r.uid, uuid.UUID) and r.uid != literals.written.uid
    assert r.data == {}


def test_interpolations_converted_by_column_type(per_instance, db_session):
    ids = [r.id for r in per_instance.rows]
    built_aware = [r.aware_at for r in per_instance.rows]
    db_session.expire_all()
    rows = [db_session.get(Sample, k) for k in ids]
    assert [r.i32 for r in rows] == [1, 2, 3]
    assert [r.i64 for r in rows] == [10001, 10002, 10003]
    assert [r.i16 for r in rows] == [-1, -2, -3]
    assert [r.ratio for r in rows] == [0.1, 0.2, 0.3]
    assert [r.price for r in rows] == [decimal.Decimal(f"{n}.25") for n in (1, 2, 3)]
    assert [r.flag for r in rows] == [True, False, True]
    assert [r.code for r in rows] == ["c1", "c2", "c3"]
    assert [r.body for r in rows] == ["row 0 of {3}", "row 1 of {3}", "row 2 of {3}"]
    assert [r.born for r in rows] == [datetime.date(2025, 1, n) for n in (1, 2, 3)]
    assert [r.naive_at for r in rows] == [datetime.datetime(2025, 1, 1, n) for n in (1, 2, 3)]
    minus_530 = datetime.timezone(-datetime.timedelta(hours=5, minutes=30))
    assert built_aware == [datetime.datetime(2025, 1, 1, n, tzinfo=minus_530) for n in (1, 2, 3)]
    assert [r.starts for r in rows] == [datetime.time(n, 15) for n in (1, 2, 3)]
    assert [r.duration for r in rows] == [
        datetime.timedelta(seconds=60),
        datetime.timedelta(seconds=0.25),
        datetime.timedelta(seconds=60),
    ]
    assert [r.plan for r in rows] == [Plan.free, Plan.enterprise, Plan.free]
    assert [r.plan_stored_by_value for r in rows] == [Plan.pro, Plan.free, Plan.pro]
    assert [r.level for r in rows] == [Level.one, Level.three, Level.one]
    assert [r.status for r in rows] == ["draft", "published", "draft"]
    assert [r.uid for r in rows] == [uuid.UUID(f"00000000-0000-0000-0000-00000000000{n}") for n in (1, 2, 3)]
    assert [r.data for r in rows] == ["item 1", [1, 2], {"a": "b"}]
    assert [r.blob for r in rows] == [b"blob 1", b"blob 2", b"blob 3"]


def test_synthesized_lists_are_distinct_where_unique(per_instance, db_session):
    ids = [r.id for r in per_instance.blanks]
    db_session.expire_all()
    rows = [db_session.get(Sample, k) for k in ids]
    assert [r.code for r in rows] == ["blanks-1", "blanks-2", "blanks-3"]
    # Not unique and too short for "blanks-1": the label, cut to the column's 7 characters.
    assert [r.title for r in rows] == ["blanks"] * 3
    assert len({r.uid for r in rows}) == 3
