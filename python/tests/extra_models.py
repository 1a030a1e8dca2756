"""Models for introspection tests: inheritance, TypeDecorators, PostgreSQL types, SQLModel."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Interval,
    LargeBinary,
    PickleType,
    String,
    Text,
    Time,
    TypeDecorator,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlmodel import Field, SQLModel


class Base(DeclarativeBase):
    pass


class LowerString(TypeDecorator):
    impl = String(20)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return value.lower() if value is not None else None


class Employee(Base):
    __tablename__ = "employee"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    salary: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(20))
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "employee"}


class Engineer(Employee):
    __tablename__ = "engineer"
    id: Mapped[int] = mapped_column(ForeignKey("employee.id"), primary_key=True)
    language: Mapped[str] = mapped_column(String(30))
    __mapper_args__ = {"polymorphic_identity": "engineer"}


class Manager(Employee):
    reports_count: Mapped[int | None] = mapped_column(nullable=True)
    __mapper_args__ = {"polymorphic_identity": "manager"}


class Thing(Base):
    __tablename__ = "thing"
    id: Mapped[int] = mapped_column(primary_key=True)
    amount: Mapped[float] = mapped_column(Float)
    big: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    code: Mapped[uuid.UUID] = mapped_column("uuid_code", Uuid)
    doc: Mapped[dict] = mapped_column(JSONB)
    lowered: Mapped[str] = mapped_column(LowerString)
    pickled: Mapped[Any] = mapped_column(PickleType)
    at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    span: Mapped[datetime.timedelta] = mapped_column(Interval)
    status: Mapped[str] = mapped_column(Enum("draft", "live", name="thing_status"))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    text: Mapped[str] = mapped_column(Text)
    when: Mapped[datetime.time] = mapped_column(Time)


class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
