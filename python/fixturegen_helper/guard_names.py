"""The static guard's knowledge of names (see `guard`): imports, checked against the allow-list
(FG402), what each variable is known to hold (a model instance, a list of them, or unknown), the
model class a call constructs, and how diagnostics are reported.

The checks that walk statements and expressions build on this (`guard_walk`), and the contract
check (FG406) on those (`guard`).
"""

from __future__ import annotations

import ast
from typing import Any

from fixturegen_helper.guard_model import _Model

ALLOWED_STDLIB = frozenset(
    {"__future__", "dataclasses", "datetime", "decimal", "enum", "uuid", "typing", "collections.abc", "json"}
)

DANGEROUS_NAMES = frozenset(
    {
        # modules
        "os", "sys", "subprocess", "socket", "shutil", "pathlib", "io", "importlib", "builtins",
        "ctypes", "pickle", "marshal", "signal", "threading", "multiprocessing", "tempfile",
        # built-ins
        "open", "eval", "exec", "compile", "__import__", "globals", "locals", "vars", "breakpoint",
        "input", "exit", "quit", "__builtins__", "__loader__", "__spec__",
    }
)

DANGEROUS_ATTRIBUTES = frozenset(
    {
        "os", "sys", "subprocess", "socket", "shutil", "pathlib", "builtins", "importlib", "ctypes",
        "__globals__", "__builtins__", "__subclasses__", "__bases__", "__base__", "__mro__",
        "__code__", "__closure__", "__import__", "__loader__", "__spec__", "__getattribute__",
        "__reduce__", "__reduce_ex__", "f_globals", "f_locals", "f_builtins", "f_back", "gi_frame",
        "cr_frame", "tb_frame",
    }
)

DYNAMIC_ACCESS = frozenset({"getattr", "setattr", "delattr", "hasattr"})


