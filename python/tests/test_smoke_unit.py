"""The smoke test's reference arithmetic and object naming, without pytest in between."""

from __future__ import annotations

import pytest

from fixturegen_helper.verify import smoke


def ref(label, index=None):
    return {"kind": "ref", "label": label, "index": index}


LABELS = {"acme": "ACME", "users": ["u0", "u1", "u2"], "roles": ["r0", "r1"]}


@pytest.mark.parametrize(
    ("spec", "i", "expected"),
    [
        (ref("acme"), 5, "ACME"),
        (ref("users"), 0, ["u0", "u1", "u2"]),
        (ref("users", {"kind": "const", "value": 2}), 0, "u2"),
        (ref("users", {"kind": "i"}), 1, "u1"),
        (ref("users", {"kind": "mod", "k": 3}), 7, "u1"),
        (ref("roles", {"kind": "div", "k": 5}), 9, "r1"),
        ({"kind": "list", "items": [ref("acme"), ref("users")]}, 0, ["ACME", "u0", "u1", "u2"]),
        ({"kind": "cycle", "items": [ref("roles", {"kind": "const", "value": 1}), ref("acme")]}, 3, "ACME"),
        ({"kind": "cycle", "items": [ref("roles", {"kind": "i"}), ref("acme")]}, 0, "r0"),
    ],
)
def test_resolve(spec, i, expected):
    assert smoke.resolve(spec, i, LABELS) == expected


def test_resolve_errors_name_the_index():
    with pytest.raises(LookupError, match=r"users\[i % 4\] = users\[3\] \(i = 3\) is out of range: users has 3 items"):
        smoke.resolve(ref("users", {"kind": "mod", "k": 4}), 3, LABELS)
    with pytest.raises(LookupError, match="not available"):
        smoke.resolve(ref("nobody"), 0, LABELS)


def test_compare_messages():
    names = smoke._Names()
    a, b = object(), object()
    names.add(a, "acme")
    names.add(b, "users[1]")
    assert smoke._compare("x", "tenant", None, a, a, names) is None
    assert smoke._compare("x", "tenant", None, b, a, names) == "x.tenant is users[1] not acme"
    assert smoke._compare("t", "members", None, [a], [a, b], names) == (
        "t.members is missing users[1] (expected 2 members, found 1)"
    )
    # Members the other side of the relationship added are wrong only in an exact collection.
    assert smoke._compare("t", "members", None, [a, b], [a], names) == (
        "t.members has unexpected users[1] (expected 1 members, found 2)"
    )
    assert smoke._compare("t", "members", None, [a, b], [a], names, exact=False) is None
    assert smoke._compare("t", "members", None, [b], [a], names, exact=False) == (
        "t.members is missing acme (expected 1 members, found 1)"
    )
