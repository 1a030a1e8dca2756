"""The allow-list guard's check of function bodies (see `guard`): every statement and expression
must be of a kind fixture code needs; anything else is reported where it starts.

FG403 an unknown name, a disallowed call or attribute, a `_`-prefixed name; FG404 a constructor
keyword that is not a mapped attribute (or dataclass field); FG405 an unknown attribute of a model
instance; FG409 a statement or expression outside the subset.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from fixturegen_helper.guard_model import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CALLS,
    ALLOWED_STATEMENTS,
    BUILTIN_CALLS,
    BUILTIN_NAMES,
    BULK_CALL,
    LIST_METHODS,
    LITERAL_METHODS,
    SESSION_METHODS,
)
from fixturegen_helper.guard_names import PENDING, SESSION, Kind, Names, join, short

STATEMENT_NAMES = {
    ast.While: "`while` loops", ast.Try: "`try` statements", ast.With: "`with` statements",
    ast.AsyncWith: "`async with`", ast.AsyncFor: "`async for`", ast.Raise: "`raise`",
    ast.Assert: "`assert`", ast.Delete: "`del`", ast.Global: "`global`", ast.Nonlocal: "`nonlocal`",
    ast.Import: "imports inside a function", ast.ImportFrom: "imports inside a function",
    ast.FunctionDef: "nested functions", ast.AsyncFunctionDef: "nested functions",
    ast.ClassDef: "class definitions inside a function", ast.Break: "`break`", ast.Continue: "`continue`",
}  # fmt: skip
EXPRESSION_NAMES = {
    ast.Lambda: "lambdas", ast.NamedExpr: "assignment expressions (:=)", ast.Await: "`await`",
    ast.Yield: "`yield`", ast.YieldFrom: "`yield from`", ast.Starred: "`*` unpacking outside a list",
}  # fmt: skip


class Walk(Names):
    def annotation(self, node: ast.AST) -> None:
        """An annotation's checks (FG409): the top level's rules, so `guard_top.Top` defines them."""
        raise NotImplementedError

    # -- functions ----------------------------------------------------------------------------

    def check_body(self, body: list[ast.stmt], params: dict[str, Kind]) -> None:
        """A function body: infer its locals' kinds from all their bindings, then check each statement."""
        bindings: dict[str, list[tuple[str, ast.AST]]] = {}
        for stmt in body:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Assign):
                    for t in node.targets:
                        for n in _names(t):
                            bindings.setdefault(n, []).append(("value" if isinstance(t, ast.Name) else "", node.value))
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    bindings.setdefault(node.target.id, []).append(("ann", node))
                elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                    bindings.setdefault(node.target.id, []).append(("", node))
                elif isinstance(node, (ast.For, ast.AsyncFor)):
                    for n in _names(node.target):
                        bindings.setdefault(n, []).append(
                            ("loop" if isinstance(node.target, ast.Name) else "", node.iter)
                        )
        scope: dict[str, Kind] = dict(params)
        scope.update({n: PENDING for n in bindings if n not in params})
        self.scopes = [scope]
        for _ in range(6):
            changed = False
            for name, entries in bindings.items():
                if params.get(name) == SESSION:
                    continue  # reassigning the session is reported by `bind`
                kinds: list[Kind] = [params[name]] if name in params else []
                for how, node in entries:
                    kinds.append(self._binding_kind(how, node))
                new = join(kinds)
                if new != scope[name]:
                    scope[name], changed = new, True
            if not changed:
                break
        for name, kind in scope.items():
            if kind == PENDING:
                scope[name] = None
        for stmt in body:
            self.statement(stmt)
        self.scopes = []

    def _binding_kind(self, how: str, node: ast.AST) -> Kind:
        if how == "value":
            return self.infer(node)
        if how == "loop":
            seq = self.infer(node)
            return ("model", seq[1]) if seq and seq[0] == "list" and seq[1] else None
        if how == "ann" and isinstance(node, ast.AnnAssign):
            value = self.infer(node.value)
            if value == ("list", ""):
                return self.annotation_kind(node.annotation) or value
            return value
        return None

    def bind(self, name: str, node: ast.AST) -> None:
        """A local binding: never over a top-level name, a built-in, or the session."""
        if not self.check_identifier(name, node):
            return
        # A label may share the scenario's name: the fixture function is never called from here.
        if (name in self.things and self.things[name][0] != "fixture") or name in BUILTIN_NAMES:
            self.report(
                "FG409", f"{name!r} is already a name of the module or of Python; pick another local name", node
            )
        elif self.kind_of(name) == SESSION:
            self.report("FG409", f"{name!r} holds the session and may not be reassigned", node)

    # -- statements ---------------------------------------------------------------------------

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return
            if not isinstance(node.value, ast.Call) and type(node.value) not in EXPRESSION_NAMES:
                self.report("FG409", f"an expression on its own line does nothing; {ALLOWED_STATEMENTS}", node)
            self.expr(node.value)
        elif isinstance(node, ast.Assign):
            self.expr(node.value)
            for target in node.targets:
                self.target(target)
        elif isinstance(node, ast.AnnAssign):
            if node.value is None:
                self.report("FG409", "a local annotation needs a value: `name: type = value`", node)
            else:
                self.expr(node.value)
            self.annotation(node.annotation)
            self.target(node.target)
        elif isinstance(node, ast.AugAssign):
            self.expr(node.value)
            self.target(node.target)
        elif isinstance(node, ast.For):
            if not self._is_range(node.iter):
                self.report(
                    "FG409",
                    "a `for` loop may only run over `range(...)`; use a list comprehension over a list",
                    node.iter,
                )
            self.expr(node.iter)
            self.target(node.target)
            self.statements(node.body + node.orelse)
        elif isinstance(node, ast.If):
            self.expr(node.test)
            self.statements(node.body + node.orelse)
        elif isinstance(node, ast.Return):
            if node.value is not None:
                self.expr(node.value)
        elif isinstance(node, ast.Pass):
            return
        else:
            what = STATEMENT_NAMES.get(type(node), f"`{type(node).__name__}` statements")
            self.report("FG409", f"fixture code may not use {what}: {ALLOWED_STATEMENTS}", node)

    def statements(self, nodes: Iterable[ast.stmt]) -> None:
        for stmt in nodes:
            self.statement(stmt)

    def target(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            self.bind(node.id, node)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for elt in node.elts:
                self.target(elt)
        elif isinstance(node, ast.Attribute):
            self.attribute(node, store=True)
        else:
            self.report("FG409", f"assign to a name or a mapped attribute only; {ALLOWED_STATEMENTS}", node)

    def _is_range(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range"

    # -- expressions --------------------------------------------------------------------------

    def expr(self, node: ast.AST | None) -> None:
        if node is None:
            return
        if isinstance(node, ast.Constant):
            return
        if isinstance(node, ast.Name):
            if not self.check_identifier(node.id, node):
                return
            if not self.local(node.id):
                if node.id in self.things or node.id in BUILTIN_CALLS:
                    self.report(
                        "FG403", f"{node.id!r} may only be called here, not used as a value; {ALLOWED_CALLS}", node
                    )
                else:
                    self.report("FG403", f"{node.id!r} is not a name fixture code may use; {ALLOWED_CALLS}", node)
        elif isinstance(node, ast.Attribute):
            self.attribute(node, store=False)
        elif isinstance(node, ast.Call):
            self.call(node)
        elif isinstance(node, ast.Subscript):
            thing = self.thing(node.value)
            if thing is not None and thing[0] == "enum":
                self.expr(node.slice)  # Enum["member"]
            else:
                self.expr(node.value)
                self.expr(node.slice)
        elif isinstance(node, ast.Slice):
            for part in (node.lower, node.upper, node.step):
                self.expr(part)
        elif isinstance(
            node,
            (ast.BinOp, ast.BoolOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Dict, ast.JoinedStr, ast.FormattedValue),
        ):
            if isinstance(node, ast.Dict) and any(k is None for k in node.keys):
                self.report("FG409", "`**` unpacking is not allowed in fixture code", node)
            for child in ast.iter_child_nodes(node):
                if not isinstance(child, (ast.operator, ast.boolop, ast.unaryop, ast.cmpop)):
                    self.expr(child)
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for elt in node.elts:
                self.expr(elt.value if isinstance(elt, ast.Starred) else elt)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            self.comprehension(node)
        elif isinstance(node, ast.Await) and self.known.is_async and self._awaitable(node.value):
            self.awaited.add(id(node.value))
            self.expr(node.value)
        else:
            what = EXPRESSION_NAMES.get(type(node), f"`{type(node).__name__}` expressions")
            self.report("FG409", f"fixture code may not use {what}", node)

    def _awaitable(self, node: ast.AST) -> bool:
        """What an async module awaits: `session.flush()`, an extended scenario's create function and
        the package's insert_rows."""
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "flush" and self.infer(func.value) == SESSION:
            return True
        thing = self.thing(func)
        return thing is not None and thing[0] in ("create", "bulk")

    def comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> None:
        self.scopes.append({})
        try:
            for gen in node.generators:
                if gen.is_async:
                    self.report("FG409", "`async for` is not allowed in fixture code", gen.iter)
                self.expr(gen.iter)
                self.bind_loop(gen.target, gen.iter)
                self.target(gen.target)
                for cond in gen.ifs:
                    self.expr(cond)
            parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            for part in parts:
                self.expr(part)
        finally:
            self.scopes.pop()

    def attribute(self, node: ast.Attribute, store: bool) -> None:
        if not self.check_identifier(node.attr, node):
            return
        thing = self.thing(node)
        if thing is not None and thing[0] == "value" and not store:
            return  # datetime.timezone.utc, Enum.member
        base = self.infer(node.value)
        if base and base[0] == "model" and base[1]:
            model = self.model(base[1])
            if model is not None and node.attr not in model.attributes:
                text, hint = self._unknown(model, node.attr, "attribute", model.attributes)
                self.report("FG405", text, node, hint)
                return
            if model is not None:
                self.expr(node.value)
                return
        if base and base[0] == "parent" and not store:
            scenario = self.known.scenarios.get(base[1])
            if scenario is not None and node.attr in scenario.labels:
                self.expr(node.value)
                return
        if self.thing(node.value) is not None or self.thing(node) is not None:
            what = f"{short(node)!r} is not allowed here"
        else:
            what = f"attribute {node.attr!r} is not allowed here"
        self.report("FG403", f"{what}; {ALLOWED_ATTRIBUTES}", node)

    def call(self, node: ast.Call) -> None:
        func = node.func
        thing = self.thing(func)
        if thing is not None and thing[0] == "runtime":
            self._runtime_call(node)
            return
        if thing is not None and thing[0] == "bulk":
            self._bulk_call(node)
            return
        for kw in node.keywords:
            if kw.arg is None:
                self.report("FG409", "`**` unpacking is not allowed in fixture code", kw.value)
            else:
                self.check_identifier(kw.arg, kw)
            self.expr(kw.value)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.report("FG409", "`*` unpacking of call arguments is not allowed in fixture code", arg)
                self.expr(arg.value)
            else:
                self.expr(arg)
        if (
            self.known.is_async
            and id(node) not in self.awaited
            and (
                (thing is not None and thing[0] in ("create", "bulk"))
                or (isinstance(func, ast.Attribute) and func.attr == "flush" and self.infer(func.value) == SESSION)
            )
        ):
            self.report(
                "FG409", f"{short(func)}() is a coroutine in an async module: write `await {short(func)}(...)`", node
            )
        if thing is not None and thing[0] in ("model", "enum", "ctor", "create", "dataclass"):
            self._keywords(node, thing)
            return
        if isinstance(func, ast.Name) and func.id in BUILTIN_CALLS and not self.local(func.id):
            return
        if isinstance(func, ast.Attribute) and self._allowed_method(func, node):
            return
        if isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Constant, ast.JoinedStr)):
            self.report("FG403", f"string method {func.attr!r} is not allowed; {ALLOWED_CALLS}", func)
        else:
            if not isinstance(func, (ast.Name, ast.Attribute)):
                self.expr(func)  # a lambda, a call's result, a subscript: say what it is too
            self.report("FG403", f"calling {short(func)!r} is not allowed; {ALLOWED_CALLS}", func)

    def _bulk_call(self, node: ast.Call) -> None:
        """The package's `insert_rows(session, Model, rows, overrides, "label")`: the class is handed
        over by name (the only place a model class is not called), the rows are a list."""
        args = node.args
        shaped = len(args) == 5 and not node.keywords
        cls = args[1] if shaped and isinstance(args[1], ast.Name) else None
        model = self.thing(cls) if cls is not None and not self.local(cls.id) else None
        is_model = model is not None and model[0] == "model"
        for kw in node.keywords:
            self.expr(kw.value)
        for k, arg in enumerate(args):
            if isinstance(arg, ast.Starred):
                self.report("FG409", "`*` unpacking of call arguments is not allowed in fixture code", arg)
            elif not (k == 1 and is_model):
                self.expr(arg)
        rows = self.infer(args[2]) if shaped else None
        label = args[4] if shaped else None
        if not (
            shaped
            and is_model
            and self.infer(args[0]) == SESSION
            and rows
            and rows[0] == "list"
            and isinstance(label, ast.Constant)
            and isinstance(label.value, str)
        ):
            self.report("FG403", f"insert_rows takes {BULK_CALL}", node)
        if self.known.is_async and id(node) not in self.awaited:
            self.report(
                "FG409",
                f"{short(node.func)}() is a coroutine in an async module: write `await {short(node.func)}(...)`",
                node,
            )

    def _runtime_call(self, node: ast.Call) -> None:
        """A call of the output package's own functions: its arguments are expressions fixture code
        may use, or the scenario's own dataclass or create function, handed over by name."""
        for kw in node.keywords:
            self.report("FG409", f"{short(node.func)}() takes positional arguments only", kw)
        for arg in node.args:
            if isinstance(arg, ast.Name) and not self.local(arg.id):
                thing = self.things.get(arg.id)
                if (
                    thing is not None
                    and thing[0] in ("dataclass", "create")
                    and (thing[1] is None or thing[0] == "dataclass")
                ):
                    continue
            if isinstance(arg, ast.Starred):
                self.report("FG409", "`*` unpacking of call arguments is not allowed in fixture code", arg)
                continue
            self.expr(arg)

    def _allowed_method(self, func: ast.Attribute, node: ast.Call) -> bool:
        receiver = func.value
        if (
            func.attr in LITERAL_METHODS
            and not node.args
            and not node.keywords
            and (
                isinstance(receiver, ast.JoinedStr)
                or (isinstance(receiver, ast.Constant) and isinstance(receiver.value, str))
            )
        ):
            self.expr(receiver)
            return True
        kind = self.infer(receiver)
        if func.attr in SESSION_METHODS and kind == SESSION:
            return True
        if func.attr in LIST_METHODS:
            if isinstance(receiver, ast.Name) and kind and kind[0] == "list" and self.local(receiver.id):
                return True
            if isinstance(receiver, ast.Attribute):
                owner = self.infer(receiver.value)
                model = self.model(owner[1]) if owner and owner[0] == "model" else None
                if model is not None and receiver.attr in model.collections:
                    self.expr(receiver)
                    return True
        return False


def _names(target: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
