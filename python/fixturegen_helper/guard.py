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
"""

from __future__ import annotations

import ast
import difflib
import sys
from typing import Any, Iterable

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

#: Attributes every mapped instance has, used when the class itself is not importable here.
INSTANCE_BASICS = frozenset(
    {"metadata", "registry", "__table__", "__mapper__", "__tablename__", "__class__", "__dict__", "_sa_instance_state"}
)


class _Model:
    def __init__(self, qualname: str, info: dict[str, Any]) -> None:
        self.qualname = qualname
        self.class_name = str(info.get("className") or qualname.rsplit(".", 1)[-1])
        self.module = str(info.get("module") or qualname.rsplit(".", 1)[0])
        self.attributes = frozenset(str(a) for a in info.get("attributes") or [])
        self._live: Any = None
        self._live_done = False

    def live(self) -> Any:
        """The class, when its module is already imported in this process (never imports)."""
        if not self._live_done:
            self._live_done = True
            mod = sys.modules.get(self.module)
            obj = getattr(mod, self.class_name, None) if mod is not None else None
            self._live = obj if isinstance(obj, type) else None
        return self._live

    def keyword_names(self) -> set[str]:
        names = set(self.attributes)
        cls = self.live()
        if cls is None:
            return names
        try:
            from sqlalchemy import inspect as sa_inspect

            names.update(sa_inspect(cls).all_orm_descriptors.keys())
        except Exception:  # noqa: BLE001
            pass
        init = getattr(cls, "__init__", None)
        if init is not None and not (getattr(init, "__module__", "") or "").startswith("sqlalchemy"):
            import inspect

            try:
                params = inspect.signature(init).parameters.values()
            except (TypeError, ValueError):
                params = []
            names.update(
                p.name
                for p in params
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in ("self", "cls")
            )
            fields = getattr(cls, "model_fields", None)  # SQLModel / pydantic
            if isinstance(fields, dict):
                names.update(fields)
        names.discard("_sa_instance_state")
        return names

    def attribute_names(self) -> set[str]:
        names = set(self.attributes) | set(INSTANCE_BASICS)
        cls = self.live()
        if cls is not None:
            names.update(dir(cls))
            names.update(self.keyword_names())
        return names


class _Guard(ast.NodeVisitor):
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

    def report(self, code: str, message: str, node: ast.AST | None) -> None:
        if node is None or not hasattr(node, "lineno"):
            line, column = 1, 1
        else:
            line = node.lineno  # type: ignore[attr-defined]
            column = self._column(line, node.col_offset)  # type: ignore[attr-defined]
        self.diagnostics.append({"code": code, "message": message, "line": line, "column": column})

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
                self.report("FG405", self._unknown(model, node.attr, "attribute", names), node)
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
                    self.report("FG404", self._unknown(model, kw.arg, "keyword", allowed), kw)
        self.generic_visit(node)

    def _unknown(self, model: _Model, name: str, what: str, names: set[str]) -> str:
        public = sorted(n for n in (model.attributes or names) if not n.startswith("_"))
        close = difflib.get_close_matches(name, public, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        if what == "keyword":
            text = f"{model.class_name}() has no mapped attribute {name!r}{hint}"
        else:
            text = f"{model.class_name} instances have no attribute {name!r}{hint}"
        known = ", ".join(public[:30]) + (", ..." if len(public) > 30 else "")
        return f"{text} (mapped attributes of {model.qualname}: {known})"

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
