"""A club: members, events they host, and sponsors."""

from __future__ import annotations

import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Club(Base):
    __tablename__ = "club"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)

    members: Mapped[list[Member]] = relationship(back_populates="club")


class Member(Base):
    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("club.id"))
    name: Mapped[str] = mapped_column(String(50))

    club: Mapped[Club] = relationship(back_populates="members")


class Event(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    title: Mapped[str] = mapped_column(String(80))
    day: Mapped[datetime.date]
    sponsor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("sponsor.id"))

    host: Mapped[Member] = relationship()
    sponsor: Mapped[Optional[Sponsor]] = relationship()


class Sponsor(Base):
    __tablename__ = "sponsor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
