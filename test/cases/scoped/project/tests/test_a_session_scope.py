"""A session-scoped scenario is created once, and what a test changes is rolled back after it:
deletes, updates, inserts, committed or not, through the ORM or SQL, or flushed through an
instance's own session without requesting db_session."""

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import object_session

import seen
from store.models import Basket, Item


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def assert_untouched(catalog, session):
    assert count(session, Item) == 200
    assert session.scalar(select(func.sum(Item.price))) == sum(range(1, 201))
    assert session.scalar(select(func.count()).where(Item.note.is_not(None))) == 0
    assert [i.sku for i in catalog.items[:3]] == ["sku-1", "sku-2", "sku-3"]
    assert catalog.items[1].price == 2
    assert catalog.items[3].note is None
    assert len(catalog.store.items) == 200
    assert catalog.items[0] in session


def test_1_delete_update_insert_and_commit(catalog, db_session):
    seen.catalogs.append(catalog)
    assert_untouched(catalog, db_session)
    db_session.delete(catalog.items[0])
    catalog.items[1].price = 999
    db_session.add(Item(store=catalog.store, sku="extra", price=1))
    db_session.commit()
    assert count(db_session, Item) == 200
    assert db_session.scalar(select(Item.price).where(Item.sku == "sku-2")) == 999


def test_2_sees_the_rows_as_created(catalog, db_session):
    seen.catalogs.append(catalog)
    assert_untouched(catalog, db_session)


def test_3_sql_deletes_and_updates(catalog, db_session):
    seen.catalogs.append(catalog)
    db_session.execute(update(Item).values(price=0))
    db_session.execute(text("DELETE FROM item WHERE sku LIKE 'sku-1%'"))
    db_session.execute(delete(Item).where(Item.id == catalog.items[5].id))
    assert count(db_session, Item) == 200 - 111 - 1


def test_4_sees_the_rows_as_created(catalog, db_session):
    seen.catalogs.append(catalog)
    assert_untouched(catalog, db_session)


def test_5_changes_without_requesting_db_session(catalog):
    seen.catalogs.append(catalog)
    item = catalog.items[3]
    item.note = "changed"
    object_session(item).flush()
    object_session(item).commit()


def test_6_sees_the_rows_as_created(catalog, db_session):
    seen.catalogs.append(catalog)
    assert_untouched(catalog, db_session)


def test_7_a_function_scoped_child_each_test(receipt, db_session):
    assert receipt.items is seen.catalogs[0].items
    owners = db_session.scalars(select(Basket.owner).where(Basket.owner == "receipt"))
    assert list(owners) == ["receipt"]
    db_session.commit()


def test_8_created_once_and_the_child_is_gone(catalog, db_session):
    assert all(c is catalog for c in seen.catalogs)
    assert count(db_session, Basket) == 0
    assert_untouched(catalog, db_session)
