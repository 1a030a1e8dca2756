"""Shapes of models that need more than one row per instance, or more than one column per key."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import Column, ForeignKey, Numeric, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


# Joined-table inheritance: an Employee is a row in person and a row in employee.
class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "person"}


class Employee(Person):
    __tablename__ = "employee"

    id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    salary: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    mentor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("person.id"))

    mentor: Mapped[Optional[Person]] = relationship(foreign_keys=[mentor_id])

    __mapper_args__ = {"polymorphic_identity": "employee", "inherit_condition": id == Person.id}


class Contractor(Person):
    """Joined inheritance whose key column has a name of its own."""

    __tablename__ = "contractor"

    contractor_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    agency: Mapped[str] = mapped_column(String(50))

    __mapper_args__ = {"polymorphic_identity": "contractor"}


# Single-table inheritance: one vehicle table, the subclasses' columns nullable.
class Vehicle(Base):
    __tablename__ = "vehicle"

    id: Mapped[int] = mapped_column(primary_key=True)
    wheels: Mapped[int]
    type: Mapped[str] = mapped_column(String(20))

    __mapper_args__ = {"polymorphic_on": "type", "polymorphic_identity": "vehicle"}


class Car(Vehicle):
    doors: Mapped[Optional[int]]

    __mapper_args__ = {"polymorphic_identity": "car"}


class Truck(Vehicle):
    payload_kg: Mapped[Optional[int]]

    __mapper_args__ = {"polymorphic_identity": "truck"}


# Composite primary key: a foreign key and two key columns nothing generates.
class Warehouse(Base):
    __tablename__ = "warehouse"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)

    lines: Mapped[list[StockLine]] = relationship(back_populates="warehouse")


class StockLine(Base):
    __tablename__ = "stock_line"

    warehouse_id: Mapped[int] = mapped_column(
        ForeignKey("warehouse.id", ondelete="CASCADE"), primary_key=True
    )
    sku: Mapped[str] = mapped_column(String(20), primary_key=True)
    line_no: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    quantity: Mapped[int]

    warehouse: Mapped[Warehouse] = relationship(back_populates="lines")


# Self-reference.
class Category(Base):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("category.id", ondelete="SET NULL"))

    parent: Mapped[Optional[Category]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(back_populates="parent")


# An association table (many to many, nothing but the two keys) ...
article_tag = Table(
    "article_tag",
    Base.metadata,
    Column("article_id", ForeignKey("article.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Article(Base):
    __tablename__ = "article"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))

    tags: Mapped[list[Tag]] = relationship(secondary=article_tag, back_populates="articles")


class Tag(Base):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(30), unique=True)

    articles: Mapped[list[Article]] = relationship(secondary=article_tag, back_populates="tags")


# ... and an association object (a mapped class with columns of its own).
class Student(Base):
    __tablename__ = "student"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))

    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="student")


class Course(Base):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))

    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="course")


class Enrollment(Base):
    __tablename__ = "enrollment"

    student_id: Mapped[int] = mapped_column(ForeignKey("student.id", ondelete="CASCADE"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), primary_key=True)
    enrolled_on: Mapped[datetime.date]
    grade: Mapped[Optional[str]] = mapped_column(String(2))

    student: Mapped[Student] = relationship(back_populates="enrollments")
    course: Mapped[Course] = relationship(back_populates="enrollments")
