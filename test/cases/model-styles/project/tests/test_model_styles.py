"""Typed declarative, 1.4 classic and SQLModel models in one project, read back after expire_all."""

import datetime
import decimal

from sqlalchemy import func, select

import classic.models as classic
import typed.models as typed
from sqlm.models import Hero, Mission, MissionHeroLink, Power, Team


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_typed_declarative(typed_blog, db_session):
    writer_id = typed_blog.writer.id
    db_session.expire_all()
    writer = db_session.get(typed.Account, writer_id)
    assert writer.email == "writer@blog.test" and writer.nickname is None
    assert isinstance(writer.created_at, datetime.datetime)  # the server default ran
    assert [(p.title, p.published) for p in writer.posts] == [
        ("Post 1", True),
        ("Post 2", False),
        ("Post 3", True),
    ]


def test_classic_declarative_base(classic_billing, db_session):
    s = classic_billing
    gold_id, basic_id = s.gold.id, s.basic.id
    db_session.expire_all()
    gold = db_session.get(classic.Account, gold_id)
    basic = db_session.get(classic.Account, basic_id)
    assert gold.tier is classic.Tier.gold and basic.tier is classic.Tier.basic  # by name, by value
    assert gold.balance == 0 and basic.balance == decimal.Decimal("10.50")
    assert sorted((i.number, i.total) for i in gold.invoices) == [
        ("INV-1", decimal.Decimal("100.00")),
        ("INV-2", decimal.Decimal("200.00")),
    ]
    # A one-to-many through backref= on the other class, set from the parent.
    assert [i.number for i in basic.invoices] == ["EXTRA"]


def test_sqlmodel(sqlmodel_heroes, db_session):
    team_id = sqlmodel_heroes.preventers.id
    loner_id = sqlmodel_heroes.loner.id
    db_session.expire_all()
    team = db_session.get(Team, team_id)
    assert (team.name, team.headquarters) == ("Preventers", "Sharp Tower")
    assert sorted((h.name, h.secret_name) for h in team.heroes) == [
        ("Hero 1", "Secret 1"),
        ("Hero 2", "Secret 2"),
    ]
    loner = db_session.get(Hero, loner_id)
    assert (loner.name, loner.age, loner.team_id) == ("Loner", 40, None)
    # Interpolation is for strings: a JSON literal is taken as written.
    assert sorted((h.power, h.profile) for h in team.heroes) == [
        (Power.flight, {"rank": "{n}"}),
        (Power.strength, {"rank": "{n}"}),
    ]
    assert loner.power is Power.strength  # the field's default
    missions = {m.code: m for m in db_session.scalars(select(Mission))}
    assert sorted(h.name for h in missions["RESCUE"].heroes) == ["Hero 1", "Hero 2"]
    assert [h.name for h in missions["SOLO"].heroes] == ["Loner"]
    # Link rows from the collection (lead left to its default) and one written as an entity.
    assert sorted(db_session.scalars(select(MissionHeroLink.lead))) == [False, False, True]


def test_same_class_name_in_two_modules(both_accounts, db_session):
    s = both_accounts
    assert type(s.typed_one) is typed.Account and type(s.classic_one) is classic.Account
    assert s.first_post.author is s.typed_one  # the only typed Account: auto-linked
    assert _count(db_session, typed.Account) == 1 and _count(db_session, classic.Account) == 1


def test_ondelete_foreign_keys_hold_in_the_database(typed_blog, sqlmodel_heroes, db_session):
    from sqlalchemy import text

    db_session.execute(text("DELETE FROM typed_account WHERE id = :id"), {"id": typed_blog.writer.id})
    assert _count(db_session, typed.Post) == 0  # ondelete="CASCADE"
    team_id = sqlmodel_heroes.preventers.id
    db_session.execute(text("DELETE FROM sqlm_team WHERE id = :id"), {"id": team_id})
    db_session.expire_all()
    assert [h.team_id for h in db_session.scalars(select(Hero))] == [None, None, None]  # SET NULL


def test_each_test_starts_empty(db_session):
    for model in (typed.Account, typed.Post, classic.Account, classic.Invoice, Team, Hero):
        assert _count(db_session, model) == 0


def test_mapped_as_dataclass(dataclass_pets, db_session):
    from dcstyle.models import Owner, Pet

    s = dataclass_pets
    ids = {"ann": s.ann.id, "bob": s.bob.id, "tagged": s.tagged.id}
    db_session.expire_all()
    ann, bob = db_session.get(Owner, ids["ann"]), db_session.get(Owner, ids["bob"])
    assert (ann.nickname, bob.nickname) == (None, "B")
    assert sorted(p.name for p in ann.pets) == ["Pet 1", "Pet 2", "Stray 2"]
    assert sorted(p.name for p in bob.pets) == ["Stray 1", "Tagged"]
    tagged = db_session.get(Pet, ids["tagged"])
    assert (tagged.tag, tagged.owner_id) == ("vip", ids["bob"])  # an init=False field, set after
    assert db_session.scalars(select(Pet.tag).where(Pet.name == "Pet 1")).one() == "none"
    assert sorted(db_session.scalars(select(Pet.tag).where(Pet.name.like("Stray%")))) == [
        "stray1",
        "stray2",
    ]


def test_imperative_mapping(imperative_books, db_session):
    from imperative.models import Author

    author_id = imperative_books.author.id
    db_session.expire_all()
    author = db_session.get(Author, author_id)
    assert author.email_address == "author@books.test"
    assert sorted(b.title for b in author.books) == ["Book 1", "Book 2"]
