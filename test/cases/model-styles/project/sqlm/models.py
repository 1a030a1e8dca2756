"""SQLModel: table=True classes (mapped), a plain SQLModel base (not mapped), Relationship()."""

from typing import List, Optional

from sqlmodel import Field, Relationship, SQLModel


class HeroBase(SQLModel):
    name: str = Field(index=True, max_length=50)
    secret_name: str
    age: Optional[int] = None


class Team(SQLModel, table=True):
    __tablename__ = "sqlm_team"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    headquarters: str

    heroes: List["Hero"] = Relationship(back_populates="team")


class Hero(HeroBase, table=True):
    __tablename__ = "sqlm_hero"

    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: Optional[int] = Field(default=None, foreign_key="sqlm_team.id", ondelete="SET NULL")

    team: Optional[Team] = Relationship(back_populates="heroes")
