"""Which SQLAlchemy versions the helper accepts, and the family the generated code is written for."""

import sqlalchemy
from sqlalchemy import Column, Integer, MetaData, String, Table

from fixturegen_helper import sa_compat


def test_supported_versions_are_1_4_and_2_x():
    for version in ("1.4.0", "1.4.54", "2.0.58", "2.1.9", "2.1.0b1", "2.2.0"):
        assert sa_compat.supported(version), version
    for version in ("1.3.24", "1.2.19", "0.9.10", "3.0.0", "garbage"):
        assert not sa_compat.supported(version), version


def test_family():
    assert sa_compat.family("1.4.54") == "1.4"
    assert [sa_compat.family(v) for v in ("2.0.58", "2.1.9", "2.1.0b1")] == ["2", "2", "2"]


def test_this_environment_is_supported():
    assert sa_compat.VERSION == sqlalchemy.__version__
    assert sa_compat.SUPPORTED and sa_compat.FAMILY == sa_compat.family(sqlalchemy.__version__)


def test_autoincrement_column():
    md = MetaData()
    auto = Table("auto", md, Column("id", Integer, primary_key=True), Column("name", String(5)))
    natural = Table("natural", md, Column("code", String(5), primary_key=True))
    assert sa_compat.autoincrement_column(auto) is auto.c.id
    assert sa_compat.autoincrement_column(natural) is None


def test_uuid_types_cover_postgresql_uuid():
    from sqlalchemy.dialects import postgresql

    assert isinstance(postgresql.UUID(), sa_compat.UUID_TYPES)
