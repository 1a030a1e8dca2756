"""What the allow-list guard (see `guard`) knows before it reads a candidate: the names a fixture
module may import and what each one is (a model class, an enum, a value constructor, a scenario
dataclass or create function), the attributes of each model, and the texts that say what is allowed.

Nothing here imports a models module: a live class is consulted only when `introspect` already
imported its module in this process; otherwise the catalog's lists are all there is.
"""

from __future__ import annotations

import builtins
import json
import sys
from typing import Any, NamedTuple

#: Modules a fixture module may import whole (`import x`, never `import x as y`).
MODULES = frozenset({"dataclasses", "datetime", "decimal", "pytest", "uuid"})

#: What an async module (`async: true`) may import whole besides `MODULES`.
ASYNC_MODULES = frozenset({"pytest_asyncio"})

#: `from m import n` of the standard library and pytest: what each allowed name is.
FROM_IMPORTS: dict[str, dict[str, tuple[str, str]]] = {
    "datetime": {n: ("ctor", f"datetime.{n}") for n in ("datetime", "date", "time", "timedelta", "timezone")},
    "decimal": {"Decimal": ("ctor", "decimal.Decimal")},
    "uuid": {"UUID": ("ctor", "uuid.UUID")},
    "dataclasses": {"dataclass": ("decorator", "dataclasses.dataclass")},
    "pytest": {"fixture": ("decorator", "pytest.fixture")},
}

#: Attributes of the allowed modules and constructors, and what each one is.
MEMBERS: dict[str, dict[str, tuple[str, str]]] = {
    "module:datetime": dict(FROM_IMPORTS["datetime"]),
    "module:decimal": dict(FROM_IMPORTS["decimal"]),
    "module:uuid": dict(FROM_IMPORTS["uuid"]),
    "module:dataclasses": dict(FROM_IMPORTS["dataclasses"]),
    "module:pytest": dict(FROM_IMPORTS["pytest"]),
    "module:pytest_asyncio": {"fixture": ("decorator", "pytest_asyncio.fixture")},
    "ctor:datetime.datetime": {"fromisoformat": ("ctor", "datetime.datetime.fromisoformat")},
    "ctor:datetime.date": {"fromisoformat": ("ctor", "datetime.date.fromisoformat")},
    "ctor:datetime.time": {"fromisoformat": ("ctor", "datetime.time.fromisoformat")},
    "ctor:datetime.timezone": {"utc": ("value", "datetime.timezone.utc")},
}

#: Built-in functions fixture code may call (what the builtin generator's values use).
BUILTIN_CALLS = frozenset({"range", "list", "int", "float"})
#: Built-in names an annotation may use.
ANNOTATION_BUILTINS = frozenset({"list", "dict", "tuple", "set", "int", "float", "str", "bool", "bytes", "object"})
#: Names no local variable, parameter or alias may take.
BUILTIN_NAMES = frozenset(dir(builtins))

SESSION_METHODS = frozenset({"add", "add_all", "flush"})
#: The output package's own functions (its `__init__`, written by fixturegen, never by a model) that
#: generated code calls: they check and apply `create_<name>(..., variant=, overrides=)` and make
#: the `make_<name>` factory. Only the scenario's own dataclass and create function may be handed to
#: them as values.
RUNTIME = frozenset(
    {"check_scenario_call", "apply_overrides", "parent_overrides", "scenario_factory", "without_left_out"}
)
LIST_METHODS = frozenset({"append", "extend"})
#: String methods the builtin generator needs (bytes and boolean values), on a literal only.
LITERAL_METHODS = frozenset({"encode", "lower"})

