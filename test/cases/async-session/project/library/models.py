"""A library: shelves, authors (one may mentor another) and their books."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(AsyncAttrs, DeclarativeBase):
    pass


class Shelf(Base):
    __tablename__ = "shelf"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(20), unique=True)

    books: Mapped[list[Book]] = relationship(back_populates="shelf")


class Author(Base):
    __tablename__ = "author"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    mentor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("author.id"))

    books: Mapped[list[Book]] = relationship(back_populates="author")


class Book(Base):
    __tablename__ = "book"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))
    shelf_id: Mapped[int] = mapped_column(ForeignKey("shelf.id"))

    author: Mapped[Author] = relationship(back_populates="books")
    shelf: Mapped[Shelf] = relationship(back_populates="books")
