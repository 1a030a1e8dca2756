"""The allow-list guard's check of a module's top level (see `guard`): the allowed imports (FG402),
only the contract's three definitions in their contract shape (FG406, FG408), annotations that
only name types (FG409); the function bodies are left to `guard_walk`.
"""

from __future__ import annotations

import ast
from typing import Literal

from fixturegen_helper.guard_model import (
    ALLOWED_IMPORTS,
    ALLOWED_TOP,
    ANNOTATION_BUILTINS,
    ASYNC_MODULES,
    BUILTIN_NAMES,
    FROM_IMPORTS,
    MODULES,
    RUNTIME,
    lookup_source,
)
from fixturegen_helper.guard_names import SESSION, Kind, Thing
from fixturegen_helper.guard_walk import Walk

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
EDGE_TABLES = ("EDGE_CASES", "REFUSED_EDGE_CASES", "ACCEPTED_EDGE_CASES")
ACCEPTED_SOURCE = "[case for case in EDGE_CASES if case not in REFUSED_EDGE_CASES]"
EDGE_FIXTURE_SOURCE = """{deco}
{define} {name}({params}) -> {cls}:
    return {wait}{create}({args}, overrides=EDGE_CASES[request.param])
"""
#: The same fixture when a case leaves rows out: the test gets only the rows kept.
EDGE_FIXTURE_KEPT_SOURCE = """{deco}
{define} {name}({params}) -> {cls}:
    return without_left_out(
        {wait}{create}({args}, overrides=EDGE_CASES[request.param]),
        EDGE_CASES[request.param],
    )
"""
#: Longest `"x" * N` in an edge-case table (a string column's length).
MAX_REPEAT = 1_000_000


