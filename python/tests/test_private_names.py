"""The helper's modules share only public names: a private one (`_x`) stays in its module."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "fixturegen_helper"


def test_no_module_imports_another_modules_private_name() -> None:
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fixturegen_helper"):
                found += [
                    f"{path.name}:{node.lineno} {node.module}.{a.name}" for a in node.names if a.name.startswith("_")
                ]
    assert found == []
