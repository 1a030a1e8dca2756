"""The candidate's modules compiled ahead by the helper (warm.compiled): a child uses the code only
for the very source it was compiled from, reports errors at the child's own paths, and a module
verified again answers exactly as the first time."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sample_package as sp
from conftest import REPO, Helper

from fixturegen_helper.verify import warm
from fixturegen_helper.verify.folder import write_candidate

RAISES = sp.SCENARIO.replace("    session.flush()\n", "    session.flush()\n    raise ValueError('on purpose')\n", 1)


@pytest.fixture
def helper() -> Iterator[Helper]:
    h = Helper(REPO)
    h.result("introspect", {"models": ["crm.models"]})
    yield h
    h.close()


def _run(folder: Path, code: str) -> str:
    return subprocess.run(
        [sys.executable, "-B", "-c", f"import sys; sys.path.insert(0, {str(folder)!r})\n{code}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout


def test_compiled_code_is_kept_per_content_and_checked_against_the_source() -> None:
    first = warm.compiled("pkg/m.py", "X = 1\n")
    assert first is not None and warm.compiled("pkg/m.py", "X = 1\n") is first
    assert warm.compiled("pkg/m.py", "X = 2\n") != first
    assert warm.compiled("pkg/m.py", "def broken(:\n") is None
    flags = int.from_bytes(first[4:8], "little")
    assert flags == 0b11  # hash-based and checked: never used for another source


def test_a_child_imports_the_compiled_code_only_for_its_own_source(tmp_path: Path) -> None:
    write_candidate(
        str(tmp_path),
        {"files": {"pkg/__init__.py": "", "pkg/m.py": "X = 1\n"}, "sessionFixture": None, "expectations": []},
    )
    pyc = Path(importlib.util.cache_from_source(str(tmp_path / "pkg" / "m.py")))
    assert pyc.is_file()
    assert _run(tmp_path, "import pkg.m; print(pkg.m.X)").strip() == "1"
    # The same cached .pyc beside another source: the source's hash differs, so it is compiled anew.
    (tmp_path / "pkg" / "m.py").write_text("X = 2\n")
    assert _run(tmp_path, "import pkg.m; print(pkg.m.X)").strip() == "2"


def test_errors_point_at_the_childs_own_files(tmp_path: Path) -> None:
    source = "def f():\n    raise ValueError('here')\n"
    write_candidate(
        str(tmp_path),
        {"files": {"pkg/__init__.py": "", "pkg/m.py": source}, "sessionFixture": None, "expectations": []},
    )
    out = _run(
        tmp_path,
        "import traceback, pkg.m\ntry:\n    pkg.m.f()\nexcept ValueError:\n    traceback.print_exc(file=sys.stdout)",
    )
    assert f'File "{tmp_path / "pkg" / "m.py"}", line 2, in f' in out, out


def test_a_module_verified_again_answers_as_the_first_time(helper: Helper) -> None:
    params = sp.verify_params("run", files=sp.files(RAISES))
    first = helper.result("verify", params)
    helper.result("verify", sp.verify_params("run"))
    again = helper.result("verify", params)
    assert not first["ok"]
    for result in (first, again):
        message = next(t["message"] for t in result["tests"] if t["outcome"] != "passed")
        assert "on purpose" in message and "generated/tenant_with_team.py" in message, message
        assert "fixturegen-verify-" not in message
    strip = lambda r: [{k: v for k, v in t.items() if k != "durationMs"} for t in r["tests"]]
    assert strip(again) == strip(first)
