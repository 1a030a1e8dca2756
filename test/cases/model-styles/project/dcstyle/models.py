"""2.0 declarative mapped as dataclasses: __init__ takes only init fields and needs the required ones."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedAsDataclass, mapped_column, relationship


class Base(MappedAsDataclass, DeclarativeBase):
    pass


class Owner(Base):
    __tablename__ = "dc_owner"

    id: Mapped[int] = mapped_column(init=False, primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    nickname: Mapped[Optional[str]]  # no default: a required argument of __init__
    pets: Mapped[list[Pet]] = relationship(default_factory=list, back_populates="owner")


class Pet(Base):
    __tablename__ = "dc_pet"

    id: Mapped[int] = mapped_column(init=False, primary_key=True)
    name: Mapped[str] = mapped_column(String(30))
    owner_id: Mapped[int] = mapped_column(ForeignKey("dc_owner.id"), init=False)
    owner: Mapped[Optional[Owner]] = relationship(back_populates="pets", default=None)
    tag: Mapped[str] = mapped_column(String(10), default="none", init=False)