class Top(Walk):
    def check_module(self, tree: ast.Module) -> None:
        k = self.known
        self.allowed_top = ALLOWED_TOP.format(
            cls=k.class_name, create=k.create_name, fixture=k.fixture_name, define=self.define
        )
        defined: dict[str, ast.AST] = {}
        edge_fixture: ast.AST | None = None
        for n, stmt in enumerate(tree.body):
            if isinstance(stmt, ast.Import):
                self.imports(stmt)
            elif isinstance(stmt, ast.ImportFrom):
                self.import_from(stmt)
            elif isinstance(stmt, DEFINITIONS) and stmt.name in (
                k.class_name, k.create_name, k.fixture_name, k.make_name, *k.variant_creates, *k.variant_fixtures
            ):  # fmt: skip
                thing: Thing = (
                    ("dataclass", None) if stmt.name == k.class_name
                    else ("create", None) if stmt.name in (k.create_name, *k.variant_creates)
                    else ("fixture", None)
                )  # fmt: skip
                if self.top_bind(stmt.name, thing, stmt):
                    defined[stmt.name] = stmt
            elif isinstance(stmt, ast.Assign) and (self.lookup(stmt) or self.edge_table(stmt)):
                pass
            elif isinstance(stmt, DEFINITIONS) and k.fixture_name and stmt.name == f"{k.fixture_name}_edge_cases":
                if self.top_bind(stmt.name, ("fixture", None), stmt):
                    edge_fixture = stmt
            elif not (n == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
                self.stray(stmt)
        cls = defined.get(k.class_name)
        if isinstance(cls, ast.ClassDef):
            self.own_fields = {
                s.target.id for s in cls.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
            }
            self.dataclass(cls)
        elif k.class_name:
            self.report(
                "FG406", f"the module must define the frozen dataclass `class {k.class_name}` at top level", cls
            )
        function = ast.AsyncFunctionDef if k.is_async else ast.FunctionDef
        for name in (k.create_name, k.fixture_name, k.make_name, *k.variant_creates, *k.variant_fixtures):
            node = defined.get(name)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not isinstance(node, function):
                if k.is_async:
                    self.report(
                        "FG409",
                        f"{name}() must be `async def` (the configuration says async: true)",
                        node,
                        self.async_hint(name),
                    )
                else:
                    self.report("FG409", f"{name}() must be a plain `def`, not `async def`", node)
        create = defined.get(k.create_name)
        if isinstance(create, function):
            self.create(create)
        elif k.create_name and create is None:
            self.report(
                "FG406", f"the module must define `{self.define} {k.create_name}(session)` at top level", create
            )
        for name in k.variant_creates:
            variant = defined.get(name)
            if isinstance(variant, function):
                self.create(variant, ["overrides"])
        for name in (k.make_name, *k.variant_fixtures):
            extra = defined.get(name)
            if isinstance(extra, function):
                self.fixture(extra, parents=name != k.make_name)
        if isinstance(edge_fixture, function):
            self.edge_fixture(edge_fixture)
        fixture = defined.get(k.fixture_name)
        if isinstance(fixture, function):
            self.fixture(fixture)
        elif k.fixture_name and fixture is None:
            self.report(
                "FG406",
                f"the module must define the pytest fixture `{self.define} {k.fixture_name}(...)` at top level",
                fixture,
            )
        if k.has_session_contract and k.fixture_name:
            self.missing_parts(defined)

    @property
    def define(self) -> str:
        """How the contract's functions are defined: `async def` in an async module."""
        return "async def" if self.known.is_async else "def"

    def async_hint(self, name: str) -> str:
        """What to write instead of a plain `def` in an async module (docs/generated-code.md#async-projects)."""
        k = self.known
        session = k.session_fixture
        fixture = '@pytest_asyncio.fixture(loop_scope="function")'
        if name == k.make_name:
            return (
                f"write `{fixture}` and `async def {name}(`, returning "
                f"`scenario_factory({k.create_name}, {session})` (not awaited: the tests await each call)"
            )
        if name == k.fixture_name or name in k.variant_fixtures:
            return (
                f"write `{fixture}` and `async def {name}(`, returning `await {k.create_name}({session}, ...)`; "
                "import pytest_asyncio"
            )
        return (
            f"write `async def {name}(`, and await inside it `await session.flush()`, each "
            "`await create_<scenario>(...)` (the variant dispatch, extended scenarios) and `await insert_rows(...)`; "
            "session.add, session.add_all, apply_overrides and check_scenario_call stay plain calls"
        )

    def missing_parts(self, defined: dict[str, ast.AST]) -> None:
        """FG414: each variant's create function and fixture, which the contract names but a module
        may leave out (the smoke test would only say a fixture is not found); one diagnostic per
        missing name, saying what to write. A missing `make_<name>` is the smoke test's (FG415):
        hand-written modules of the older contract have none, and nothing else is wrong with them."""
        k = self.known
        session = k.session_fixture
        wait = "await " if k.is_async else ""
        for variant, create, fixture in zip(k.variants, k.variant_creates, k.variant_fixtures, strict=True):
            if create not in defined:
                self.report(
                    "FG414",
                    f'variant "{variant}": the module must define `{self.define} {create}(session, overrides=None)`, '
                    f'which builds the variant\'s rows and which `{k.create_name}(session, variant="{variant}")` returns',
                    defined.get(k.create_name),
                )
            if fixture not in defined:
                self.report(
                    "FG414",
                    f'variant "{variant}": the module must define the fixture `{self.define} {fixture}({session})` returning '
                    f'`{wait}{k.create_name}({session}, variant="{variant}")`',
                    defined.get(k.fixture_name),
                )

    def lookup(self, stmt: ast.Assign) -> bool:
        """`Name = next(mapper.class_ for mapper in Base.registry.mappers if … == "key")`, exactly
        as the builtin generator writes it for a class no module exports under its name: binds
        `Name` to that model. Anything else, however close, is left to `stray` (FG408)."""
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            return False
        shape = ast.dump(stmt.value)
        for m in self.known.models.values():
            a = m.access
            if a is None or a.get("via") not in ("declarative", "registry"):
                continue
            for anchor, thing in self.things.items():
                if thing != ("anchor", a.get("via")):
                    continue
                expected = ast.parse(lookup_source(anchor, str(a["via"]), str(a.get("key"))), mode="eval").body
                if shape == ast.dump(expected):
                    self.top_bind(stmt.targets[0].id, ("model", m), stmt)
                    return True
        return False

    def edge_table(self, stmt: ast.Assign) -> bool:
        """The derived edge cases' tables (`EDGE_CASES`, `REFUSED_EDGE_CASES`,
        `ACCEPTED_EDGE_CASES`): data only, values written as the builtin generator writes them."""
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            return False
        name = stmt.targets[0].id
        if name not in EDGE_TABLES:
            return False
        if name == "ACCEPTED_EDGE_CASES":
            ok = ast.dump(stmt.value) == ast.dump(ast.parse(ACCEPTED_SOURCE, mode="eval").body)
        else:
            ok = self._data(stmt.value)
        if not ok:
            self.report("FG408", f"{name} may hold only data (literals, value constructors, enum members)", stmt)
        self.top_bind(name, ("data", name), stmt)
        return True

    def _data(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, (ast.Tuple, ast.List)):
            return all(self._data(e) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(k is not None and self._data(k) for k in node.keys) and all(self._data(v) for v in node.values)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return isinstance(node.operand, ast.Constant)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            # `"x" * 255`: a string at its column's maximum length.
            left, right = node.left, node.right
            return (
                isinstance(left, ast.Constant)
                and isinstance(left.value, str)
                and isinstance(right, ast.Constant)
                and type(right.value) is int
                and 0 <= right.value <= MAX_REPEAT
            )
        if isinstance(node, ast.Attribute):
            thing = self.thing(node)
            return thing is not None and thing[0] == "value"
        if isinstance(node, ast.Call):
            thing = self.thing(node.func)
            return (
                thing is not None
                and thing[0] == "ctor"
                and all(self._data(a) for a in node.args)
                and all(kw.arg is not None and self._data(kw.value) for kw in node.keywords)
            )
        return False

    def edge_fixture(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """`<name>_edge_cases(request, <session>, parents...)`, parametrized by the accepted cases,
        returning `create_<name>(..., overrides=EDGE_CASES[request.param])`, through
        `without_left_out(..., EDGE_CASES[request.param])` when a case leaves rows out."""
        k = self.known
        fields = {
            "deco": (
                '@pytest_asyncio.fixture(loop_scope="function", params=ACCEPTED_EDGE_CASES)'
                if k.is_async
                else "@pytest.fixture(params=ACCEPTED_EDGE_CASES)"
            ),
            "define": "async def" if k.is_async else "def",
            "name": node.name,
            "params": ", ".join(["request", k.session_fixture, *k.direct_parents()]),
            "cls": k.class_name,
            "wait": "await " if k.is_async else "",
            "create": k.create_name,
            "args": ", ".join([k.session_fixture, *(f"{p}={p}" for p in k.direct_parents())]),
        }
        sources = (EDGE_FIXTURE_SOURCE, EDGE_FIXTURE_KEPT_SOURCE)
        shapes = [ast.parse(source.format(**fields)).body[0] for source in sources]
        for n in (node, *shapes):
            body = list(getattr(n, "body", []))
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                n.body = body[1:]  # type: ignore[attr-defined]
        if all(ast.dump(node) != ast.dump(shape) for shape in shapes):
            self.report("FG408", f"{node.name}() must be the edge-case fixture as fixturegen writes it", node)

    # -- imports (FG402) ----------------------------------------------------------------------

    def top_bind(self, name: str, thing: Thing, node: ast.AST) -> bool:
        if not self.check_identifier(name, node):
            return False
        if name in BUILTIN_NAMES:
            self.report("FG408", f"{name!r} would shadow Python's built-in of that name", node)
            return False
        if name in self.things:
            self.report("FG408", f"{name!r} is defined twice at top level; each name may be bound once", node)
            return False
        self.things[name] = thing
        return True

    def _not_allowed(self, what: str, node: ast.AST) -> None:
        allowed = ALLOWED_IMPORTS.format(package=self.known.package)
        self.report("FG402", f"{what} is not allowed; fixture code may import only: {allowed}", node)

    def imports(self, node: ast.Import) -> None:
        for alias in node.names:
            allowed = alias.name in MODULES or (self.known.is_async and alias.name in ASYNC_MODULES)
            if allowed and alias.asname in (None, alias.name):
                self.top_bind(alias.name, ("module", alias.name), node)
            else:
                text = alias.name + (f" as {alias.asname}" if alias.asname else "")
                self._not_allowed(f"`import {text}`", node)

    def import_from(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level > 1:
            return self._not_allowed("a relative import outside the output package", node)
        if node.level == 1:
            module = f"{self.known.package}.{module}" if module else self.known.package
        if module == "__future__":
            if any(a.name != "annotations" for a in node.names):
                self._not_allowed("`from __future__` of anything but annotations", node)
            return
        scenario = self.known.scenario_module(module)
        if scenario is not None:
            names: dict[str, Thing] = {
                scenario.class_name: ("dataclass", scenario.name),
                f"create_{scenario.name}": ("create", scenario.name),
            }
        elif module == self.known.package:
            # The runtime helpers, and the bulk insert (`insert_rows(session, [Model(...) for ...])`).
            names = {n: ("runtime", n) for n in RUNTIME}
            names["insert_rows"] = ("bulk", "insert_rows")
        elif module in FROM_IMPORTS:
            names = dict(FROM_IMPORTS[module])
        else:
            names = self.known.classes_at(module)
        for alias in node.names:
            thing = names.get(alias.name)
            if thing is None:
                self._not_allowed(f"`from {module} import {alias.name}`", node)
            else:
                self.top_bind(alias.asname or alias.name, thing, node)

    # -- top-level statements (FG408) ---------------------------------------------------------

    def stray(self, stmt: ast.stmt) -> None:
        targets = [t for t in getattr(stmt, "targets", [getattr(stmt, "target", None)]) if t is not None]
        names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        if isinstance(stmt, DEFINITIONS):
            names = [stmt.name]
        for name in names:
            if name == "pytest_plugins" or name.startswith(("pytest_", "_")):
                self.check_identifier(name, stmt) if name != "pytest_plugins" else self.report(
                    "FG408", "`pytest_plugins` is not allowed in fixture code: it imports other modules", stmt
                )
                return
        if isinstance(stmt, DEFINITIONS):
            what = "a class" if isinstance(stmt, ast.ClassDef) else "a function"
            self.report("FG408", f"{what} {stmt.name!r} is not part of the contract; {self.allowed_top}", stmt)
        else:
            self.report("FG408", f"this top-level statement is not allowed; {self.allowed_top}", stmt)

    def _is(self, node: ast.AST, dotted: str) -> bool:
        return self.thing(node) == ("decorator", dotted)

    def dataclass(self, node: ast.ClassDef) -> None:
        frozen = False
        for deco in node.decorator_list:
            if isinstance(deco, ast.Call) and self._is(deco.func, "dataclasses.dataclass") and not deco.args:
                kws = {k.arg: k.value for k in deco.keywords}
                value = kws.get("frozen")
                if set(kws) - {"frozen"}:
                    self.report("FG408", "the dataclass decorator takes only `frozen=True`", deco)
                frozen = isinstance(value, ast.Constant) and value.value is True
            elif not self._is(deco, "dataclasses.dataclass"):
                self.report(
                    "FG408", "the only decorator allowed on the class is @dataclasses.dataclass(frozen=True)", deco
                )
        if not frozen:
            self.report(
                "FG406",
                f"class {node.name} must be a frozen dataclass: decorate it with @dataclasses.dataclass(frozen=True)",
                node,
            )
        for base in node.bases + node.keywords:
            self.report("FG408", f"class {node.name} takes no base class, metaclass or class keyword", base)
        for n, stmt in enumerate(node.body):
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is None:
                self.check_identifier(stmt.target.id, stmt.target)
                self.annotation(stmt.annotation)
            elif not (
                isinstance(stmt, ast.Pass)
                or (n == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
            ):
                self.report(
                    "FG409",
                    f"the body of class {node.name} may hold only its docstring and one `label: Type` per label (no defaults)",
                    stmt,
                )

    def _signature(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, allowed: list[str], defaults: bool
    ) -> dict[str, Kind]:
        args = node.args
        params: dict[str, Kind] = {}
        for arg in args.posonlyargs + args.args + args.kwonlyargs:
            if self.check_identifier(arg.arg, arg) and arg.arg not in allowed:
                self.report("FG408", f"{node.name}() may take only these parameters: {', '.join(allowed)}", arg)
            if arg.annotation is not None:
                self.annotation(arg.annotation)
            params[arg.arg] = ("parent", arg.arg) if arg.arg in self.known.scenarios else None
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                self.report("FG408", f"{node.name}() takes no *args or **kwargs", extra)
        for default in args.defaults + [d for d in args.kw_defaults if d is not None]:
            if not defaults or not (isinstance(default, ast.Constant) and default.value is None):
                self.report(
                    "FG409", "parameter defaults may only be None (on the extended scenarios of create_<name>)", default
                )
        if node.returns is not None:
            self.annotation(node.returns)
        return params

    def create(self, node: ast.FunctionDef | ast.AsyncFunctionDef, extra: list[str] | None = None) -> None:
        """`create_<name>` (which also takes `variant` and `overrides`) or a variant's create."""
        for deco in node.decorator_list:
            self.report("FG408", f"{node.name}() takes no decorator", deco)
        args = node.args.posonlyargs + node.args.args
        if not args:
            self.report("FG406", f"{node.name}() must take the session as its first parameter", node)
            return
        session = args[0].arg
        more = ["variant", "overrides"] if extra is None else extra
        params = self._signature(node, [session, *self.known.direct_parents(), *more], defaults=True)
        params[session] = SESSION
        self.check_body(node.body, params)

    def fixture(self, node: ast.FunctionDef | ast.AsyncFunctionDef, parents: bool = True) -> None:
        decorated = False
        # An async fixture's loop is the test's own (pytest-asyncio's default), named so that no
        # ini setting of the project changes it.
        shown = (
            '@pytest_asyncio.fixture(loop_scope="function")'
            if self.known.is_async
            else '@pytest.fixture, bare or with scope="module" or scope="session"'
        )
        scope = None
        for deco in node.decorator_list:
            deco_scope = self._fixture_decorator(deco)
            if deco_scope is not False and not decorated:
                decorated, scope = True, deco_scope
            else:
                self.report("FG408", f"the only decorator allowed on {node.name}() is {shown}", deco)
        if not decorated:
            self.report("FG406", f"{node.name}() must be decorated with {shown}", node)
        # A scenario created once per module or session takes the session those share.
        session = SCOPE_SESSION.get(scope or "", self.known.session_fixture)
        allowed = [session, *self.known.direct_parents()] if parents else [session]
        params = self._signature(node, allowed, defaults=False)
        if session not in params:
            self.report(
                "FG406", f"{node.name}() must request the session fixture by taking a parameter named {session!r}", node
            )
        params[session] = SESSION
        self.check_body(node.body, params)

    def _fixture_decorator(self, deco: ast.expr) -> str | None | Literal[False]:
        """False when `deco` is not the fixture decorator fixture code may use; else the fixture's
        scope ("module", "session"; None for per test)."""
        if not self.known.is_async:
            target, scope = deco, None
            if isinstance(deco, ast.Call) and not deco.args:
                target, scope = deco.func, _scope(deco.keywords)
            return scope if self._is(target, "pytest.fixture") and scope != "" else False
        per_test = (
            isinstance(deco, ast.Call)
            and self._is(deco.func, "pytest_asyncio.fixture")
            and not deco.args
            and len(deco.keywords) == 1
            and deco.keywords[0].arg == "loop_scope"
            and isinstance(deco.keywords[0].value, ast.Constant)
            and deco.keywords[0].value.value == "function"
        )
        return None if per_test else False

    # -- annotations (FG409) ------------------------------------------------------------------

    def annotation(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
            if isinstance(node.value, str):
                try:
                    inner = ast.parse(node.value.strip(), mode="eval").body
                except SyntaxError:
                    self.report("FG409", "a string annotation must be a type expression", node)
                    return
                self._annotation_at(inner, node)
            return
        self._annotation_at(node, None)

    def _annotation_at(self, node: ast.AST, where: ast.AST | None) -> None:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            self._annotation_at(node.left, where)
            self._annotation_at(node.right, where)
            return
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id in ANNOTATION_BUILTINS
        ):
            for part in node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]:
                self._annotation_at(part, where)
            return
        if isinstance(node, ast.Constant) and node.value is None:
            return
        if isinstance(node, ast.Name) and node.id in ANNOTATION_BUILTINS and node.id not in self.things:
            return
        thing = self.thing(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        if thing is not None and thing[0] in ("model", "enum", "ctor", "dataclass"):
            return
        self.report("FG409", "annotations may only name model classes, enums, value types, scenario dataclasses, "
                    "builtin types, `list[...]` and `X | None`", where or node)  # fmt: skip


#: The package's session fixture a scenario of each scope takes (the builtin init.py.hbs).
SCOPE_SESSION = {"module": "db_module_session", "session": "db_shared_session"}


def _scope(keywords: list[ast.keyword]) -> str | None:
    """`scope="module"` or `scope="session"` of @pytest.fixture(...); "" for anything else."""
    if not keywords:
        return None
    if len(keywords) == 1 and keywords[0].arg == "scope":
        value = keywords[0].value
        if isinstance(value, ast.Constant) and value.value in SCOPE_SESSION:
            return str(value.value)
    return ""