ALLOWED_IMPORTS = (
    "`from __future__ import annotations`; `import dataclasses`, `datetime`, `decimal`, `uuid`, `pytest` "
    "(no `as`); `from datetime import datetime, date, time, timedelta, timezone`; `from decimal import "
    "Decimal`; `from uuid import UUID`; `from dataclasses import dataclass`; the catalog's model and enum "
    "classes from their modules; the dataclass and create function of an extended scenario from "
    "`{package}.<scenario>`; and `check_scenario_call`, `apply_overrides`, `parent_overrides`, "
    "`scenario_factory`, `without_left_out` and `insert_rows` from "
    "`{package}`"
)
BULK_CALL = (
    "the session, a model class, a list of rows, the overrides and the label: "
    'insert_rows(session, Model, [...], overrides, "label")'
)

ALLOWED_CALLS = (
    "fixture code may call only the model classes and enums it imports, the value constructors "
    "(datetime, date, time, timedelta, timezone, Decimal, UUID and their fromisoformat), the scenario "
    "dataclasses, the create_<scenario> functions, range(), list(), int(), float(), session.add(), "
    'session.add_all(), session.flush(), insert_rows(session, Model, [...], overrides, "label"), '
    "append()/extend() on a list or a "
    "relationship collection, and the output package's check_scenario_call(), apply_overrides(), "
    "parent_overrides() and scenario_factory()"
)
ALLOWED_STATEMENTS = (
    "inside a function only assignments, `for ... in range(...)` loops, `if` statements, calls, "
    "`return` and a docstring are allowed"
)
ALLOWED_ATTRIBUTES = (
    "attributes may be read or set only on model instances (their mapped attributes), on scenario "
    "dataclasses (their fields) and as session.add/add_all/flush"
)
ALLOWED_TOP = (
    "the module may hold only its docstring, the allowed imports, the frozen dataclass `{cls}`, "
    "`{define} {create}(...)`, the fixture `{define} {fixture}(...)`, the factory fixture "
    "`{define} make_{fixture}(...)` and, per variant, `{define} {create}__<variant>(...)` and the fixture "
    "`{define} {fixture}__<variant>(...)`"
)


