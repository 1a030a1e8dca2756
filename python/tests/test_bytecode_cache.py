"""The helper's own modules load from its bytecode cache after the first start, and an edited
source is compiled again (never served stale bytecode), mtime or not."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "fixturegen_helper"

# A start of the helper as the client makes it (PYTHONDONTWRITEBYTECODE=1 and the cache folder),
# counting what Python compiles from source.
PROBE = r"""
import builtins, json, sys
compiled = []
_compile = builtins.compile
def counting(source, filename, *args, **kwargs):
    compiled.append(str(filename))
    return _compile(source, filename, *args, **kwargs)
builtins.compile = counting
import fixturegen_helper.protocol, fixturegen_helper.introspect, fixturegen_helper.errors
m = sys.modules["fixturegen_helper.protocol"]
print(json.dumps({
    "compiled": [f for f in compiled if "fixturegen_helper" in f],
    "cached": m.__cached__,
    "loader": type(m.__spec__.loader).__module__,
    "marker": getattr(sys.modules["fixturegen_helper.errors"], "MARKER", None),
}))
"""


def start(python_path: Path, cache: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "PYTHONPATH": str(python_path),
        "PYTHONDONTWRITEBYTECODE": "1",
        "FIXTUREGEN_HELPER_PYCACHE": str(cache),
    }
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def own(compiled: object) -> set[str]:
    """The package's modules compiled from source, except the two that load before the cache."""
    assert isinstance(compiled, list)
    names = {Path(f).name for f in compiled}
    return names - {"__init__.py", "bytecode_cache.py"}


def test_second_start_loads_the_helper_from_bytecode(tmp_path: Path) -> None:
    cache = tmp_path / "pycache"
    first = start(PACKAGE.parent, cache)
    assert {"protocol.py", "introspect.py", "errors.py"} <= own(first["compiled"])
    assert first["loader"] == "fixturegen_helper.bytecode_cache"
    cached = Path(str(first["cached"]))
    assert cached.parent == cache and cached.is_file()

    second = start(PACKAGE.parent, cache)
    assert own(second["compiled"]) == set()
    assert second["cached"] == first["cached"]


def test_an_edited_source_is_compiled_again_even_with_its_old_mtime_and_size(tmp_path: Path) -> None:
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "fixturegen_helper", ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "pycache"
    errors = copy / "fixturegen_helper" / "errors.py"
    text = errors.read_text(encoding="utf-8")
    errors.write_text(text + "\nMARKER = 1\n", encoding="utf-8")
    assert start(copy, cache)["marker"] == 1
    assert own(start(copy, cache)["compiled"]) == set()

    # Same size, same mtime, other bytes: an mtime-based pyc would be taken as current.
    stat = errors.stat()
    errors.write_text(text + "\nMARKER = 2\n", encoding="utf-8")
    os.utime(errors, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert errors.stat().st_size == stat.st_size
    edited = start(copy, cache)
    assert edited["marker"] == 2
    assert own(edited["compiled"]) == {"errors.py"}
    # Nothing was written next to the sources.
    assert not (copy / "fixturegen_helper" / "__pycache__").exists()


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = start(PACKAGE.parent, blocker / "pycache")
    assert "protocol.py" in own(result["compiled"])
