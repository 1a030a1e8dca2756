"""Models with CHECK constraints of their own and of their types, and passive_deletes="all"
(constraint-test facts of the catalog)."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Shop(Base):
    __tablename__ = "shop"
    __table_args__ = (CheckConstraint("length(name) >= 2", name="ck_shop_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
    open_: Mapped[bool] = mapped_column("open", Boolean(create_constraint=True))
    kind: Mapped[str] = mapped_column(Enum("a", "b", native_enum=False, create_constraint=True))

    items: Mapped[list[Item]] = relationship(cascade="save-update, merge", passive_deletes="all")


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shop.id", ondelete="CASCADE"))
    qty: Mapped[int] = mapped_column(CheckConstraint("qty > 0"))
