"""The helper's modules share only public names: a private one (`_x`) stays in its module."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "fixturegen_helper"


def test_no_module_imports_another_modules_private_name() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fixturegen_helper"):
                found += [
                    f"{path.relative_to(PACKAGE)}:{node.lineno} {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                ]
    assert found == []


def test_the_rest_of_the_helper_uses_only_the_verify_packages_public_api() -> None:
    """`fixturegen_helper.verify` is one package with one public API (its `__all__`): modules
    outside it import nothing from its submodules."""
    from fixturegen_helper import verify

    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fixturegen_helper.verify"):
                if node.module != "fixturegen_helper.verify":
                    found.append(f"{path.name}:{node.lineno} {node.module}")
                else:
                    found += [f"{path.name}:{node.lineno} {a.name}" for a in node.names if a.name not in verify.__all__]
    assert found == []
