"""The bulk path creates exactly what the scenarios declare: every value, every reference across
levels, the defaults a flush applies, the counts; read back from the database, not only from the
instances. Runs on SQLite here and on PostgreSQL in test/generate/postgres.test.ts."""

import datetime

from sqlalchemy import func, inspect, select, text

import generated.big_shop
from shop.models import Badge, Customer, Note, Order, Product, Shop, Tag, Ticket, Tier


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


def test_constructors_that_do_more_than_set_attributes_run(fallbacks, db_session):
    # A validator, an `__init__` of its own and an `init` listener ran for every row, as in a
    # flush: their rows were built as instances before they were inserted.
    badges = db_session.execute(select(Badge.label, Badge.seen).order_by(Badge.id))
    assert badges.all() == [(f"b{n}", f"seen:b{n}") for n in range(1, 51)]
    notes = db_session.execute(select(Note.body, Note.summary).order_by(Note.id)).all()
    assert notes == [(f"note number {n}", "note…") for n in range(1, 51)]
    tickets = db_session.execute(select(Ticket.code, Ticket.priority).order_by(Ticket.id))
    assert tickets.all() == [(f"t{n}", 7) for n in range(1, 51)]
    assert [t.priority for t in fallbacks.tickets] == [7] * 50
    assert all(isinstance(b, Badge) for b in fallbacks.badges)


def counted_customers(monkeypatch):
    """The keyword arguments of every Customer constructed from now on."""
    built = []
    init = Customer.__init__

    def counting(self, **kwargs):
        built.append(kwargs)
        init(self, **kwargs)

    monkeypatch.setattr(Customer, "__init__", counting)
    return built


def test_rows_of_a_plain_class_are_not_built_through_its_constructor(
    db_session, monkeypatch
):
    # The default constructor would only set the attributes the rows hold: the rows go in as
    # they are, and only the three `few` customers (not in bulk) are constructed.
    built = counted_customers(monkeypatch)
    made = generated.big_shop.create_big_shop(db_session)
    assert [kw["email"] for kw in built] == [f"few{n}@shop.test" for n in (1, 2, 3)]
    assert len(made.customers) == 300
    assert all(isinstance(c, Customer) for c in made.customers)


def test_an_override_builds_the_rows_of_its_label(db_session, monkeypatch):
    # The overrides are set on built instances, as for a label not inserted in bulk.
    built = counted_customers(monkeypatch)
    made = generated.big_shop.create_big_shop(
        db_session, overrides={"customers": {"active": False}}
    )
    assert len(built) == 303
    assert {c.active for c in made.customers} == {False}


def test_an_empty_override_leaves_the_rows_as_they_are(db_session, monkeypatch):
    built = counted_customers(monkeypatch)
    generated.big_shop.create_big_shop(
        db_session, overrides={"shop": {"name": "Second"}, "customers": {}}
    )
    assert len(built) == 3


def test_a_variant_in_bulk(big_shop__vip, db_session):
    rows = db_session.execute(
        text("SELECT tier FROM customer WHERE email LIKE 'c%' ORDER BY id")
    ).all()
    assert [r.tier for r in rows] == ["gold"] * 300
    assert all(c.tier is Tier.gold for c in big_shop__vip.customers)
    quantities = db_session.scalars(select(Order.quantity).order_by(Order.id)).all()
    assert quantities == [5] * 600
    assert [o.customer for o in big_shop__vip.orders] == [
        big_shop__vip.customers[i // 4] for i in range(600)
    ]


def test_a_variant_below_the_threshold(big_shop__few_orders, db_session):
    assert db_session.scalar(select(func.count()).select_from(Order)) == 40
    assert big_shop__few_orders.orders[39].product is big_shop__few_orders.products[39]


def test_overrides_on_bulk_rows(make_big_shop, db_session):
    other = Shop(name="Other Shop")
    db_session.add(other)
    db_session.flush()
    made = make_big_shop(
        "vip",
        customers={"active": False, 4: {"email": "five@shop.test", "shop": other}},
        orders={"quantity": 9, 0: {"quantity": 1}},
    )
    rows = db_session.execute(
        text(
            "SELECT email, active, tier, shop_id FROM customer"
            " WHERE email NOT LIKE 'few%' ORDER BY id"
        )
    ).all()
    assert len(rows) == 300
    for i, row in enumerate(rows):
        assert bool(row.active) is False
        assert row.tier == "gold"  # the variant's value
        if i == 4:
            assert (row.email, row.shop_id) == ("five@shop.test", other.id)
        else:
            assert (row.email, row.shop_id) == (f"c{i + 1}@shop.test", made.shop.id)
    assert made.customers[4].shop is other
    quantities = db_session.scalars(select(Order.quantity).order_by(Order.id)).all()
    assert quantities == [1] + [9] * 599


def test_an_override_of_a_collection_takes_the_unit_of_work(make_big_shop, db_session):
    other = Shop(name="Other Shop")
    spare = Product(shop=other, name="Spare", price_cents=5)
    db_session.add_all([other, spare])
    db_session.flush()
    extra = Order(product=spare, quantity=3)
    made = make_big_shop(
        "few_orders", customers={0: {"orders": [extra]}}, products={"price_cents": 1}
    )
    assert extra.customer is made.customers[0]
    assert db_session.scalar(select(Order.customer_id).where(Order.id == extra.id)) == (
        made.customers[0].id
    )
    assert db_session.scalar(select(func.count()).select_from(Order)) == 41
    prices = db_session.scalars(
        select(Product.price_cents).where(Product.shop_id == made.shop.id)
    ).all()
    assert prices == [1] * 60


def test_a_bulk_label_left_out(make_big_shop, db_session):
    # `{label: None}` on a list inserted in bulk: its rows are built, never inserted.
    made = make_big_shop(orders=None)
    assert db_session.scalar(select(func.count()).select_from(Order)) == 0
    assert len(made.orders) == 1200
    assert all(inspect(order).transient for order in made.orders)
    assert db_session.scalar(select(func.count()).select_from(Customer)) == 303
    db_session.expire_all()
    assert made.customers[0].orders == []


def test_rows_of_a_bulk_label_left_out_by_index(make_big_shop, db_session):
    # `{label: {k: None}}`: those rows stay out, the others go in, in their places.
    made = make_big_shop(orders={0: None, 1: None, -1: None, 2: {"quantity": 7}})
    ids = db_session.scalars(select(Order.id).order_by(Order.id)).all()
    assert len(ids) == 1197
    for k in (0, 1, 1199):
        assert inspect(made.orders[k]).transient
    kept = made.orders[2:1199]
    assert [order.id for order in kept] == ids
    assert db_session.scalar(select(Order.quantity).where(Order.id == ids[0])) == 7
    db_session.expire_all()
    assert [o.id for o in made.customers[0].orders] == [made.orders[2].id, made.orders[3].id]


def test_a_shop_with_no_products(small_shop_edge_cases, db_session):
    # The derived case shop.products=[] leaves out the 50 products inserted in bulk.
    assert small_shop_edge_cases.products == []
    assert db_session.scalar(select(func.count()).select_from(Product)) == 0
    db_session.expire_all()
    assert small_shop_edge_cases.shop.products == []
