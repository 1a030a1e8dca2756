"""A module-scoped scenario: created once per module, changes rolled back after each test."""

from sqlalchemy import func, select

import seen
from store.models import Basket


def test_1_delete_a_basket(baskets, db_session):
    seen.baskets.setdefault(__name__, []).append(baskets)
    assert db_session.scalar(select(func.count()).select_from(Basket)) == 4
    db_session.delete(baskets.baskets[0])
    baskets.baskets[1].owner = "someone else"
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(Basket)) == 3


def test_2_the_basket_is_back(baskets, db_session):
    seen.baskets.setdefault(__name__, []).append(baskets)
    owners = db_session.scalars(select(Basket.owner).order_by(Basket.id))
    assert list(owners) == ["owner1", "owner2", "owner3", "owner4"]
    assert [b.owner for b in baskets.baskets] == ["owner1", "owner2", "owner3", "owner4"]
    assert baskets.baskets[2].item is baskets.items[2]
    assert seen.baskets[__name__][0] is baskets