class Model:
    def __init__(self, qualname: str, info: dict[str, Any]) -> None:
        self.qualname = qualname
        self.class_name = str(info.get("className") or qualname.rsplit(".", 1)[-1])
        self.module = str(info.get("module") or qualname.rsplit(".", 1)[0])
        self.attributes = frozenset(str(a) for a in info.get("attributes") or [] if not str(a).startswith("_"))
        self.collections = frozenset(str(a) for a in info.get("collections") or [])
        #: how generated code reaches a class its module does not export under its name (the
        #: catalog's `access`: an attribute of another name, or a lookup in a mapper registry)
        self.access: dict[str, Any] | None = info.get("access") if isinstance(info.get("access"), dict) else None
        self._keywords: frozenset[str] | None = None

    def live(self) -> Any:
        """The class, when its module is already imported in this process (never imports)."""
        mod = sys.modules.get(self.module)
        obj = getattr(mod, self.class_name, None) if mod is not None else None
        return obj if isinstance(obj, type) else None

    def keyword_names(self) -> frozenset[str]:
        """Constructor keywords: mapped attributes, and the init parameters of a live dataclass model."""
        if self._keywords is None:
            names = set(self.attributes)
            cls = self.live()
            init = getattr(cls, "__init__", None) if cls is not None else None
            if init is not None and not (getattr(init, "__module__", "") or "").startswith("sqlalchemy"):
                import inspect

                try:
                    params = list(inspect.signature(init).parameters.values())
                except (TypeError, ValueError):
                    params = []
                names.update(p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
                fields = getattr(cls, "model_fields", None)  # SQLModel / pydantic
                if isinstance(fields, dict):
                    names.update(str(f) for f in fields)
            self._keywords = frozenset(n for n in names if not n.startswith("_") and n not in ("self", "cls"))
        return self._keywords


class Enum(NamedTuple):
    module: str
    name: str
    members: frozenset[str]


class Scenario(NamedTuple):
    """An extended scenario (or this one): its dataclass, create function and labels."""

    name: str
    class_name: str
    #: label -> ("model", qualname) or ("list", qualname)
    labels: dict[str, tuple[str, str]]
    direct: bool


class Known:
    """The catalog slice, enums and scenarios a candidate may use, from the guard's params."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.package = str(params.get("package") or "generated")
        self.roots = [str(m) for m in params.get("allowedModules") or []]
        self.models = {q: Model(q, info or {}) for q, info in sorted((params.get("models") or {}).items())}
        self.enums = [
            Enum(str(e["module"]), str(e["name"]), frozenset(str(m) for m in e.get("members") or []))
            for e in params.get("enums") or []
        ]
        self.scenarios: dict[str, Scenario] = {}
        for p in params.get("parents") or []:
            labels = {
                str(lab["label"]): ("list" if lab.get("list") else "model", str(lab.get("model") or ""))
                for lab in p.get("labels") or []
            }
            self.scenarios[str(p["name"])] = Scenario(
                str(p["name"]), str(p["className"]), labels, bool(p.get("direct"))
            )
        contract = params.get("contract") or {}
        self.class_name = str(contract.get("className") or "")
        self.create_name = str(contract.get("createName") or "")
        self.fixture_name = str(contract.get("fixtureName") or "")
        self.session_fixture = str(contract.get("sessionFixture") or "db_session")
        self.variants = [str(v) for v in contract.get("variants") or []]
        #: `create_<name>__<variant>` and the fixture `<name>__<variant>` of each variant
        self.variant_creates = [f"{self.create_name}__{v}" for v in self.variants]
        self.variant_fixtures = [f"{self.fixture_name}__{v}" for v in self.variants]
        self.make_name = f"make_{self.fixture_name}" if self.fixture_name else ""
        self.has_session_contract = "sessionFixture" in contract
        #: `async: true`: `async def` create and fixture, `await` on the flush and the parents' create.
        self.is_async = contract.get("async") is True

    def direct_parents(self) -> list[str]:
        return [s.name for s in self.scenarios.values() if s.direct]

    def classes_at(self, module: str) -> dict[str, tuple[str, Any]]:
        """What `from <module> import <name>` may take from a models module: name -> thing."""
        out: dict[str, tuple[str, Any]] = {}
        for m in self.models.values():
            a = m.access
            if a is None:
                if m.module == module:
                    out[m.class_name] = ("model", m)
            elif a.get("module") == module and a.get("via") == "attribute":
                out[str(a.get("name"))] = ("model", m)
            elif a.get("module") == module:
                # A declarative base or registry: usable only in the lookup statement (`lookup`).
                out[str(a.get("name"))] = ("anchor", str(a.get("via")))
        for e in self.enums:
            if e.module == module:
                out[e.name] = ("enum", e)
        if not out and any(module == r or module.startswith(r + ".") or r.startswith(module + ".") for r in self.roots):
            # Re-exported from a configured models package (`from crm import User`): unique names only.
            by_name: dict[str, list[tuple[str, Any]]] = {}
            for m in self.models.values():
                by_name.setdefault(m.class_name, []).append(("model", m))
            for e in self.enums:
                by_name.setdefault(e.name, []).append(("enum", e))
            out = {n: things[0] for n, things in by_name.items() if len(things) == 1}
        return out

    def scenario_module(self, module: str) -> Scenario | None:
        prefix = self.package + "."
        if module.startswith(prefix):
            return self.scenarios.get(module[len(prefix) :])
        return None


def lookup_source(anchor: str, via: str, key: str) -> str:
    """The one expression that reaches a class through its mapper registry (the builtin
    generator's `lookupExpression`); a candidate's lookup must be this, to the AST node."""
    registry = anchor if via == "registry" else f"{anchor}.registry"
    return (
        f"next(mapper.class_ for mapper in {registry}.mappers"
        f' if f"{{mapper.class_.__module__}}.{{mapper.class_.__qualname__}}" == {json.dumps(key)})'
    )
