"""Allow-list guard for candidate scenario modules (LLM output), run before anything imports them.

The source is only parsed (`ast.parse`), never executed. Fixture code is a small, known subset of
Python (what the builtin generator writes is a subset of it by construction); everything outside
it is reported with a stable code at the offending node:

FG401  syntax error: the module does not parse (no other check runs).
FG402  an import outside the allow-list: `__future__` annotations; `dataclasses`, `datetime`,
       `decimal`, `uuid`, `pytest` as plain modules; the value constructors `datetime`, `date`,
       `time`, `timedelta`, `timezone`, `Decimal`, `UUID` and `dataclass`, `fixture` by name; the
       catalog's model and enum classes from their modules (or a configured models package that
       re-exports them); the dataclass and create function of an extended scenario.
FG403  a name, attribute or call fixture code may not use: anything but the function's own
       parameters and locals, the imported names called, `range`/`list`/`int`/`float`, the value
       constructors, `session.add`/`add_all`/`flush`, `append`/`extend` on a list or a relationship
       collection, mapped attributes of model instances and fields of scenario dataclasses; names
       beginning with `_`; string methods (but `.encode()`/`.lower()` of a literal, which the
       builtin generator writes for bytes and booleans).
FG404  a model constructor keyword that is not a mapped attribute (or a dataclass keyword that is
       not a field), with a "did you mean".
FG405  an attribute of a model instance that the class does not map.
FG406  a name of the generated-code contract is missing or has the wrong shape.
FG408  a top-level statement or definition outside the contract: anything but the docstring, the
       imports, the frozen dataclass, `create_<name>` and the fixture; `pytest_*` hooks and
       `pytest_plugins`; other decorators; base classes or metaclasses; fixture parameters other
       than the session fixture and the extended scenarios; a name defined twice.
FG409  a statement or expression outside the subset: inside functions only assignments,
       `for ... in range(...)`, `if`, calls, `return`; no lambdas, `:=`, `yield`, `await`, `**`,
       `with`, `try`, `while`, `global`, `del`, `assert`, nested definitions, parameter defaults
       other than None, annotations other than class names; no rebinding of imported names.

Positions are 1-based lines and columns (characters, not bytes). The layers: `guard_model` (what
may be imported and what it is), `guard_names` (names, kinds, reporting), `guard_walk` (function
bodies), `guard_top` (the module's top level and the contract), and here the entry point.
"""

from __future__ import annotations

import ast
from typing import Any

from fixturegen_helper.guard_model import Known
from fixturegen_helper.guard_top import Top


def guard(params: dict[str, Any]) -> dict[str, Any]:
    source = params.get("source")
    if not isinstance(source, str):
        from fixturegen_helper.errors import HelperError

        raise HelperError("ProtocolError", "params.source must be a string")
    try:
        tree = ast.parse(source, filename="<candidate>")
    except RecursionError:
        return {"diagnostics": [_too_deep()]}
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None) or 1
        column = getattr(exc, "offset", None) or 1
        message = getattr(exc, "msg", None) or str(exc)
        return {
            "diagnostics": [
                {"code": "FG401", "message": f"syntax error: {message}", "line": line, "column": max(1, column)}
            ]
        }
    checker = Top(source, Known(params))
    try:
        checker.check_module(tree)
    except RecursionError:
        return {"diagnostics": [_too_deep()]}
    seen: set[tuple[Any, ...]] = set()
    out = []
    for d in sorted(checker.diagnostics, key=lambda d: (d["line"], d["column"], d["code"], d["message"])):
        key = (d["code"], d["line"], d["column"], d["message"])
        if key not in seen:
            seen.add(key)
            out.append(d)
    return {"diagnostics": out}


def _too_deep() -> dict[str, Any]:
    """Nesting deeper than Python's recursion limit is not something fixture code needs."""
    message = "the module nests expressions too deeply to be checked; fixture code is flat"
    return {"code": "FG409", "message": message, "line": 1, "column": 1}
