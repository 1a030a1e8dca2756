"""Users, organisations and their memberships."""

import enum

from sqlalchemy import Boolean, Column, Enum, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import relationship

from forge.db.base import Base, JSONEncoded, UTCDateTime, utcnow


class Role(enum.Enum):
    member = "member"
    maintainer = "maintainer"
    owner = "owner"


org_members = Table(
    "org_members",
    Base.metadata,
    Column("org_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    login = Column(String(40), nullable=False, unique=True)
    email = Column(String(120), nullable=False)
    full_name = Column(String(120))
    is_admin = Column(Boolean, nullable=False, default=False)
    settings = Column(JSONEncoded, nullable=False, default=dict)
    created = Column(UTCDateTime, nullable=False, default=utcnow)


class Organisation(Base):
    name = Column(String(40), nullable=False, unique=True)
    members = relationship(User, secondary=org_members, backref="organisations")


class Collaborator(Base):
    """A user's role on one repository."""

    __table_args__ = (UniqueConstraint("repository_id", "user_id"),)

    repository_id = Column(ForeignKey("repository.id", ondelete="CASCADE"), nullable=False)
    user_id = Column(ForeignKey("user.id", ondelete="CASCADE"), nullable=False)
    role = Column(Enum(Role, name="collaborator_role"), nullable=False, default=Role.member)

    user = relationship(User, backref="collaborations")
    repository = relationship("Repository", backref="collaborators")
