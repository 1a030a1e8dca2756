"""A shop: tenants own staff (one-to-many, NOT NULL foreign key), staff belong to teams (many to
many through a pure link table) and have managers (self-reference); notes carry JSON and numbers."""

from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


team_member = Table(
    "team_member",
    Base.metadata,
    Column("team_id", ForeignKey("team.id"), primary_key=True),
    Column("staff_id", ForeignKey("staff.id"), primary_key=True),
)


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(100))


class Tenant(Base):
    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    billing_contact_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contact.id"))
    settings: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    tags: Mapped[Optional[list[Any]]] = mapped_column(JSON)

    staff: Mapped[list[Staff]] = relationship(back_populates="tenant")


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    handle: Mapped[str] = mapped_column(String(40), unique=True)
    role: Mapped[Optional[str]] = mapped_column(String(20))
    manager_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))

    tenant: Mapped[Tenant] = relationship(back_populates="staff")
    manager: Mapped[Optional[Staff]] = relationship(remote_side=[id], back_populates="reports")
    reports: Mapped[list[Staff]] = relationship(back_populates="manager")
    teams: Mapped[list[Team]] = relationship(secondary=team_member, back_populates="members")


class Team(Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    lead_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))

    members: Mapped[list[Staff]] = relationship(secondary=team_member, back_populates="teams")


class Note(Base):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    label: Mapped[Optional[str]] = mapped_column(String(30))
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    payload: Mapped[Optional[Any]] = mapped_column(JSON)
