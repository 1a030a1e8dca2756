"""Another module gets its own module-scoped rows; the session-scoped ones are shared."""

from sqlalchemy import func, select

import seen
from generated.baskets import create_baskets
from store.models import Basket, Item


def test_fresh_rows_for_this_module(baskets, db_session):
    assert db_session.scalar(select(func.count()).select_from(Basket)) == 4
    assert db_session.scalar(select(func.count()).select_from(Item)) == 200
    (earlier,) = seen.baskets.values()
    assert earlier[0] is not baskets
    assert baskets.items is seen.catalogs[0].items
    assert [b.owner for b in baskets.baskets] == ["owner1", "owner2", "owner3", "owner4"]


def test_a_variant_is_created_per_test(baskets__pairs, baskets, db_session):
    owners = db_session.scalars(select(Basket.owner).order_by(Basket.id)).all()
    assert owners == ["owner1", "owner2", "owner3", "owner4", "pair1", "pair2"]
    assert baskets__pairs.items is baskets.items


def test_create_with_the_shared_parent_in_a_test(catalog, db_session):
    made = create_baskets(db_session, catalog=catalog, overrides={"baskets": {"owner": "made"}})
    assert [b.owner for b in made.baskets] == ["made"] * 4
    assert made.items is catalog.items
    assert db_session.scalar(select(func.count()).select_from(Basket)) == 8


def test_the_variant_and_the_made_rows_are_gone(baskets, db_session):
    owners = db_session.scalars(select(Basket.owner).order_by(Basket.id)).all()
    assert owners == ["owner1", "owner2", "owner3", "owner4"]
