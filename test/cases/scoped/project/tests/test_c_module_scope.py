"""Another module gets its own module-scoped rows; the session-scoped ones are shared."""

from sqlalchemy import func, select

import seen
from store.models import Basket, Item


def test_fresh_rows_for_this_module(baskets, db_session):
    assert db_session.scalar(select(func.count()).select_from(Basket)) == 4
    assert db_session.scalar(select(func.count()).select_from(Item)) == 200
    (earlier,) = seen.baskets.values()
    assert earlier[0] is not baskets
    assert baskets.items is seen.catalogs[0].items
    assert [b.owner for b in baskets.baskets] == ["owner1", "owner2", "owner3", "owner4"]
