"""Models as some projects build them: lookup tables generated in a loop and kept in a dict, and
a class defined inside a factory function and exported under another name."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Owner(Base):
    __tablename__ = "owner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


def _lookup_table(name: str) -> type:
    return type(
        name,
        (Base,),
        {
            "__tablename__": name.lower(),
            "id": mapped_column(Integer, primary_key=True),
            "label": mapped_column(String(30), unique=True, nullable=False),
        },
    )


#: One lookup table per name; the classes exist only in this dict.
LOOKUPS = {name: _lookup_table(name) for name in ("Color", "Size")}


def _tagging():
    class Tag(Base):
        __tablename__ = "tag"

        id: Mapped[int] = mapped_column(primary_key=True)
        text: Mapped[str] = mapped_column(String(40))
        owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"))
        color_id: Mapped[int] = mapped_column(ForeignKey("color.id"))
        owner: Mapped[Owner] = relationship()

    return Tag


#: Exported under another name than the class's own.
Label = _tagging()
