"""The allow-list guard's knowledge of names (see `guard`): what each top-level name stands for
(a "thing": a module, a value constructor, a model, an enum, a scenario dataclass or create
function), what each local variable of a function is known to hold (a "kind"), and how
diagnostics are reported with their positions.

Kinds are inferred flow-insensitively: a local variable has a kind only when every binding of it in
its function agrees, so that no branch or loop can hand a different object to an allowed attribute.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

from fixturegen_helper.guard_model import MEMBERS, Known, Model
from fixturegen_helper.suggest import hint_for

Thing = tuple[str, Any]  # ("module", "datetime"), ("ctor", "decimal.Decimal"), ("model", Model), ...
Kind = tuple[str, ...] | None  # ("model", qualname), ("list", qualname|""), ("parent", name), ...

NONE: tuple[str, ...] = ("none",)
PENDING: tuple[str, ...] = ("pending",)
SESSION: tuple[str, ...] = ("session",)
OWN: tuple[str, ...] = ("own",)


class Names:
    def __init__(self, source: str, known: Known) -> None:
        self.lines = source.splitlines()
        self.known = known
        self.diagnostics: list[dict[str, Any]] = []
        self.things: dict[str, Thing] = {}  # top-level names: imports and the contract's definitions
        self.own_fields: set[str] = set()
        self.scopes: list[dict[str, Kind]] = []  # the function's locals, then comprehension scopes
        self.awaited: set[int] = set()  # the calls an `await` applies to (ids of their nodes)

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
            line = node.lineno
            column = self._column(line, node.col_offset)  # type: ignore[attr-defined]
        found: dict[str, Any] = {"code": code, "message": message, "line": line, "column": column}
        if hint is not None:
            found["hint"] = hint
        self.diagnostics.append(found)

    def check_identifier(self, name: str, node: ast.AST) -> bool:
        """No `_`-prefixed name and no pytest hook name anywhere; False (reported) when it is one."""
        if name.startswith("_"):
            self.report("FG403", f"{name!r}: names beginning with `_` are not allowed in fixture code", node)
            return False
        # An async module's `import pytest_asyncio`: a module, which pytest never takes for a hook.
        if name.startswith("pytest_") and not (name == "pytest_asyncio" and self.known.is_async):
            self.report("FG408", f"{name!r}: pytest hooks and `pytest_plugins` are not allowed in fixture code", node)
            return False
        return True

    # -- things -------------------------------------------------------------------------------

    def local(self, name: str) -> bool:
        return any(name in scope for scope in self.scopes)

    def kind_of(self, name: str) -> Kind:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def thing(self, node: ast.AST) -> Thing | None:
        """What a name or attribute chain of top-level names stands for (None: not a thing)."""
        if isinstance(node, ast.Name):
            if self.local(node.id):
                return None
            return self.things.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.thing(node.value)
            if base is None:
                return None
            key = f"{base[0]}:{base[1]}" if base[0] in ("module", "ctor") else None
            if key is not None:
                return MEMBERS.get(key, {}).get(node.attr)
            if base[0] == "enum" and node.attr in base[1].members:
                return ("value", f"{base[1].name}.{node.attr}")
            if base[0] == "value" and node.attr in ("value", "name") and base[1].count(".") >= 1:
                # An enum member's stored value or name (`Tier.GOLD.value`): builtin output writes
                # it for a String column annotated `Mapped[Tier]` that binds plain values.
                return ("value", f"{base[1]}.{node.attr}")
            if base[0] == "model":
                # An enum class nested in a model class (`Entry.Side`), as the catalog names it.
                nested = f"{base[1].class_name}.{node.attr}"
                for e in self.known.enums:
                    if e.module == base[1].module and e.name == nested:
                        return ("enum", e)
        return None

    # -- kinds --------------------------------------------------------------------------------

    def model(self, qualname: str) -> Model | None:
        return self.known.models.get(qualname)

    def infer(self, node: ast.AST | None) -> Kind:
        if node is None:
            return None
        if isinstance(node, ast.Constant) and node.value is None:
            return NONE
        if isinstance(node, ast.Name):
            return self.kind_of(node.id) if self.local(node.id) else None
        if isinstance(node, ast.Await):
            # An async module's `await create_<parent>(...)`: what the call returns once awaited.
            return self.infer(node.value) if self.known.is_async else None
        if isinstance(node, ast.Call):
            thing = self.thing(node.func)
            if thing is None:
                if isinstance(node.func, ast.Name) and node.func.id == "list" and not self.local("list") and node.args:
                    inner = self.infer(node.args[0])
                    return inner if inner and inner[0] == "list" else None
                return None
            if thing[0] == "model":
                return ("model", thing[1].qualname)
            if thing[0] in ("create", "dataclass"):
                return OWN if thing[1] is None else ("parent", thing[1])
            if thing[0] == "bulk" and len(node.args) == 5 and isinstance(node.args[1], ast.Name):
                # `rows = insert_rows(session, Model, rows, overrides, "rows")`: instances of Model.
                model = None if self.local(node.args[1].id) else self.thing(node.args[1])
                return ("list", model[1].qualname) if model and model[0] == "model" else None
            return None
        if isinstance(node, (ast.List, ast.Tuple)):
            if not node.elts:
                return ("list", "") if isinstance(node, ast.List) else None
            kinds = set()
            for elt in node.elts:
                k = self.infer(elt.value if isinstance(elt, ast.Starred) else elt)
                if isinstance(elt, ast.Starred):
                    k = ("model", k[1]) if k and k[0] == "list" and k[1] else None
                kinds.add(k)
            [only] = kinds if len(kinds) == 1 else [None]
            return ("list", only[1]) if only and only[0] == "model" else ("list", "")
        if isinstance(node, ast.ListComp):
            self.scopes.append({})
            try:
                for gen in node.generators:
                    self.bind_loop(gen.target, gen.iter, check=False)
                item = self.infer(node.elt)
            finally:
                self.scopes.pop()
            return ("list", item[1]) if item and item[0] == "model" else ("list", "")
        if isinstance(node, ast.Subscript):
            base = self.infer(node.value)
            if base and base[0] == "list":
                if isinstance(node.slice, ast.Slice):
                    return base
                return ("model", base[1]) if base[1] else None
            return None
        if isinstance(node, ast.Attribute):
            base = self.infer(node.value)
            if base and base[0] == "parent":
                scenario = self.known.scenarios.get(base[1])
                label = scenario.labels.get(node.attr) if scenario else None
                return label if label and label[1] else None
            return None
        if isinstance(node, ast.IfExp):
            return join([self.infer(node.body), self.infer(node.orelse)])
        return None

    def annotation_kind(self, node: ast.AST) -> Kind:
        """`list[Model]` (or a string of it) as a kind, for `x: list[Model] = []`."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in ("list", "List"):
            thing = self.thing(node.slice)
            if thing and thing[0] == "model":
                return ("list", thing[1].qualname)
        return None

    def bind_loop(self, target: ast.AST, iterable: ast.AST, check: bool = True) -> None:
        """Bind a for/comprehension target in the innermost scope: an element of a list, or a number."""
        seq = self.infer(iterable)
        kind: Kind = ("model", seq[1]) if seq and seq[0] == "list" and seq[1] else None
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self.scopes[-1][node.id] = kind if isinstance(target, ast.Name) else None

    # -- constructor keywords (FG404) and unknown attributes -----------------------------

    def _keywords(self, node: ast.Call, thing: tuple[Any, ...]) -> None:
        names: frozenset[str] | None = None
        what = ""
        if thing[0] == "model":
            names, what = thing[1].keyword_names(), "mapped attribute"
        elif thing[0] == "dataclass":
            scenario = self.known.scenarios.get(thing[1]) if thing[1] else None
            names = frozenset(scenario.labels) if scenario else frozenset(self.own_fields)
            what = "field"
        if names is None:
            return
        for kw in node.keywords:
            if kw.arg is not None and not kw.arg.startswith("_") and kw.arg not in names:
                if thing[0] == "model":
                    text, hint = self._unknown(thing[1], kw.arg, "keyword", names)
                    self.report("FG404", text, kw, hint)
                else:
                    self.report(
                        "FG404",
                        f"{short(node.func)}() has no {what} {kw.arg!r} (fields: {', '.join(sorted(names))})",
                        kw,
                    )

    def _unknown(self, model: Model, name: str, what: str, names: Iterable[str]) -> tuple[str, str]:
        """The message and the hint for an unknown attribute: the hint ranks the mapped attributes
        with the one suggestion algorithm (fixturegen_helper.suggest), as FG203 does."""
        if what == "keyword":
            text = f"{model.class_name}() has no mapped attribute {name!r}"
        else:
            text = f"{model.class_name} instances have no attribute {name!r}"
        return text, hint_for(name, model.attributes or names, f"mapped attributes of {model.qualname}", 30)


def join(kinds: list[Kind]) -> Kind:
    """One kind for several bindings: None (unknown) unless all known ones agree."""
    seen = {k for k in kinds if k not in (NONE, PENDING)}
    if len(seen) != 1:
        return None if seen or PENDING not in kinds else PENDING
    [only] = seen
    return only


def short(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."
