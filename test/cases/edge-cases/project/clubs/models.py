"""A club, its members and its boards: columns of every type an edge case is derived for, a
CHECK constraint that refuses negative dues, a nullable many-to-one and the one-to-many it fills,
and a NOT NULL one (boards, and the games played on them)."""

from __future__ import annotations

import datetime
import enum
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Numeric,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Tier(enum.Enum):
    basic = "basic"
    gold = "gold"


class Club(Base):
    __tablename__ = "club"
    __table_args__ = (CheckConstraint("dues >= 0", name="ck_club_dues"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(12))
    motto: Mapped[Optional[str]] = mapped_column(Text)
    dues: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    rating: Mapped[Optional[float]]
    capacity: Mapped[int] = mapped_column(SmallInteger)
    visits: Mapped[int] = mapped_column(BigInteger)
    tier: Mapped[Tier] = mapped_column(Enum(Tier))
    is_open: Mapped[bool]
    founded_on: Mapped[datetime.date]
    opened_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)

    members: Mapped[list[Member]] = relationship(back_populates="club")
    boards: Mapped[list[Board]] = relationship(back_populates="club")


class Member(Base):
    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
    club_id: Mapped[Optional[int]] = mapped_column(ForeignKey("club.id"))

    club: Mapped[Optional[Club]] = relationship(back_populates="members")


class Board(Base):
    __tablename__ = "board"

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("club.id"))

    club: Mapped[Club] = relationship(back_populates="boards")
    games: Mapped[list[Game]] = relationship(back_populates="board")


class Game(Base):
    __tablename__ = "game"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id"))

    board: Mapped[Board] = relationship(back_populates="games")
