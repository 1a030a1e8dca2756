"""Models mapped as dataclasses (introspection test)."""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedAsDataclass, mapped_column, relationship


class Base(MappedAsDataclass, DeclarativeBase):
    pass


class Owner(Base):
    __tablename__ = "dcm_owner"

    id: Mapped[int] = mapped_column(init=False, primary_key=True)
    name: Mapped[str]
    nickname: Mapped[str | None] = mapped_column(default=None)
    pets: Mapped[list[Pet]] = relationship(default_factory=list, back_populates="owner")


class Pet(Base):
    __tablename__ = "dcm_pet"

    id: Mapped[int] = mapped_column(init=False, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("dcm_owner.id"), init=False)
    owner: Mapped[Owner] = relationship(back_populates="pets")
