"""SQLModel: table=True classes (mapped), a plain SQLModel base (not mapped), Relationship(), a
str enum, a JSON sa_column, and a many-to-many through a link model that is a table class itself."""

import enum
from typing import List, Optional

from sqlmodel import JSON, Column, Field, Relationship, SQLModel


class Power(str, enum.Enum):
    flight = "flight"
    strength = "strength"


class HeroBase(SQLModel):
    name: str = Field(index=True, max_length=50)
    secret_name: str
    age: Optional[int] = None


class MissionHeroLink(SQLModel, table=True):
    __tablename__ = "sqlm_mission_hero"

    mission_id: Optional[int] = Field(default=None, foreign_key="sqlm_mission.id", primary_key=True)
    hero_id: Optional[int] = Field(default=None, foreign_key="sqlm_hero.id", primary_key=True)
    lead: bool = False


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
    power: Power = Power.strength
    profile: dict = Field(default_factory=dict, sa_column=Column(JSON))

    team: Optional[Team] = Relationship(back_populates="heroes")
    missions: List["Mission"] = Relationship(back_populates="heroes", link_model=MissionHeroLink)


class Mission(SQLModel, table=True):
    __tablename__ = "sqlm_mission"

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str

    heroes: List[Hero] = Relationship(back_populates="missions", link_model=MissionHeroLink)
