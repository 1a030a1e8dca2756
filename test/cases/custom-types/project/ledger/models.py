"""A ledger on sqlalchemy-utils' types and the documentation's recipes."""

from __future__ import annotations

import datetime
import enum
import uuid
from typing import Literal, Optional

from sqlalchemy import Enum as SAEnum
from sqlalchemy import ForeignKey, String, Unicode
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy_utils import ChoiceType, JSONType, ScalarListType, UUIDType
from sqlalchemy_utils.types.encrypted.encrypted_type import AesEngine, StringEncryptedType

from ledger.recipes import GUID, JSONEncodedDict, Money, MoneyType, TZDateTime


class Tier(enum.Enum):
    """Not a str enum: a String column annotated with it binds the values."""

    BASIC = "basic"
    GOLD = "gold"


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "account"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    external_id: Mapped[uuid.UUID] = mapped_column(UUIDType(binary=True), unique=True)
    preferences: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSONEncodedDict))
    extra: Mapped[Optional[dict]] = mapped_column(JSONType)
    secret: Mapped[str] = mapped_column(StringEncryptedType(Unicode, "ledger-key", AesEngine, "pkcs5"))
    status: Mapped[str] = mapped_column(ChoiceType([("open", "Open"), ("closed", "Closed")]))
    tags: Mapped[list] = mapped_column(ScalarListType(str))
    tier: Mapped[Tier] = mapped_column(String(10))
    kind: Mapped[Literal["personal", "business"]] = mapped_column(String(10))
    opened_at: Mapped[datetime.datetime] = mapped_column(TZDateTime)
    balance: Mapped[Optional[Money]] = mapped_column(MoneyType)
    entries: Mapped[list[Entry]] = relationship(back_populates="account")


class Entry(Base):
    __tablename__ = "entry"

    class Side(enum.Enum):
        """Nested in the model: generated code imports Entry and writes Entry.Side.DEBIT."""

        DEBIT = "debit"
        CREDIT = "credit"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(GUID, ForeignKey("account.id"))
    memo: Mapped[str] = mapped_column(String(200))
    side = mapped_column(SAEnum(Side), nullable=False)
    account: Mapped[Account] = relationship(back_populates="entries")
