"""1.4 style: Column() attributes on a declarative_base(), backref= instead of back_populates."""

import enum

from sqlalchemy import Column, Enum, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Tier(enum.Enum):
    basic = 1
    gold = 2


class Account(Base):
    __tablename__ = "classic_account"

    id = Column(Integer, primary_key=True)
    login = Column(String(40), nullable=False, unique=True)
    tier = Column(Enum(Tier), nullable=False)
    balance = Column(Numeric(12, 2), nullable=False, default=0)
    notes = Column(Text)


class Invoice(Base):
    __tablename__ = "classic_invoice"

    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("classic_account.id", ondelete="RESTRICT"), nullable=False)
    number = Column(String(20), nullable=False, unique=True)
    total = Column(Numeric(12, 2), nullable=False)

    account = relationship("Account", backref="invoices")
