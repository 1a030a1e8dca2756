"""A small publishing house whose relationships and foreign keys cover every delete rule: a
cascade both sides agree on, SET NULL, RESTRICT, and three disagreements between the ORM and the
database (a delete-orphan cascade without a database rule, a database cascade the ORM would
pre-empt by setting NULL, passive_deletes without a database rule)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Publisher(Base):
    __tablename__ = "publisher"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    # Both sides agree: the database cascades, the ORM leaves it to the database.
    books: Mapped[list[Book]] = relationship(
        back_populates="publisher", cascade="all, delete-orphan", passive_deletes=True
    )
    # Both sides agree: the database sets NULL.
    editors: Mapped[list[Editor]] = relationship(
        back_populates="publisher", passive_deletes=True
    )
    # The ORM deletes awards; a plain SQL DELETE is refused (no ondelete).
    awards: Mapped[list[Award]] = relationship(
        back_populates="publisher", cascade="all, delete-orphan"
    )
    # passive_deletes, but no database rule.
    shelves: Mapped[list[Shelf]] = relationship(passive_deletes=True)


class Editor(Base):
    __tablename__ = "editor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    publisher_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("publisher.id", ondelete="SET NULL")
    )

    publisher: Mapped[Optional[Publisher]] = relationship(back_populates="editors")


class Award(Base):
    __tablename__ = "award"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    publisher_id: Mapped[int] = mapped_column(ForeignKey("publisher.id"))

    publisher: Mapped[Publisher] = relationship(back_populates="awards")


class Shelf(Base):
    __tablename__ = "shelf"

    id: Mapped[int] = mapped_column(primary_key=True)
    publisher_id: Mapped[Optional[int]] = mapped_column(ForeignKey("publisher.id"))


class Book(Base):
    __tablename__ = "book"
    __table_args__ = (
        UniqueConstraint("publisher_id", "isbn", name="uq_book_isbn"),
        CheckConstraint("pages > 0", name="ck_book_pages"),
        CheckConstraint("length(title) >= 2", name="ck_book_title"),
        CheckConstraint("price >= 0 AND price <= 1000", name="ck_book_price"),
        CheckConstraint("status IN ('draft', 'published')", name="ck_book_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publisher_id: Mapped[int] = mapped_column(
        ForeignKey("publisher.id", ondelete="CASCADE")
    )
    isbn: Mapped[str] = mapped_column(String(17))
    title: Mapped[str] = mapped_column(String(200))
    pages: Mapped[int]
    price: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    status: Mapped[str] = mapped_column(String(10), default="draft")

    publisher: Mapped[Publisher] = relationship(back_populates="books")
    # The database cascades; the ORM, not told, sets review.book_id to NULL first (refused).
    reviews: Mapped[list[Review]] = relationship(back_populates="book")
    # Both refuse: RESTRICT in the database, a NOT NULL key the ORM would set to NULL.
    loans: Mapped[list[Loan]] = relationship(back_populates="book")


class Review(Base):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("book.id", ondelete="CASCADE"))
    stars: Mapped[int] = mapped_column(
        CheckConstraint("stars BETWEEN 1 AND 5", name="ck_review_stars")
    )
    body: Mapped[Optional[str]]

    book: Mapped[Book] = relationship(back_populates="reviews")


class Loan(Base):
    __tablename__ = "loan"
    __table_args__ = (
        UniqueConstraint("book_id", "borrower", name="uq_loan_borrower"),
        CheckConstraint(
            "returned_on IS NULL OR returned_on >= lent_on", name="ck_loan_dates"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("book.id", ondelete="RESTRICT"))
    borrower: Mapped[str] = mapped_column(
        String(50), CheckConstraint("length(borrower) >= 2")
    )
    lent_on: Mapped[datetime.date] = mapped_column(Date)
    returned_on: Mapped[Optional[datetime.date]] = mapped_column(Date)

    book: Mapped[Book] = relationship(back_populates="loans")
