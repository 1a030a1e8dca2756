"""A store whose catalog is created once per test session and whose orders once per module."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Store(Base):
    __tablename__ = "store"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)

    items: Mapped[list[Item]] = relationship(back_populates="store")


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"))
    sku: Mapped[str] = mapped_column(String(20), unique=True)
    price: Mapped[int]
    note: Mapped[Optional[str]] = mapped_column(String(50))

    store: Mapped[Store] = relationship(back_populates="items")


class Basket(Base):
    __tablename__ = "basket"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    owner: Mapped[str] = mapped_column(String(50))

    item: Mapped[Item] = relationship()
