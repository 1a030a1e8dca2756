"""What the database gives back for the values fixturegen wrote through the types' own
conversions (expire_all, then read again). Runs on SQLite (the golden case) and on PostgreSQL
(test/generate/postgres.test.ts)."""

import datetime
import uuid

from sqlalchemy import text

UTC = datetime.timezone.utc


def test_households_written_values_round_trip(households, db_session):
    smiths, members = households.smiths, households.members
    db_session.expire_all()
    assert smiths.invite_token == uuid.UUID("123e4567-e89b-12d3-a456-426614174000")
    assert smiths.settings == {"theme": "dark", "reminders": ["mon", "thu"]}
    assert [m.role for m in members] == ["parent", "child"]
    assert [m.national_id for m in members] == ["ID-1", "ID-2"]
    assert members[0].joined_at == datetime.datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert all(m.family_id == smiths.id for m in members)
    # Encrypted at rest: the stored text is not what was written.
    stored = db_session.execute(text("SELECT national_id FROM member")).scalars().all()
    assert "ID-1" not in stored


def test_households_synthesized_values(households_filled, db_session):
    members = households_filled.members
    db_session.expire_all()
    assert isinstance(households_filled.family.invite_token, uuid.UUID)
    assert len({m.role for m in members}) == 1 and members[0].role in ("parent", "child", "guardian")
    assert all(m.joined_at.tzinfo is not None for m in members)


def test_ledger_written_values_round_trip(ledger, db_session):
    main = ledger.main
    db_session.expire_all()
    assert main.id == uuid.UUID("0b5e9d3c-2f4a-4c1e-9d8b-7a6f5e4d3c2b")
    assert main.external_id == uuid.UUID("123e4567-e89b-12d3-a456-426614174000")
    assert main.preferences == {"currency": "EUR", "digest": "weekly"}
    assert main.extra == {"source": "import"}
    assert main.secret == "s3cret"
    assert main.status.code == "open"
    assert main.tags == ["vip", "early"]
    assert main.tier == "gold"
    assert main.kind == "business"
    assert main.opened_at == datetime.datetime(2024, 5, 1, 7, 30, tzinfo=UTC)
    assert [e.account_id for e in ledger.entries] == [main.id, main.id]
    assert [e.side.value for e in ledger.entries] == ["debit", "credit"]


def test_ledger_synthesized_values(ledger_filled, db_session):
    first, second = ledger_filled.accounts
    db_session.expire_all()
    assert isinstance(first.id, uuid.UUID) and first.id != second.id
    assert first.external_id != second.external_id
    assert first.preferences == {} and first.tags == []
