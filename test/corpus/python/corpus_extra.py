"""Models for the malformed-scenario corpus, next to the sample CRM (crm.models).

A second ``User`` (so a bare ``model: User`` is ambiguous when a scenario uses both modules), one
column of each type family the CRM lacks, a column whose database name differs from its
attribute key, a view-only relationship, and a unique column too short for synthesized values.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Optional

from sqlalchemy import (
    BigInteger,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Interval,
    LargeBinary,
    SmallInteger,
    String,
    Time,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class Spot:
    """A class of the project's own: what SpotType takes."""

    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y


class SpotType(TypeDecorator):
    """Stores a Spot as "x,y" text; takes nothing but Spot objects."""

    impl = String(20)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else f"{value.x},{value.y}"

    def process_result_value(self, value, dialect):
        return None if value is None else Spot(*map(int, value.split(",")))


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "corpus_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(30))


class Gadget(Base):
    __tablename__ = "gadget"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[Optional[str]] = mapped_column("label", String(40))
    score: Mapped[Optional[float]] = mapped_column(Float)
    big: Mapped[Optional[int]] = mapped_column(BigInteger)
    small: Mapped[Optional[int]] = mapped_column(SmallInteger)
    made_at: Mapped[Optional[datetime.datetime]] = mapped_column(DateTime)
    shipped_at: Mapped[Optional[datetime.datetime]] = mapped_column(DateTime(timezone=True))
    opens_at: Mapped[Optional[datetime.time]] = mapped_column(Time)
    warranty: Mapped[Optional[datetime.timedelta]] = mapped_column(Interval)
    serial: Mapped[Optional[uuid.UUID]] = mapped_column(Uuid)
    blob: Mapped[Optional[bytes]] = mapped_column(LargeBinary(8))
    level: Mapped[Optional[str]] = mapped_column(Enum("low", "high", name="level"))
    owner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("corpus_user.id"))
    spot: Mapped[Optional[Spot]] = mapped_column(SpotType)

    owner: Mapped[Optional[User]] = relationship()
    owner_seen: Mapped[Optional[User]] = relationship(viewonly=True)


class Badge(Base):
    __tablename__ = "badge"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
