"""Repositories, owned by a user or an organisation."""

import enum

from sqlalchemy import Column, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, relationship

from forge.db.base import Base, UTCDateTime, utcnow


class Visibility(str, enum.Enum):
    public = "public"
    private = "private"


class Repository(Base):
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    owner_id = Column(Integer, ForeignKey("user.id"), nullable=False)
    org_id = Column(Integer, ForeignKey("organisation.id"))
    name = Column(String(100), nullable=False)
    description = Column(Text)
    stars = Column(Integer, nullable=False, default=0)
    # Annotated for the 1.4 mypy plugin: the column stores text, the annotation names the enum.
    visibility: Mapped[Visibility] = Column(String(10), nullable=False, default=Visibility.public)
    created = Column(UTCDateTime, nullable=False, default=utcnow)

    owner = relationship("User", backref=backref("repositories", order_by="Repository.name"))
    org = relationship("Organisation", backref="repositories")
