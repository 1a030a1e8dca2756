"""A badge catalogue: codes are unique, and the default code is a constant."""

from __future__ import annotations

from sqlalchemy import Index, String, UniqueConstraint, text
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


class Account(Base):
    """Soft-deleted accounts: an email is unique among the live ones only (a partial index)."""

    __tablename__ = "account"
    __table_args__ = (
        Index(
            "uq_account_live_email",
            "email",
            unique=True,
            postgresql_where=text("NOT deleted"),
            sqlite_where=text("NOT deleted"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(80))
    deleted: Mapped[bool] = mapped_column(default=False)
