"""The escape corpus (python/tests/escapes): complete fixture modules for the `tenant_with_team`
scenario of crm.models, each with one technique for getting out of the fixture's bounds.

Every entry is rejected by the guard with a positioned FG40x that points at a line the technique
changed. The entries marked `# canary: import` or `# canary: run` write a canary file when their
module is imported or its fixture runs; the control test runs them without the guard, as pytest
would run an accepted module, and shows that each one really leaves its canary (so that "no trace"
in test/llm-e2e/escapes.test.ts means something).
"""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import PYTHON_DIR, REPO
from guard_params import catalog_params

from fixturegen_helper.guard import guard

ESCAPES = Path(__file__).resolve().parent / "escapes"
CANARY = "/tmp/fixturegen-escape-canary"
ENTRIES = sorted(p for p in ESCAPES.glob("[0-9]*.py"))
CLEAN = (ESCAPES / "clean.py").read_text()


def canary_kind(text: str) -> str:
    match = re.search(r"^# canary: (\w+)$", text, re.MULTILINE)
    assert match, "every entry says whether it leaves a canary"
    return match.group(1)


LIVE = [p for p in ENTRIES if canary_kind(p.read_text()) in ("import", "run")]


@pytest.fixture(scope="module")
def params() -> dict[str, Any]:
    return catalog_params(["crm.models"])


def test_the_corpus_is_large_and_its_base_is_clean(params) -> None:
    assert len(ENTRIES) >= 60 and len(LIVE) >= 30
    assert guard({**params, "source": CLEAN})["diagnostics"] == []


@pytest.mark.parametrize("path", ENTRIES, ids=lambda p: p.stem)
def test_every_escape_is_rejected_where_it_is(params, path: Path) -> None:
    source = path.read_text()
    found = guard({**params, "source": source})["diagnostics"]
    assert found, f"{path.name} passed the guard"
    lines = source.splitlines()
    for d in found:
        assert re.fullmatch(r"FG40\d", d["code"]), d
        assert 1 <= d["line"] <= len(lines) and 1 <= d["column"] <= len(lines[d["line"] - 1]) + 1, d
        assert len(d["message"]) > 20, d
    changed: set[int] = set()
    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(None, CLEAN.splitlines(), lines).get_opcodes():
        if tag != "equal":
            changed.update(range(j1 + 1, max(j2, j1 + 1) + 1))
    assert any(d["line"] in changed for d in found), (path.name, found, sorted(changed))


def test_live_entries_leave_their_canary_when_run_unguarded(tmp_path: Path) -> None:
    """Control: what the guard rejects here would have run. Each live entry becomes a plugin module
    of a `generated` package (as verification loads an accepted module) and its fixture is run."""
    pkg = tmp_path / "generated"
    pkg.mkdir()
    names = []
    for n, path in enumerate(LIVE):
        name = f"e{n:02d}"
        text = path.read_text().replace(CANARY, str(tmp_path / f"canary-{name}"))
        text = text.replace("tenant_with_team", name).replace("TenantWithTeam", name.upper())
        (pkg / f"{name}.py").write_text(text)
        names.append(name)
    (pkg / "__init__.py").write_text(
        "import pytest\nfrom sqlalchemy import create_engine\nfrom sqlalchemy.orm import Session\n"
        "from crm.models import Base\n\n"
        f"pytest_plugins = {[f'generated.{n}' for n in names]!r}\n\n\n"
        "@pytest.fixture\ndef db_session():\n"
        '    engine = create_engine("sqlite://")\n    Base.metadata.create_all(engine)\n'
        "    with Session(engine) as session:\n        yield session\n"
    )
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["generated"]\n')
    tests = "".join(f"\n\ndef test_{n}({n}):\n    pass\n" for n in names)
    (tmp_path / "test_live.py").write_text(tests)
    env = {"PYTHONPATH": f"{tmp_path}:{REPO}:{PYTHON_DIR}", "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    missing = [LIVE[n].name for n, name in enumerate(names) if not (tmp_path / f"canary-{name}").exists()]
    assert missing == []
