"""The static guard's walk over statements and expressions (see `guard`): it keeps the scopes of
`guard_names` up to date as bindings happen, and reports dangerous names and attributes (FG403),
unknown constructor keywords (FG404) and unknown attributes of model instances (FG405).
"""

from __future__ import annotations

import ast
from typing import Any, Iterable

from fixturegen_helper.guard_model import _Model
from fixturegen_helper.guard_names import DANGEROUS_ATTRIBUTES, DANGEROUS_NAMES, DYNAMIC_ACCESS, _Names
from fixturegen_helper.suggest import hint_for


class _Walk(_Names):
    # -- statements ---------------------------------------------------------------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        kind = self.infer(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.imports.pop(target.id, None)  # no longer the imported name
                self._bind(target.id, kind)
            else:
                self.visit(target)
                if isinstance(target, (ast.Tuple, ast.List)):
                    self._clear_targets(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.annotation)
        if isinstance(node.target, ast.Name):
            self._bind(node.target.id, self.infer(node.value))
        else:
            self.visit(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        self.visit(node.target)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self._bind_target(node.target, node.iter)
        for stmt in node.body + node.orelse:
            self.visit(stmt)

    visit_AsyncFor = visit_For  # type: ignore[assignment]

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._clear_targets(item.optional_vars)
        for stmt in node.body:
            self.visit(stmt)

    def _visit_comprehension(self, node: Any, parts: Iterable[ast.AST]) -> None:
        self.scopes.append({})
        try:
            for gen in node.generators:
                self.visit(gen.iter)
                self._bind_target(gen.target, gen.iter)
                for cond in gen.ifs:
                    self.visit(cond)
            for part in parts:
                self.visit(part)
        finally:
            self.scopes.pop()

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._visit_comprehension(node, [node.elt])

    visit_SetComp = visit_ListComp  # type: ignore[assignment]
    visit_GeneratorExp = visit_ListComp  # type: ignore[assignment]

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._visit_comprehension(node, [node.key, node.value])

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
            self.visit(default)
        if not isinstance(node, ast.Lambda):
            for deco in node.decorator_list:
                self.visit(deco)
            if node.returns is not None:
                self.visit(node.returns)
            self._bind(node.name, None)
        scope: dict[str, Any] = {}
        args = node.args
        for arg in args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]:
            scope[arg.arg] = None
            if arg.arg in DANGEROUS_NAMES:
                self.report("FG403", f"{arg.arg!r} reaches outside the test process and is not allowed", arg)
        self.scopes.append(scope)
        try:
            body = node.body if isinstance(node.body, list) else [node.body]
            for stmt in body:
                self.visit(stmt)
        finally:
            self.scopes.pop()

    visit_FunctionDef = _visit_function  # type: ignore[assignment]
    visit_AsyncFunctionDef = _visit_function  # type: ignore[assignment]
    visit_Lambda = _visit_function  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in node.decorator_list + node.bases + [k.value for k in node.keywords]:
            self.visit(expr)
        self._bind(node.name, None)
        self.scopes.append({})
        try:
            for stmt in node.body:
                self.visit(stmt)
        finally:
            self.scopes.pop()

    # -- expressions --------------------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in DANGEROUS_NAMES:
            self.report("FG403", f"{node.id!r} reaches outside the test process and is not allowed", node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.visit(node.value)
        kind = self.infer(node.value)
        if kind is not None and kind[0] == "model":
            model = kind[1]
            names = model.attribute_names()
            if node.attr not in names:
                message, hint = self._unknown(model, node.attr, "attribute", names)
                self.report("FG405", message, node, hint)
                return
        if node.attr in DANGEROUS_ATTRIBUTES:
            self.report("FG403", f"attribute {node.attr!r} reaches outside the test process and is not allowed", node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in DYNAMIC_ACCESS and self._lookup(func.id) is None:
            name_arg = node.args[1] if len(node.args) > 1 else None
            if not (isinstance(name_arg, ast.Constant) and isinstance(name_arg.value, str)):
                self.report("FG403", f"{func.id}() with a computed attribute name is not allowed; use obj.attribute", node)
            elif name_arg.value.startswith("__") or name_arg.value in DANGEROUS_ATTRIBUTES:
                self.report("FG403", f"{func.id}() of {name_arg.value!r} is not allowed", node)
        model = self.model_of_callee(func)
        if model is not None:
            allowed = model.keyword_names()
            for kw in node.keywords:
                if kw.arg is not None and kw.arg not in allowed:
                    message, hint = self._unknown(model, kw.arg, "keyword", allowed)
                    self.report("FG404", message, kw, hint)
        self.generic_visit(node)

    def _unknown(self, model: _Model, name: str, what: str, names: set[str]) -> tuple[str, str]:
        if what == "keyword":
            text = f"{model.class_name}() has no mapped attribute {name!r}"
        else:
            text = f"{model.class_name} instances have no attribute {name!r}"
        return text, hint_for(name, model.attributes or names, f"mapped attributes of {model.qualname}", 30)
