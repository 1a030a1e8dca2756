"""PostgreSQL-only column types."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, Date, DateTime, Integer, Numeric, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Survey(Base):
    __tablename__ = "pg_survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    scores: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    days: Mapped[list[datetime.date]] = mapped_column(ARRAY(Date))
    doc: Mapped[Any] = mapped_column(JSONB)
    amount: Mapped[Decimal] = mapped_column(Numeric(40, 20))
    at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
