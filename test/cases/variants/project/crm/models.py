"""A small multi-tenant CRM in SQLAlchemy 2.0 typed declarative style.

Tenants own users, roles and teams; users get permissions through grants (user x role x permission)
and belong to teams through a pure association table. Users may have a manager (self-reference).
"""

from __future__ import annotations

import datetime
import enum
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Enum,
    ForeignKey,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Plan(enum.Enum):
    free = "free"
    pro = "pro"
    enterprise = "enterprise"


team_membership = Table(
    "team_membership",
    Base.metadata,
    Column("team_id", ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)


class Tenant(Base):
    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    plan: Mapped[Plan] = mapped_column(Enum(Plan, name="plan"), default=Plan.free)
    created_on: Mapped[datetime.date] = mapped_column(Date)

    users: Mapped[list[User]] = relationship(back_populates="tenant")
    roles: Mapped[list[Role]] = relationship(back_populates="tenant")
    teams: Mapped[list[Team]] = relationship(back_populates="tenant")

    def __repr__(self) -> str:
        return f"<Tenant {self.id} {self.name!r}>"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    # unique=True together with index=True gives a unique Index, not a UniqueConstraint.
    email: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    full_name: Mapped[Optional[str]] = mapped_column(String(100))
    manager_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    tenant: Mapped[Tenant] = relationship(back_populates="users")
    manager: Mapped[Optional[User]] = relationship(
        remote_side=[id], back_populates="reports"
    )
    reports: Mapped[list[User]] = relationship(back_populates="manager")
    grants: Mapped[list[PermissionGrant]] = relationship(back_populates="user")
    teams: Mapped[list[Team]] = relationship(
        secondary=team_membership, back_populates="members"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"


class Role(Base):
    __tablename__ = "role"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_role_tenant_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(50))

    tenant: Mapped[Tenant] = relationship(back_populates="roles")
    grants: Mapped[list[PermissionGrant]] = relationship(back_populates="role")


class PermissionGrant(Base):
    __tablename__ = "permission_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id", ondelete="CASCADE"))
    permission: Mapped[str] = mapped_column(String(100))

    user: Mapped[User] = relationship(back_populates="grants")
    role: Mapped[Role] = relationship(back_populates="grants")


class Team(Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    budget: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    settings: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)

    tenant: Mapped[Tenant] = relationship(back_populates="teams")
    members: Mapped[list[User]] = relationship(
        secondary=team_membership, back_populates="teams"
    )
