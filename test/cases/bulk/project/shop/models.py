"""A shop whose big lists are inserted in bulk: Python-side column defaults (a value, a
callable, a callable reading the row), a server default, an attribute whose column has another
name, a dataclass with `default` and `default_factory`, classes whose constructor does more than
set attributes (a validator, an `__init__` of its own, an `init` listener: their rows are built
as instances first), and models the bulk path leaves to the unit of work (a version counter, a
before_insert event)."""

from __future__ import annotations

import datetime
import enum
from typing import Optional

from sqlalchemy import (
    Column,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    event,
    text,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    MappedAsDataclass,
    mapped_column,
    relationship,
    validates,
)


class Base(DeclarativeBase):
    pass


class Tier(enum.Enum):
    basic = "basic"
    gold = "gold"


def _slug(context) -> str:
    return context.get_current_parameters()["name"].lower().replace(" ", "-")


class Shop(Base):
    __tablename__ = "shop"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    customers: Mapped[list[Customer]] = relationship(back_populates="shop")
    products: Mapped[list[Product]] = relationship(back_populates="shop")


shelf_products = Table(
    "shelf_products",
    Base.metadata,
    Column("shelf_id", ForeignKey("shelf.id"), primary_key=True),
    Column("product_id", ForeignKey("product.id"), primary_key=True),
)


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    email: Mapped[str] = mapped_column(String(100), unique=True)
    # The attribute `display` is the column `display_name`.
    display: Mapped[Optional[str]] = mapped_column("display_name", String(100))
    tier: Mapped[Tier] = mapped_column(Enum(Tier), default=Tier.basic)
    active: Mapped[bool] = mapped_column(default=True)
    joined: Mapped[datetime.date] = mapped_column(
        default=lambda: datetime.date(2024, 1, 1)
    )
    note: Mapped[str] = mapped_column(String(20), server_default=text("'new'"))
    referrer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("customer.id"))

    shop: Mapped[Shop] = relationship(back_populates="customers")
    orders: Mapped[list[Order]] = relationship(back_populates="customer")


class Product(Base):
    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100), default=_slug)
    price_cents: Mapped[int] = mapped_column(Integer)

    shop: Mapped[Shop] = relationship(back_populates="products")


class Order(Base):
    __tablename__ = "purchase_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[int] = mapped_column(default=1)

    customer: Mapped[Customer] = relationship(back_populates="orders")
    product: Mapped[Product] = relationship()


class Shelf(Base):
    __tablename__ = "shelf"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(20))
    products: Mapped[list[Product]] = relationship(secondary=shelf_products)


class Audited(Base):
    """A version counter: rows go through the unit of work."""

    __tablename__ = "audited"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id"))
    code: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(nullable=False)

    __mapper_args__ = {"version_id_col": version}


class Stamped(Base):
    """A before_insert event sets `stamp`: rows go through the unit of work."""

    __tablename__ = "stamped"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    stamp: Mapped[Optional[str]] = mapped_column(String(40))


@event.listens_for(Stamped, "before_insert")
def _stamp(_mapper, _connection, target) -> None:
    target.stamp = f"stamped:{target.code}"


class Badge(Base):
    """A validator of `label` also sets `seen` as the label is set."""

    __tablename__ = "badge"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(20))
    seen: Mapped[Optional[str]] = mapped_column(String(30))

    @validates("label")
    def _see(self, _key, value):
        self.seen = f"seen:{value}"
        return value


class Note(Base):
    """An `__init__` of its own derives `summary` from `body`."""

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(100))
    summary: Mapped[Optional[str]] = mapped_column(String(20))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.summary = f"{self.body[:4]}…"


class Ticket(Base):
    """An `init` listener gives every new instance a priority."""

    __tablename__ = "ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    priority: Mapped[Optional[int]] = mapped_column()


@event.listens_for(Ticket, "init")
def _prioritize(target, _args, _kwargs) -> None:
    target.priority = 7


class DcBase(MappedAsDataclass, DeclarativeBase):
    pass


class Tag(DcBase):
    """A dataclass: `default` and `default_factory` fill what the scenario leaves out."""

    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    name: Mapped[str] = mapped_column(String(50))
    color: Mapped[str] = mapped_column(String(20), default="grey")
    code: Mapped[Optional[str]] = mapped_column(
        String(20), default_factory=lambda: "factory-made"
    )
    group_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("tag_group.id"), default=None
    )
    group: Mapped[Optional[TagGroup]] = relationship(
        back_populates="tags", default=None
    )


class TagGroup(DcBase):
    __tablename__ = "tag_group"

    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    title: Mapped[str] = mapped_column(String(50))
    tags: Mapped[list[Tag]] = relationship(
        back_populates="group", default_factory=list
    )
