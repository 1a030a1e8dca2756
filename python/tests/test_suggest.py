"""The Python port of the suggestion algorithm answers test/diagnostics/suggest-cases.json exactly
as src/diagnostics/suggest.ts does (test/diagnostics/suggest.test.ts checks the TypeScript side)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixturegen_helper.suggest import hint_for, meant, rank_by_similarity, suggest

CASES = json.loads((Path(__file__).parents[2] / "test" / "diagnostics" / "suggest-cases.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["word"] for c in CASES])
def test_same_answers_as_typescript(case: dict) -> None:
    assert suggest(case["word"], case["candidates"]) == case["suggest"]
    assert rank_by_similarity(case["word"], case["candidates"]) == case["ranked"]
    assert hint_for(case["word"], case["candidates"], "known") == case["hint"]


def test_hint_shape() -> None:
    assert meant("is_owner") == 'did you mean "is_owner"?'
