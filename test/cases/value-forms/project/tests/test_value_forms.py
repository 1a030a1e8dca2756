"""Every value form, read back from the database (after expire_all) where it is stored."""

from sqlalchemy import func, select

from shop.models import Note, Staff, Team, Tenant, team_member


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_cycles_escapes_braces_and_json(forms, db_session):
    s = forms
    ids = {
        "crew": [c.id for c in s.crew],
        "leads": [u.id for u in s.leads],
        "notes": [n.id for n in s.notes],
        "pairs": [p.id for p in s.pairs],
    }
    db_session.expire_all()
    crew = [db_session.get(Staff, k) for k in ids["crew"]]
    leads = [db_session.get(Staff, k) for k in ids["leads"]]
    # "@@crew{n}" is the literal @ followed by an interpolation; {{x}} is a literal brace pair.
    assert [c.handle for c in crew] == ["@crew1", "crew-1-{x}", "c3", "@crew4", "crew-4-{x}", "c6"]
    # Items of a cycle of any form: literal, null, escaped braces, a nested cycle (by the same i).
    assert [c.role for c in crew] == ["admin", None, "{braces}", "y", "admin", None]
    # References in a cycle, constant and indexed by i.
    assert [c.manager for c in crew] == [leads[0], leads[1], None, leads[0], leads[0], None]
    acme = db_session.get(Tenant, s.acme.id)
    assert acme.name == "@acme"
    assert acme.settings == {
        "theme": "dark",
        "limits": {"seats": 10, "ratio": 0.5},
        "flags": [True, None],
        'quote"': "a\\b",
    }
    assert acme.tags == ["red", 2, {"k": "v"}, []]
    notes = [db_session.get(Note, k) for k in ids["notes"]]
    # An interpolated string on an Integer column is converted after interpolation.
    assert [n.line_no for n in notes] == [1, 2, 3, 4, 5]
    assert all(isinstance(n.line_no, int) for n in notes)
    assert [n.body for n in notes] == [f"Line {n} of {{many}}" for n in range(1, 6)]
    assert [n.label for n in notes] == [f"@n{i}" for i in range(5)]
    assert [n.author_id for n in notes] == [None, crew[1].id, None, crew[3].id, None]
    assert [n.payload for n in notes] == [{"a": 1}, [1, 2], "text", 3.5, {"a": 1}]


def test_lists_of_references_on_many_to_many(forms, db_session):
    s = forms
    lead_ids = [u.id for u in s.leads]
    crew_ids = [c.id for c in s.crew]
    core_id, all_hands_id, pair_ids = s.core.id, s.all_hands.id, [p.id for p in s.pairs]
    squad_ids = [q.id for q in s.squads]
    db_session.expire_all()
    core = db_session.get(Team, core_id)
    assert sorted(m.id for m in core.members) == sorted([lead_ids[0], crew_ids[1]])
    assert core.lead_id == lead_ids[1]
    # A whole list label on a collection.
    assert sorted(m.id for m in db_session.get(Team, all_hands_id).members) == sorted(crew_ids)
    pairs = [db_session.get(Team, k) for k in pair_ids]
    for i, pair in enumerate(pairs):
        assert sorted(m.id for m in pair.members) == sorted([lead_ids[i % 2], crew_ids[i]])
    # leads[i // 2] only where the cycle takes it: instances 1 and 3.
    assert [p.lead_id for p in pairs] == [None, lead_ids[0], None, lead_ids[1], None]
    squads = [db_session.get(Team, k) for k in squad_ids]
    assert [sorted(m.id for m in q.members) for q in squads] == [
        sorted([lead_ids[0], crew_ids[0]]),
        sorted(crew_ids),
        [],
    ]
    assert _count(db_session, team_member) == 2 + 6 + 2 * 5 + 2 + 6


def test_one_to_many_set_from_the_parent(staff_via_parent, db_session):
    s = staff_via_parent
    acme_id, globex_id = s.acme.id, s.globex.id
    crew_ids = [c.id for c in s.crew]
    db_session.expire_all()
    acme = db_session.get(Tenant, acme_id)
    assert sorted(c.id for c in acme.staff) == sorted(crew_ids)
    assert acme.billing_contact_id == s.billing.id
    globex = db_session.get(Tenant, globex_id)
    assert sorted(c.handle for c in globex.staff) == ["alice", "bob"]
    assert db_session.get(Note, s.a_note.id).author_id == crew_ids[0]
    assert _count(db_session, Staff) == 5 and _count(db_session, Tenant) == 2


def test_lists_referencing_their_own_earlier_instances(self_reference, db_session):
    s = self_reference
    chain_ids = [c.id for c in s.chain]
    tree_ids = [t.id for t in s.tree]
    db_session.expire_all()
    chain = [db_session.get(Staff, k) for k in chain_ids]
    assert [c.manager_id for c in chain] == [
        None if i % 2 == 0 else chain_ids[i // 2] for i in range(7)
    ]
    assert [c.handle for c in chain[0].reports] == ["chain2"]
    tree = [db_session.get(Staff, k) for k in tree_ids]
    assert [t.manager_id for t in tree] == [None if i % 2 == 0 else tree_ids[0] for i in range(7)]


def test_each_test_starts_empty(db_session):
    for model in (Tenant, Staff, Team, Note):
        assert _count(db_session, model) == 0
