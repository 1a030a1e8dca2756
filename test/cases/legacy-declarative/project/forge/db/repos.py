"""Repositories, owned by a user or an organisation."""

from sqlalchemy import Column, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import backref, relationship

from forge.db.base import Base, UTCDateTime, utcnow


class Repository(Base):
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    owner_id = Column(Integer, ForeignKey("user.id"), nullable=False)
    org_id = Column(Integer, ForeignKey("organisation.id"))
    name = Column(String(100), nullable=False)
    description = Column(Text)
    stars = Column(Integer, nullable=False, default=0)
    created = Column(UTCDateTime, nullable=False, default=utcnow)

    owner = relationship("User", backref=backref("repositories", order_by="Repository.name"))
    org = relationship("Organisation", backref="repositories")
