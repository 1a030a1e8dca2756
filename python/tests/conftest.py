"""Shared set-up for the helper's tests: import paths and a helper process driven over JSON lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
PYTHON_DIR = TESTS.parent
REPO = PYTHON_DIR.parent

for entry in (str(TESTS), str(PYTHON_DIR), str(REPO)):
    if entry not in sys.path:
        sys.path.insert(0, entry)


class Helper:
    """`python -m fixturegen_helper` in a project folder, one request at a time."""

    def __init__(self, cwd: Path, extra_path: list[str] | None = None, extra_env: dict[str, str] | None = None) -> None:
        self.cwd = Path(cwd).resolve()
        env = {**os.environ, **(extra_env or {})}
        env["PYTHONPATH"] = os.pathsep.join([str(PYTHON_DIR), *(extra_path or [])])
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fixturegen_helper"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.next_id = 0

    def send(self, line: str) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        assert answer, f"the helper exited: {self.stderr_tail()}"
        return json.loads(answer)

    def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.next_id += 1
        response = self.send(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
        assert response["id"] == self.next_id, response
        return response

    def result(self, method: str, params: dict[str, Any] | None = None) -> Any:
        response = self.request(method, params)
        assert "error" not in response, response["error"]
        return response["result"]

    def close(self) -> tuple[str, str]:
        """End input; returns whatever was left on stdout (must be nothing) and stderr."""
        out, err = self.proc.communicate(timeout=30)
        return out, err

    def stderr_tail(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        assert self.proc.stderr is not None
        return self.proc.stderr.read()[-2000:]


@pytest.fixture(scope="session")
def helper() -> Iterator[Helper]:
    """A warm helper in the repository root (which has a `generated/` folder of its own)."""
    h = Helper(REPO)
    h.result("introspect", {"models": ["crm.models"]})
    yield h
    out, _ = h.close()
    assert out == ""


NOISY_MODELS = '''\
"""Models whose import prints, at the Python level and straight to file descriptor 1."""
import os
import sys

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

print("noisy: print() at import")
sys.stdout.write("noisy: sys.stdout.write at import\\n")
os.write(1, b"noisy: os.write(1) at import\\n")


class NoisyBase(DeclarativeBase):
    pass


class Note(NoisyBase):
    __tablename__ = "note"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(200))
'''

BROKEN_MODELS = '''\
"""A relationship to a class that does not exist: configure_mappers() fails."""
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class BrokenBase(DeclarativeBase):
    pass


class Orphan(BrokenBase):
    __tablename__ = "orphan"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent = relationship("Nowhere")
'''


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user project: the CRM models, noisy and broken models, and a `generated/` package of its
    own that must never be imported by verification (it raises)."""
    root = tmp_path_factory.mktemp("project")
    (root / "crm").symlink_to(REPO / "crm", target_is_directory=True)
    (root / "noisy_models.py").write_text(NOISY_MODELS)
    (root / "broken_models.py").write_text(BROKEN_MODELS)
    (root / "generated").mkdir()
    (root / "generated" / "__init__.py").write_text(
        'raise RuntimeError("the project\'s own generated package was imported")\n'
    )
    return root


@pytest.fixture(scope="session")
def project_helper(project: Path) -> Iterator[Helper]:
    h = Helper(project)
    yield h
    out, _ = h.close()
    assert out == "", f"non-protocol output on stdout: {out!r}"
