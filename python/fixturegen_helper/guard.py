"""Static guard for candidate scenario modules (LLM output), run before anything imports them.

The source is only parsed (`ast.parse`), never executed. Each check has a stable code:

FG401  syntax error: the module does not parse (position of the error; no other check runs).
FG402  import outside the allow-list. Allowed: the standard-library data modules `__future__`,
       `dataclasses`, `datetime`, `decimal`, `enum`, `uuid`, `typing`, `collections.abc`, `json`;
       `pytest`; `sqlalchemy` and its submodules; the configured models modules (`allowedModules`)
       and their submodules; the output package and its submodules (`package`, default
       `generated`; a relative import from within the package counts as that).
FG403  a name or attribute that reaches outside the process or around the guard: the modules
       `os`, `sys`, `subprocess`, `socket`, `shutil`, `pathlib`, `io`, `importlib`, `builtins`,
       `ctypes`, `pickle`, `marshal`, `signal`, `threading`, `multiprocessing`, `tempfile`; the
       built-ins `open`, `eval`, `exec`, `compile`, `__import__`, `globals`, `locals`, `vars`,
       `breakpoint`, `input`, `exit`, `quit`; introspection attributes such as `__globals__`,
       `__subclasses__`, `__builtins__`, `__code__`, frame attributes; and `getattr`, `setattr`,
       `delattr`, `hasattr` with a name that is not a string literal (or a literal dunder name).
FG404  a model constructor called with a keyword that is not a mapped attribute of that class
       (hallucinated column or relationship names), with a "did you mean" when one is close.
FG405  an attribute read or written on a variable known to hold a model instance (assigned from a
       model constructor, an element of a list of them, or a loop variable over such a list) that
       the class does not have.
FG406  a name of the generated-code contract is missing or has the wrong shape: the frozen
       dataclass, the `create_<name>(session)` function, the `@pytest.fixture` function (which,
       when the contract gives `sessionFixture`, must take a parameter of that name; null means
       `db_session`).

Positions are 1-based lines and columns (characters, not bytes). This is a guard against mistakes
and careless output, not a sandbox: verification still runs the code in a child process with a
time limit.

The guard is one `ast.NodeVisitor` built in layers: `guard_model` (what is known of a model class),
`guard_names` (imports, scopes and what a variable holds; FG402), `guard_walk` (statements and
expressions; FG403-405) and, here, the contract check (FG406) and the entry point.
"""

from __future__ import annotations

import ast
from typing import Any

from fixturegen_helper.guard_walk import _Walk


class _Guard(_Walk):
    """The whole guard: `_Walk`'s checks of every node, and the contract's names at top level."""

    # -- contract (FG406) ---------------------------------------------------------------------

    def check_contract(self, tree: ast.Module, contract: dict[str, Any]) -> None:
        top: dict[str, ast.AST] = {}
        for stmt in tree.body:
            if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                top[stmt.name] = stmt
        class_name = contract.get("className")
        if class_name:
            node = top.get(class_name)
            if not isinstance(node, ast.ClassDef):
                self.report("FG406", f"the module must define the frozen dataclass `class {class_name}` at top level", None)
            elif not any(self._is_frozen_dataclass(d) for d in node.decorator_list):
                self.report(
                    "FG406",
                    f"class {class_name} must be a frozen dataclass: decorate it with "
                    "@dataclasses.dataclass(frozen=True)",
                    node,
                )
        create = contract.get("createName")
        if create:
            node = top.get(create)
            if not isinstance(node, ast.FunctionDef):
                self.report("FG406", f"the module must define `def {create}(session)` at top level", None)
            elif not (node.args.posonlyargs or node.args.args):
                self.report("FG406", f"{create}() must take the session as its first parameter", node)
        fixture = contract.get("fixtureName")
        if fixture:
            node = top.get(fixture)
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.report("FG406", f"the module must define the pytest fixture `def {fixture}(...)` at top level", None)
            elif not any(self._is_fixture(d) for d in node.decorator_list):
                self.report("FG406", f"{fixture}() must be decorated with @pytest.fixture", node)
            elif "sessionFixture" in contract:
                session = contract.get("sessionFixture") or "db_session"
                args = node.args
                names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
                if session not in names:
                    self.report(
                        "FG406",
                        f"{fixture}() must request the session fixture by taking a parameter named "
                        f"{session!r}",
                        node,
                    )

    def _is_frozen_dataclass(self, deco: ast.AST) -> bool:
        if not isinstance(deco, ast.Call):
            return False
        dotted = self._dotted(deco.func)
        if dotted != "dataclasses.dataclass":
            return False
        return any(
            k.arg == "frozen" and isinstance(k.value, ast.Constant) and k.value.value is True
            for k in deco.keywords
        )

    def _is_fixture(self, deco: ast.AST) -> bool:
        target = deco.func if isinstance(deco, ast.Call) else deco
        return self._dotted(target) == "pytest.fixture"


def guard(params: dict[str, Any]) -> dict[str, Any]:
    source = params.get("source")
    if not isinstance(source, str):
        from fixturegen_helper.introspect import HelperError

        raise HelperError("ProtocolError", "params.source must be a string")
    try:
        tree = ast.parse(source, filename="<candidate>")
    except SyntaxError as exc:
        line = exc.lineno or 1
        column = exc.offset or 1
        return {
            "diagnostics": [
                {"code": "FG401", "message": f"syntax error: {exc.msg}", "line": line, "column": max(1, column)}
            ]
        }
    g = _Guard(source, params)
    g.visit(tree)
    contract = params.get("contract")
    if isinstance(contract, dict):
        g.check_contract(tree, contract)
    seen: set[tuple[Any, ...]] = set()
    out = []
    for d in sorted(g.diagnostics, key=lambda d: (d["line"], d["column"], d["code"], d["message"])):
        key = (d["code"], d["line"], d["column"], d["message"])
        if key not in seen:
            seen.add(key)
            out.append(d)
    return {"diagnostics": out}
