"""A SQLAlchemy 2.0 application on advanced-alchemy's base classes: UUID primary keys through its
GUID type (BINARY(16) on SQLite), audit timestamps through DateTimeUTC, JSON through JsonB, an
encrypted column, and roles held in a String column annotated with an enum."""

from __future__ import annotations

import datetime
import enum
import uuid

from advanced_alchemy.base import UUIDAuditBase, UUIDBase
from advanced_alchemy.types import GUID, DateTimeUTC, EncryptedString, JsonB
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Role(str, enum.Enum):
    PARENT = "parent"
    CHILD = "child"
    GUARDIAN = "guardian"


class Family(UUIDAuditBase):
    __tablename__ = "family"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    settings: Mapped[dict] = mapped_column(JsonB)
    invite_token: Mapped[uuid.UUID] = mapped_column(GUID, unique=True)
    members: Mapped[list[Member]] = relationship(back_populates="family")


class Member(UUIDBase):
    __tablename__ = "member"

    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("family.id"))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(String(20))
    national_id: Mapped[str] = mapped_column(EncryptedString(key="households-secret", length=20))
    joined_at: Mapped[datetime.datetime] = mapped_column(DateTimeUTC)
    family: Mapped[Family] = relationship(back_populates="members")
