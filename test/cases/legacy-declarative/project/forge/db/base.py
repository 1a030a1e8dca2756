"""The declarative base and the server's own column types."""

import datetime
import json

from sqlalchemy import Column, DateTime, Integer, MetaData, Text
from sqlalchemy.ext.declarative import declared_attr
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

NAMING = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ix": "ix_%(column_0_label)s",
}


class JSONEncoded(TypeDecorator):
    """A dict stored as JSON text (the SQLAlchemy docs' JSONEncodedDict recipe)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value, sort_keys=True)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


class UTCDateTime(TypeDecorator):
    """Naive UTC datetimes in, aware ones out."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=datetime.timezone.utc)


class _Base:
    """Every table: an integer id and the table name from the class name."""

    @declared_attr
    def __tablename__(cls):  # noqa: N805 - declared_attr receives the class
        return cls.__name__.lower()

    id = Column(Integer, primary_key=True)


Base = declarative_base(cls=_Base, metadata=MetaData(naming_convention=NAMING))


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)
