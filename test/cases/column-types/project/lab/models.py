"""One table with a NOT NULL column of every type the scenario format converts."""

from __future__ import annotations

import datetime
import enum
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    Interval,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    Unicode,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Plan(enum.Enum):
    free = "free"
    pro = "pro"
    enterprise = "Enterprise tier"


class Level(enum.IntEnum):
    one = 1
    two = 2
    three = 3


class Sample(Base):
    __tablename__ = "sample"

    id: Mapped[int] = mapped_column(primary_key=True)
    i32: Mapped[int] = mapped_column(Integer)
    i64: Mapped[int] = mapped_column(BigInteger)
    i16: Mapped[int] = mapped_column(SmallInteger)
    ratio: Mapped[float] = mapped_column(Float)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    exact: Mapped[Decimal] = mapped_column(Numeric(30, 10))
    flag: Mapped[bool] = mapped_column(Boolean)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    body: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Unicode(7))  # "Grüße 🎉" fits: 7 characters, 12 bytes
    born: Mapped[datetime.date] = mapped_column(Date)
    naive_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    aware_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    starts: Mapped[datetime.time] = mapped_column(Time)
    duration: Mapped[datetime.timedelta] = mapped_column(Interval)
    plan: Mapped[Plan] = mapped_column(Enum(Plan, name="plan"))
    plan_stored_by_value: Mapped[Plan] = mapped_column(
        Enum(Plan, name="plan_value", values_callable=lambda e: [m.value for m in e])
    )
    level: Mapped[Level] = mapped_column(Enum(Level, name="level"))
    status: Mapped[str] = mapped_column(Enum("draft", "published", name="status"))
    uid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    data: Mapped[Any] = mapped_column(JSON)
    blob: Mapped[bytes] = mapped_column(LargeBinary)