class _Names(ast.NodeVisitor):
    def __init__(self, source: str, params: dict[str, Any]) -> None:
        self.lines = source.splitlines()
        self.diagnostics: list[dict[str, Any]] = []
        self.allowed_models = [str(m) for m in params.get("allowedModules") or []]
        self.package = str(params.get("package") or "generated")
        self.models = [_Model(q, info or {}) for q, info in sorted((params.get("models") or {}).items())]
        self.by_location = {(m.module, m.class_name): m for m in self.models}
        # name -> ("symbol", module, name) for `from m import n`, ("module", dotted) for imports
        self.imports: dict[str, tuple[str, ...]] = {}
        self.scopes: list[dict[str, tuple[str, _Model] | None]] = [{}]

    # -- reporting ----------------------------------------------------------------------------

    def _column(self, lineno: int, col_offset: int) -> int:
        """ast gives UTF-8 byte offsets; report 1-based character columns."""
        if 1 <= lineno <= len(self.lines):
            line = self.lines[lineno - 1]
            return len(line.encode("utf-8")[:col_offset].decode("utf-8", errors="replace")) + 1
        return col_offset + 1

    def report(self, code: str, message: str, node: ast.AST | None, hint: str | None = None) -> None:
        if node is None or not hasattr(node, "lineno"):
            line, column = 1, 1
        else:
            line = node.lineno  # type: ignore[attr-defined]
            column = self._column(line, node.col_offset)  # type: ignore[attr-defined]
        found: dict[str, Any] = {"code": code, "message": message, "line": line, "column": column}
        if hint is not None:
            found["hint"] = hint
        self.diagnostics.append(found)

    # -- imports (FG402) ----------------------------------------------------------------------

    def allowed(self, module: str) -> bool:
        if module in ALLOWED_STDLIB or module == "pytest":
            return True
        for root in ["sqlalchemy", self.package, *self.allowed_models]:
            if module == root or module.startswith(root + "."):
                return True
        return False

    def _allow_list_text(self) -> str:
        names = sorted(ALLOWED_STDLIB) + ["pytest", "sqlalchemy"] + self.allowed_models + [self.package]
        return ", ".join(names)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if not self.allowed(alias.name):
                self.report(
                    "FG402",
                    f"import of {alias.name!r} is not allowed; generated code may import only: "
                    f"{self._allow_list_text()}",
                    node,
                )
                continue
            if alias.asname:
                self._bind_import(alias.asname, ("module", alias.name))
            else:
                top = alias.name.split(".")[0]
                self._bind_import(top, ("module", top))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            if node.level > 1:
                self.report("FG402", "relative import outside the output package is not allowed", node)
                return
            module = self.package + (f".{node.module}" if node.module else "")
        else:
            module = node.module or ""
        if not self.allowed(module) and not all(
            a.name != "*" and self.allowed(f"{module}.{a.name}") for a in node.names
        ):
            self.report(
                "FG402",
                f"import from {module!r} is not allowed; generated code may import only: "
                f"{self._allow_list_text()}",
                node,
            )
            return
        for alias in node.names:
            if alias.name == "*":
                continue
            self._bind_import(alias.asname or alias.name, ("symbol", module, alias.name))
            if alias.name in DANGEROUS_NAMES:
                self.report("FG403", f"{alias.name!r} reaches outside the test process and is not allowed", node)

    def _bind_import(self, name: str, target: tuple[str, ...]) -> None:
        if self.scopes and len(self.scopes) == 1:
            self.imports[name] = target
        else:
            self.imports.setdefault(name, target)
        self._bind(name, None)

    # -- model resolution ---------------------------------------------------------------------

    def _dotted(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            target = self.imports.get(node.id)
            if target is None:
                return None
            return target[1] if target[0] == "module" else f"{target[1]}.{target[2]}"
        if isinstance(node, ast.Attribute):
            base = self._dotted(node.value)
            return None if base is None else f"{base}.{node.attr}"
        return None

    def model_of_callee(self, func: ast.AST) -> _Model | None:
        if isinstance(func, ast.Name) and self._lookup(func.id) is not None:
            return None  # a local variable, not the imported class
        dotted = self._dotted(func)
        if dotted is None or "." not in dotted:
            return None
        module, name = dotted.rsplit(".", 1)
        model = self.by_location.get((module, name))
        if model is not None:
            return model
        # Re-exported from an allowed models package (`from crm import User`).
        if self.allowed(module) and not module.startswith(("sqlalchemy", self.package)):
            candidates = [m for m in self.models if m.class_name == name]
            if len(candidates) == 1:
                return candidates[0]
        return None

    # -- scopes and types ---------------------------------------------------------------------

    def _lookup(self, name: str) -> tuple[str, _Model] | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def _bind(self, name: str, kind: tuple[str, _Model] | None) -> None:
        self.scopes[-1][name] = kind

    def infer(self, node: ast.AST | None) -> tuple[str, _Model] | None:
        if node is None:
            return None
        if isinstance(node, ast.Call):
            model = self.model_of_callee(node.func)
            if model is not None:
                return ("model", model)
            if isinstance(node.func, ast.Name) and node.func.id in ("list", "sorted", "tuple") and node.args:
                inner = self.infer(node.args[0])
                return inner if inner and inner[0] == "list" else None
            return None
        if isinstance(node, ast.Name):
            return self._lookup(node.id)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            self.scopes.append({})
            try:
                for gen in node.generators:
                    self._bind_target(gen.target, gen.iter)
                elt = self.infer(node.elt)
            finally:
                self.scopes.pop()
            return ("list", elt[1]) if elt and elt[0] == "model" else None
        if isinstance(node, (ast.List, ast.Tuple)):
            kinds = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    k = self.infer(elt.value)
                    kinds.append(("model", k[1]) if k and k[0] == "list" else None)
                else:
                    kinds.append(self.infer(elt))
            if kinds and all(k is not None and k[0] == "model" for k in kinds):
                models = {k[1].qualname for k in kinds if k}
                if len(models) == 1:
                    return ("list", kinds[0][1])  # type: ignore[index]
            return None
        if isinstance(node, ast.Subscript):
            base = self.infer(node.value)
            if base and base[0] == "list":
                return base if isinstance(node.slice, ast.Slice) else ("model", base[1])
            return None
        if isinstance(node, ast.IfExp):
            a, b = self.infer(node.body), self.infer(node.orelse)
            return a if a and b and a[0] == b[0] and a[1] is b[1] else None
        if isinstance(node, ast.NamedExpr):
            return self.infer(node.value)
        return None

    def _bind_target(self, target: ast.AST, iterable: ast.AST) -> None:
        """Bind a for/comprehension target over `iterable`."""
        seq = self.infer(iterable)
        if isinstance(target, ast.Name):
            self._bind(target.id, ("model", seq[1]) if seq and seq[0] == "list" else None)
            return
        # for i, x in enumerate(models)
        if (
            isinstance(target, ast.Tuple)
            and len(target.elts) == 2
            and isinstance(iterable, ast.Call)
            and isinstance(iterable.func, ast.Name)
            and iterable.func.id == "enumerate"
            and iterable.args
        ):
            inner = self.infer(iterable.args[0])
            first, second = target.elts
            if isinstance(first, ast.Name):
                self._bind(first.id, None)
            if isinstance(second, ast.Name):
                self._bind(second.id, ("model", inner[1]) if inner and inner[0] == "list" else None)
            return
        self._clear_targets(target)

    def _clear_targets(self, target: ast.AST) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self._bind(node.id, None)
