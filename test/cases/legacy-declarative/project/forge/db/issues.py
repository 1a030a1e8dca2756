"""Issues and their labels (many to many through issue_labels)."""

import enum

from sqlalchemy import Column, Enum, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import relationship

from forge.db.base import Base, JSONEncoded, UTCDateTime, utcnow


class IssueState(enum.Enum):
    open = 1
    closed = 2


issue_labels = Table(
    "issue_labels",
    Base.metadata,
    Column("issue_id", Integer, ForeignKey("issue.id", ondelete="CASCADE"), primary_key=True),
    Column("label_id", Integer, ForeignKey("label.id", ondelete="CASCADE"), primary_key=True),
)


class Label(Base):
    repository_id = Column(Integer, ForeignKey("repository.id"), nullable=False)
    name = Column(String(50), nullable=False)
    color = Column(String(7), nullable=False, default="#cccccc")

    repository = relationship("Repository", backref="labels")


class Issue(Base):
    repository_id = Column(Integer, ForeignKey("repository.id"), nullable=False)
    author_id = Column(Integer, ForeignKey("user.id"), nullable=False)
    number = Column(Integer, nullable=False)
    title = Column(String(200), nullable=False)
    body = Column(Text)
    state = Column(Enum(IssueState), nullable=False, default=IssueState.open)
    extra = Column(JSONEncoded)
    opened = Column(UTCDateTime, nullable=False, default=utcnow)

    repository = relationship("Repository", backref="issues")
    author = relationship("User", backref="issues")
    labels = relationship(Label, secondary=issue_labels, backref="issues", order_by=Label.name)
