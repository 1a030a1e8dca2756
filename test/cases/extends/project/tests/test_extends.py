"""extends: labels carried over, parents requested as fixtures, and a diamond creating its root once,
in pytest and when the create functions are called alone."""

import dataclasses

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from club.models import Base, Club, Event, Member, Sponsor
from generated import make_engine
from generated.diamond import Diamond, create_diamond
from generated.transitive import create_transitive
from generated.with_members import create_with_members


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_one_parent(with_members, club, db_session):
    # pytest creates the club fixture once per test: with_members carries that very instance.
    assert with_members.chess is club.chess and with_members.founder is club.founder
    assert [f.name for f in dataclasses.fields(with_members)] == ["chess", "founder", "members"]
    assert all(m.club is club.chess for m in with_members.members)
    assert _count(db_session, Club) == 1 and _count(db_session, Member) == 4


def test_several_parents_and_a_diamond(diamond, with_members, with_events, sponsor, db_session):
    assert [f.name for f in dataclasses.fields(diamond)] == [
        "chess", "founder", "members", "events", "acme", "gala",
    ]
    assert diamond.members is with_members.members and diamond.events is with_events.events
    assert diamond.acme is sponsor.acme
    assert diamond.gala.host is diamond.members[0] and diamond.gala.sponsor is diamond.acme
    # club is extended by both with_members and with_events, and exists once.
    assert _count(db_session, Club) == 1
    assert _count(db_session, Member) == 4
    assert _count(db_session, Event) == 3
    assert _count(db_session, Sponsor) == 1


def test_transitive(transitive, diamond, db_session):
    assert transitive.gala is diamond.gala and transitive.chess is diamond.chess
    assert transitive.newcomer.club is transitive.chess
    assert _count(db_session, Club) == 1 and _count(db_session, Member) == 5


def test_redundant_parent(redundant, db_session):
    assert redundant.picnic.host is redundant.founder
    assert _count(db_session, Club) == 1 and _count(db_session, Member) == 4


def _alone(create, **parents):
    """Calls a create function outside pytest's fixtures: an engine and a session of its own."""
    engine = make_engine("sqlite+pysqlite:///:memory:")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        created = create(session, **parents)
        session.commit()
        counts = {m.__name__: _count(session, m) for m in (Club, Member, Event, Sponsor)}
    engine.dispose()
    return created, counts


def test_create_functions_called_alone_create_shared_parents_once():
    _, counts = _alone(create_diamond)
    assert counts == {"Club": 1, "Member": 4, "Event": 3, "Sponsor": 1}
    _, counts = _alone(create_transitive)
    assert counts == {"Club": 1, "Member": 5, "Event": 3, "Sponsor": 1}


def test_create_function_given_one_parent_takes_the_shared_one_from_it():
    engine = make_engine("sqlite+pysqlite:///:memory:")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        members = create_with_members(session)
        created = create_diamond(session, with_members=members)
        assert isinstance(created, Diamond)
        assert created.chess is members.chess
        assert created.events[0].host is members.founder
        assert _count(session, Club) == 1 and _count(session, Member) == 4
        # Called again with the same parent: its club again, new events and gala.
        again = create_diamond(session, with_members=members)
        assert again.chess is members.chess and again.events != created.events
        assert _count(session, Club) == 1 and _count(session, Event) == 6
    engine.dispose()


def test_each_test_starts_empty(db_session):
    for model in (Club, Member, Event, Sponsor):
        assert _count(db_session, model) == 0


def test_create_function_in_a_plain_python_process(tmp_path):
    """Seeding a database from a script, with no pytest session around it."""
    import os
    import subprocess
    import sys

    script = """
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from club.models import Base, Club, Member
from generated.diamond import create_diamond
engine = create_engine("sqlite:///" + DB)
Base.metadata.create_all(engine)
with Session(engine) as session:
    create_diamond(session)
    session.commit()
with Session(engine) as session:
    print(session.scalar(select(func.count()).select_from(Club)), session.scalar(select(func.count()).select_from(Member)))
""".replace("DB", repr(str(tmp_path / "seed.db")))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env={**os.environ, "PYTHONPATH": root},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["1", "4"]
