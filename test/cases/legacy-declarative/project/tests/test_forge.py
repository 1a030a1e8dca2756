"""The 1.4-style forge models through the generated fixtures, written as a 1.4 code base's tests
are (session.query). Commits and rollbacks inside a test end only the test's savepoint."""

import datetime

import pytest

import sqlalchemy
from forge.db.issues import Issue, IssueState, Label
from forge.db.repos import Repository, Visibility
from forge.db.users import Collaborator, Organisation, Role, User


def test_busy_repository(busy_repository, db_session):
    repo_id = busy_repository.repo.id
    db_session.expire_all()
    repo = db_session.get(Repository, repo_id)
    assert (repo.name, repo.stars, repo.owner.login, repo.org.name) == ("engine", 7, "alice", "acme")
    assert repo.visibility == "public"  # the column default
    assert sorted(u.login for u in repo.org.members) == ["alice", "bob"]
    assert [(c.user.login, c.role) for c in repo.collaborators] == [("bob", Role.maintainer)]
    issues = db_session.query(Issue).filter(Issue.repository_id == repo_id).order_by(Issue.number).all()
    assert [(i.number, i.title, i.state, i.author.login) for i in issues] == [
        (1, "Issue 1", IssueState.open, "alice"),
        (2, "Issue 2", IssueState.closed, "bob"),
        (3, "Issue 3", IssueState.open, "alice"),
        (4, "Docs", IssueState.open, "bob"),  # the column default
    ]
    assert [[label.name for label in i.labels] for i in issues] == [["bug"], ["bug"], ["bug"], ["bug", "docs"]]
    assert issues[3].extra == {"votes": 3} and issues[0].extra is None
    bug = db_session.query(Label).filter_by(name="bug").one()
    assert bug.color == "#ff0000" and len(bug.issues) == 4
    alice = db_session.query(User).filter_by(login="alice").one()
    assert alice.is_admin and alice.settings == {"theme": "dark"}
    assert alice.created.tzinfo is datetime.timezone.utc  # the TypeDecorator's default and read-back
    assert [r.name for r in alice.repositories] == ["engine"]


def test_lone_user(lone_user, db_session):
    assert db_session.query(User).count() == 1
    carol = db_session.query(User).one()
    assert (carol.login, carol.full_name, carol.is_admin, carol.settings) == ("carol", "Carol C", False, {})
    assert [(r.name, r.org, r.visibility) for r in carol.repositories] == [("dotfiles", None, "private")]
    assert carol.repositories[0].visibility == Visibility.private
    assert carol.organisations == [] and carol.issues == []


def test_commit_inside_a_test_stays_inside_it(lone_user, db_session):
    db_session.add(Organisation(name="committed", members=[lone_user.carol]))
    db_session.commit()
    assert db_session.query(Organisation).filter_by(name="committed").count() == 1
    db_session.add(Organisation(name="rolled-back"))
    db_session.flush()
    db_session.rollback()
    names = [o.name for o in db_session.query(Organisation)]
    assert names == ["committed"]
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        db_session.add(User(login="carol", email="again@forge.test"))
        db_session.flush()
    db_session.rollback()
    assert db_session.query(User).count() == 1


def test_nothing_outlives_a_test(db_session):
    for model in (User, Organisation, Repository, Collaborator, Issue, Label):
        assert db_session.query(model).count() == 0
