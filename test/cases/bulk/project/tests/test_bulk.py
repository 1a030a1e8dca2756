"""The bulk path creates exactly what the scenarios declare: every value, every reference across
levels, the defaults a flush applies, the counts; read back from the database, not only from the
instances. Runs on SQLite here and on PostgreSQL in test/generate/postgres.test.ts."""

import datetime

from sqlalchemy import func, select, text

from shop.models import Customer, Order, Product, Shop, Tag, Tier


def test_counts_in_the_database(big_shop, db_session):
    counts = {
        model.__name__: db_session.scalar(select(func.count()).select_from(model))
        for model in (Shop, Customer, Product, Order)
    }
    assert counts == {"Shop": 1, "Customer": 303, "Product": 60, "Order": 1200}
    assert len(big_shop.customers) == 300
    assert len(big_shop.products) == 60
    assert len(big_shop.orders) == 1200


def test_every_customer_value_and_default(big_shop, db_session):
    rows = db_session.execute(
        text(
            "SELECT id, shop_id, email, display_name, tier, active, joined, note"
            " FROM customer WHERE email LIKE 'c%' ORDER BY id"
        )
    ).all()
    assert len(rows) == 300
    for i, (customer, row) in enumerate(zip(big_shop.customers, rows, strict=True)):
        n = i + 1
        assert customer.id == row.id
        assert row.shop_id == big_shop.shop.id
        assert row.email == f"c{n}@shop.test"
        assert row.display_name == (f"Customer {n}" if i % 2 == 0 else None)
        assert row.tier == ("gold" if i % 3 == 0 else "basic")
        # Python-side column defaults (a value, a callable) and a server default.
        assert bool(row.active) is True
        assert str(row.joined) == "2024-01-01"
        assert row.note == "new"
        assert customer.email == row.email
        assert customer.display == row.display_name
        assert customer.tier is (Tier.gold if i % 3 == 0 else Tier.basic)
        assert customer.active is True
        assert customer.joined == datetime.date(2024, 1, 1)
        assert customer.note == "new"
        assert customer.shop is big_shop.shop


def test_every_product_value_and_context_default(big_shop, db_session):
    rows = db_session.execute(
        text("SELECT id, shop_id, name, slug, price_cents FROM product ORDER BY id")
    ).all()
    assert [p.id for p in big_shop.products] == [r.id for r in rows]
    for i, (product, row) in enumerate(zip(big_shop.products, rows, strict=True)):
        n = i + 1
        assert (row.shop_id, row.name, row.price_cents) == (
            big_shop.shop.id,
            f"Product {n}",
            n * 100,
        )
        # A default that reads the row's other values (context.get_current_parameters()).
        assert row.slug == f"product-{n}" == product.slug


def test_references_across_levels(big_shop, db_session):
    rows = db_session.execute(
        text("SELECT id, customer_id, product_id, quantity FROM purchase_order ORDER BY id")
    ).all()
    for i, (order, row) in enumerate(zip(big_shop.orders, rows, strict=True)):
        assert order.id == row.id
        assert row.customer_id == big_shop.customers[i // 4].id
        assert row.product_id == big_shop.products[i % 60].id
        assert row.quantity == (1, 2, 3)[i % 3]
        assert order.customer is big_shop.customers[i // 4]
        assert order.product is big_shop.products[i % 60]


def test_collections_load_on_access(big_shop):
    assert len(big_shop.shop.customers) == 303
    assert set(big_shop.shop.products) == set(big_shop.products)
    assert big_shop.customers[2].orders == big_shop.orders[8:12]
    assert big_shop.shelf.products == [big_shop.products[0], big_shop.products[59]]
    assert [c.email for c in big_shop.few] == [f"few{n}@shop.test" for n in (1, 2, 3)]


def test_the_unit_of_work_takes_what_bulk_cannot(fallbacks):
    # A before_insert event ran for every row; the version counter counted the insert.
    assert [s.stamp for s in fallbacks.stamped] == [f"stamped:s{n}" for n in range(1, 61)]
    assert [a.code for a in fallbacks.audited] == [f"a{n}" for n in range(1, 61)]
    assert all(a.version >= 0 for a in fallbacks.audited)


def test_dataclass_defaults_and_factories(fallbacks, db_session):
    query = "SELECT name, color, code, group_id FROM tag WHERE name LIKE :p ORDER BY id"
    rows = db_session.execute(text(query), {"p": "tag%"}).all()
    plain = db_session.execute(text(query), {"p": "plain%"}).all()
    assert (len(rows), len(plain)) == (80, 50)
    for i, row in enumerate(rows):
        assert (row.name, row.color, row.code) == (
            f"tag{i + 1}",
            ("red", "blue")[i % 2],
            "factory-made",
        )
        assert row.group_id == (fallbacks.group.id if i % 2 == 0 else None)
    for i, row in enumerate(plain):
        # `default="grey"` and `default_factory` fill what the scenario leaves out.
        assert (row.name, row.color, row.code, row.group_id) == (
            f"plain{i + 1}",
            "grey",
            "factory-made",
            None,
        )
    assert [t.code for t in fallbacks.plain_tags] == ["factory-made"] * 50
    # The group's collection was built empty by its constructor and loads again.
    assert fallbacks.group.tags == fallbacks.tags[0::2]
    assert all(isinstance(t, Tag) for t in fallbacks.tags)
