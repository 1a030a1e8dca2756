""" "Did you mean": a port of src/diagnostics/suggest.ts, the one suggestion algorithm of fixturegen.

Both answer test/diagnostics/suggest-cases.json the same way (tested on each side), so the guard's
hints (FG404, FG405) rank and phrase suggestions exactly as the scenario checks (FG203) do. Keep
the two files in step: the rules are described in the TypeScript one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable


def edit_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and adjacent transpositions (optimal string alignment)."""
    if a == b:
        return 0
    if not a:
        return len(b)
    if not b:
        return len(a)
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d = min(d, prev2[j - 2] + 1)
            cur.append(d)
        prev2, prev = prev, cur
    return prev[len(b)]


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    return [w for w in re.split(r"[^a-z0-9]+", spaced) if w]


def _words_within(part: list[str], whole: list[str]) -> bool:
    return len("".join(part)) >= 3 and all(w in whole for w in part)


def _ranked(word: str, candidates: Iterable[str]) -> list[tuple[bool, int, str]]:
    internal = word.startswith("_")
    out = []
    for c in set(candidates):
        if c == word or (c.startswith("_") and not internal):
            continue
        distance = edit_distance(word.lower(), c.lower())
        limit = max(1, max(len(word), len(c)) // 3)
        a, b = _words(word), _words(c)
        close = distance <= limit or _words_within(a, b) or _words_within(b, a)
        out.append((close, distance, c))
    # Close first, then by distance, then by code point (the TypeScript side compares UTF-16 units;
    # the names compared are ASCII identifiers, where both orders agree).
    out.sort(key=lambda r: (not r[0], r[1], r[2]))
    return out


def rank_by_similarity(word: str, candidates: Iterable[str]) -> list[str]:
    return [c for _, _, c in _ranked(word, candidates)]


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    ranked = _ranked(word, candidates)
    return ranked[0][2] if ranked and ranked[0][0] else None


def meant(text: str) -> str:
    return f"did you mean {json.dumps(text, ensure_ascii=False)}?"


def hint_for(word: str, candidates: Iterable[str], what: str, limit: int = 12) -> str:
    """`did you mean "x"?` when a candidate is close, else `<what>: a, b, …` by similarity."""
    ranked = _ranked(word, candidates)
    if ranked and ranked[0][0]:
        return meant(ranked[0][2])
    names = [c for _, _, c in ranked[:limit]]
    more = ", …" if len(ranked) > limit else ""
    return f"{what}: {', '.join(names) or 'none'}{more}"
