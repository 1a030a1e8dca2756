"""Imperative (classical) mapping: plain classes mapped onto Table objects, an attribute named
differently from its column."""

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import registry, relationship

mapper_registry = registry()

author_table = Table(
    "imp_author",
    mapper_registry.metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(50), nullable=False, unique=True),
)
book_table = Table(
    "imp_book",
    mapper_registry.metadata,
    Column("id", Integer, primary_key=True),
    Column("author_id", ForeignKey("imp_author.id"), nullable=False),
    Column("title", String(80), nullable=False),
)


class Author:
    pass


class Book:
    pass


mapper_registry.map_imperatively(
    Author,
    author_table,
    properties={
        "email_address": author_table.c.email,
        "books": relationship(Book, back_populates="author"),
    },
)
mapper_registry.map_imperatively(
    Book, book_table, properties={"author": relationship(Author, back_populates="books")}
)
