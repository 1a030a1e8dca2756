"""The fixtures reach classes that are no module attribute; the rows are there."""

from sqlalchemy import select

from dyn.models import LOOKUPS, Label


def test_palette(palette, db_session):
    assert [c.label for c in palette.colors] == ["red", "blue"]
    assert type(palette.sizes) is LOOKUPS["Size"]
    assert all(type(t) is Label and t.owner is palette.bob for t in palette.tags)
    stored = db_session.scalars(select(Label.color_id).order_by(Label.id)).all()
    assert stored == [palette.colors[0].id, palette.colors[1].id, palette.colors[0].id]


def test_owners(owners):
    assert owners.ann.name == "Ann"
