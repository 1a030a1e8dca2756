"""TypeDecorators as the SQLAlchemy documentation writes them ("Custom Types": backend-agnostic
GUID, JSON strings, timezone-aware timestamps stored naive), and one that takes a class of the
project's own."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import uuid

from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.types import CHAR, DateTime, String, Text, TypeDecorator


class GUID(TypeDecorator):
    """UUID as CHAR(32) hex, or PostgreSQL's UUID."""

    impl = CHAR
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(UUID())
        return dialect.type_descriptor(CHAR(32))

    def process_bind_param(self, value, dialect):
        if value is None:
            return value
        if dialect.name == "postgresql":
            return str(value)
        if not isinstance(value, uuid.UUID):
            return "%.32x" % uuid.UUID(value).int
        return "%.32x" % value.int

    def process_result_value(self, value, dialect):
        if value is None or isinstance(value, uuid.UUID):
            return value
        return uuid.UUID(value)


class JSONEncodedDict(TypeDecorator):
    """A mapping stored as JSON text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


class TZDateTime(TypeDecorator):
    """Aware datetimes stored as naive UTC; a naive one is refused."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if not value.tzinfo or value.tzinfo.utcoffset(value) is None:
                raise TypeError("tzinfo is required")
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value


@dataclasses.dataclass(frozen=True)
class Money:
    amount: decimal.Decimal
    currency: str


class MoneyType(TypeDecorator):
    """Money as "12.50 EUR": takes Money objects only."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else f"{value.amount} {value.currency}"

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        amount, currency = value.split(" ")
        return Money(decimal.Decimal(amount), currency)
