"""`resolve`: what a column takes, through TypeDecorators of known libraries, the docs' recipes,
probing, and `Mapped[...]` annotations; and `unplaced` for a decorator nothing fits."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Literal

import pytest
from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from fixturegen_helper.introspect_annotations import attribute_value_type
from fixturegen_helper.introspect_resolve import resolve

CASE = Path(__file__).resolve().parents[2] / "test" / "cases" / "custom-types" / "project"


@pytest.fixture(scope="module")
def recipes():
    sys.path.insert(0, str(CASE))
    try:
        import ledger.recipes

        yield ledger.recipes
    finally:
        sys.path.remove(str(CASE))


class Color(enum.Enum):
    RED = 1
    BLUE = 2


class IntEnumType(TypeDecorator):
    """The common recipe: an enum stored as its integer value."""

    impl = Integer
    cache_ok = True

    def __init__(self, enum_class):
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value, dialect):
        return None if value is None else value.value

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum_class(value)


class Lowered(TypeDecorator):
    """A str stored lower-cased: still a string, and its length still applies."""

    impl = String(30)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else value.lower()


def test_docs_recipes(recipes):
    guid = resolve(recipes.GUID())
    assert (guid["family"], guid["pythonType"], guid["familyFrom"]) == ("uuid", "UUID", "probe")
    assert guid["storedAs"] == "CHAR" and guid["length"] is None
    assert resolve(recipes.JSONEncodedDict())["family"] == "json"
    tz = resolve(recipes.TZDateTime())
    assert (tz["family"], tz["timezone"]) == ("datetime", True)
    money = resolve(recipes.MoneyType())
    assert (money["family"], money["unplaced"], money["familyFrom"]) == ("other", True, "none")


def test_known_libraries():
    from advanced_alchemy.types import GUID, DateTimeUTC, EncryptedString
    from sqlalchemy_utils import ChoiceType, JSONType, ScalarListType, UUIDType

    assert resolve(GUID())["family"] == "uuid"
    assert resolve(UUIDType(binary=True))["family"] == "uuid"
    assert resolve(JSONType())["family"] == "json"
    assert resolve(DateTimeUTC())["timezone"] is True
    secret = resolve(EncryptedString(key="k", length=20))
    assert (secret["family"], secret["length"]) == ("string", 20)
    choice = resolve(ChoiceType([("a", "A"), ("b", "B")]))
    assert (choice["family"], choice["enum"]["stored"]) == ("enum", ["a", "b"])
    listed = resolve(ScalarListType(int))
    assert (listed["family"], listed["itemFamily"]) == ("array", "integer")


def test_enum_through_a_decorator_and_plain_pass_through():
    color = resolve(IntEnumType(Color), Color)
    assert (color["family"], color["enum"]["pythonEnum"]["name"]) == ("enum", "Color")
    assert "asValue" not in color["enum"]["pythonEnum"]
    lowered = resolve(Lowered())
    assert (lowered["family"], lowered["length"], lowered["familyFrom"]) == ("string", 30, "probe")


def test_annotations_make_string_columns_enums():
    class Base(DeclarativeBase):
        pass

    class Thing(Base):
        __tablename__ = "thing"
        id: Mapped[int] = mapped_column(primary_key=True)
        color: Mapped[Color | None] = mapped_column(String(10))
        kind: Mapped[Literal["a", "b"]] = mapped_column(String(10))
        note: Mapped[str] = mapped_column(Text)

    assert attribute_value_type(Thing, "color") is Color
    assert attribute_value_type(Thing, "kind") == ("a", "b")
    assert attribute_value_type(Thing, "note") is None
    color = resolve(String(10), Color)
    # Color is not a str enum: a String column binds its values.
    assert color["enum"]["pythonEnum"]["asValue"] is True and color["familyFrom"] == "annotation"
    assert resolve(String(10), ("a", "b"))["enum"] == {"stored": ["a", "b"], "pythonEnum": None}
    assert "familyFrom" not in resolve(String(10))
    assert json.dumps(resolve(String(10), Color))  # JSON-safe
