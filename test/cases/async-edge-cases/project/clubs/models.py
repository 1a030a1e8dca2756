"""A club (unique name, a CHECK that refuses negative dues), its members (unique names; deleted
with the club, by the ORM and by the database), their lockers (kept, their member set to NULL,
both ways) and the lockers' keys (which refuse their locker's deletion, both ways)."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Numeric, String
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(AsyncAttrs, DeclarativeBase):
    pass


class Tier(enum.Enum):
    basic = "basic"
    gold = "gold"


class Club(Base):
    __tablename__ = "club"
    __table_args__ = (CheckConstraint("dues >= 0", name="ck_club_dues"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(12), unique=True)
    dues: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    tier: Mapped[Tier] = mapped_column(Enum(Tier))

    members: Mapped[list[Member]] = relationship(
        back_populates="club", cascade="all, delete-orphan"
    )


class Member(Base):
    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("club.id", ondelete="CASCADE"))

    club: Mapped[Club] = relationship(back_populates="members")
    lockers: Mapped[list[Locker]] = relationship(back_populates="member")


class Locker(Base):
    __tablename__ = "locker"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]
    member_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL")
    )

    member: Mapped[Optional[Member]] = relationship(back_populates="lockers")
    keys: Mapped[list[Key]] = relationship(back_populates="locker")


class Key(Base):
    __tablename__ = "key"

    id: Mapped[int] = mapped_column(primary_key=True)
    locker_id: Mapped[int] = mapped_column(ForeignKey("locker.id"))

    locker: Mapped[Locker] = relationship(back_populates="keys")
