"""Lists of 50 rows or more are inserted in bulk on SQLAlchemy 1.4 as on 2.x: Python-side
defaults (a value, a callable, a TypeDecorator's) applied, references kept, and rows of a class
with the default constructor inserted without building instances first."""

import generated.many_users
from forge.db.users import User


def test_bulk_values_defaults_and_references(many_users):
    assert [u.login for u in many_users.users] == [f"u{n}" for n in range(1, 61)]
    for user in many_users.users:
        assert (user.is_admin, user.settings) == (False, {})
        assert user.created is not None
    assert [label.color for label in many_users.labels] == ["#cccccc"] * 70
    assert all(label.repository is many_users.repo for label in many_users.labels)
    assert many_users.repo.labels == many_users.labels


def test_rows_of_a_plain_class_are_not_built_through_its_constructor(
    db_session, monkeypatch
):
    built = []
    init = User.__init__

    def counting(self, **kwargs):
        built.append(kwargs)
        init(self, **kwargs)

    monkeypatch.setattr(User, "__init__", counting)
    made = generated.many_users.create_many_users(db_session)
    # Only `owner`, which is not in bulk.
    assert [kw["login"] for kw in built] == ["owner"]
    assert all(isinstance(u, User) for u in made.users)
