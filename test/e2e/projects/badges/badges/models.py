"""A badge catalogue: codes are unique, and the default code is a constant."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Member(Base):
    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(40), unique=True)


class Badge(Base):
    __tablename__ = "badge"
    __table_args__ = (UniqueConstraint("code", name="uq_badge_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # A constant default on a unique column: fine for one badge, a clash for the second.
    code: Mapped[str] = mapped_column(String(20), default="standard")
    note: Mapped[str] = mapped_column(String(400))
