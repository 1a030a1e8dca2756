"""The smoke test's call check of a scenario's factory: `make_<name>(variant, **overrides)`.

The expectation's `call` (see src/verify/expectations.ts) names the scenario module, its factory
fixture, its create function, the variant (null for the base) and that variant's create function,
and the labels the call creates. The factory is called with an empty override for every one of
those labels (`{"users": {}}`: valid for any label, and it changes nothing, so the rows are checked
exactly as the fixture's are). While it runs, the package's `apply_overrides` and the variant's
create function are wrapped where the scenario modules bound them: under the guard's allow-list
they are the only way a module can apply an override or reach a variant, so what they saw proves
that each label's override was applied to the rows the dataclass returns and that the variant was
dispatched. Then, on the base's call, an unknown variant and an unknown label must raise
LookupError (`check_scenario_call`; `refusal_calls`). When the same test's scenario check already
failed, the rows are not checked again here: the model hears each problem once.

Messages name the function and the label, and say what the contract wants instead, because they
are shown to users and fed back to the code model.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Iterator
from typing import Any

#: A variant and a label no scenario has: the create function must refuse both.
UNKNOWN_VARIANT = "fixturegen_no_such_variant"
UNKNOWN_LABEL = "fixturegen_no_such_label"

Report = Callable[[str], None]


def factory_args(call: dict[str, Any], overrides: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """`make(variant, **overrides)` as a test writes it; `overrides=` for a label that has the
    name of one of the factory's own parameters."""
    args = [call.get("variant")]
    if any(label in ("variant", "overrides") for label in overrides):
        return args, {"overrides": overrides}
    return args, dict(overrides)


def _shown(call: dict[str, Any]) -> str:
    variant = call.get("variant")
    return f'{call["factory"]}("{variant}")' if variant else f"{call['factory']}()"


def _own(call: dict[str, Any]) -> str:
    """The create function that builds the call's rows: the variant's, or the scenario's."""
    return str(call.get("create") or call["entry"])


#: Per package: how many modules were loaded and the package's modules when last listed, the
#: runtime functions looked for, and per module a call starts in, where the modules it can reach
#: bound them: (module, attribute, function).
_BOUND: dict[str, tuple[int, tuple[Any, ...], tuple[Any, ...], dict[str, list[tuple[Any, str, Any]]]]] = {}


def _bindings(package_name: str, functions: tuple[Any, ...], start: str) -> list[tuple[Any, str, Any]]:
    """Where the modules of the package that a call of `start`'s functions can reach bound
    `functions`. Reached: `start`, then every module of the package that a reached module holds,
    or holds a function or class of (an extended scenario's create function): under the guard,
    the only ways one module calls another's code. A module left out could only hide a call of
    the runtime, which the check then reports missing: never a pass. Read once per set of
    modules, as a verification child calls every scenario's factory over the same modules (their
    names are bound at import; the test's monkeypatch restores them after each call)."""
    known = _BOUND.get(package_name)
    if known is not None and known[0] == len(sys.modules) and known[1] == functions and start in known[3]:
        return known[3][start]
    prefix = package_name + "."
    by_name = {name: m for name, m in list(sys.modules.items()) if m is not None and name.startswith(prefix)}
    modules = tuple(by_name.values())
    if (
        known is None
        or known[1] != functions
        or len(known[2]) != len(modules)
        or not all(a is b for a, b in zip(known[2], modules, strict=True))
    ):
        known = (len(sys.modules), functions, modules, {})
    else:
        known = (len(sys.modules), *known[1:])
    _BOUND[package_name] = known
    if start not in known[3]:
        reached: dict[str, Any] = {}
        todo = [start]
        while todo:
            name = todo.pop()
            if name in reached or name not in by_name:
                continue
            reached[name] = by_name[name]
            for value in list(vars(by_name[name]).values()):
                held = getattr(value, "__name__", None) if isinstance(value, type(sys)) else None
                todo.append(held if isinstance(held, str) else str(getattr(value, "__module__", "")))
        known[3][start] = [
            (module, attribute, bound)
            for module in reached.values()
            for attribute, bound in list(vars(module).items())
            if any(bound is f for f in functions)
        ]
    return known[3][start]


class CallRecorder:
    def __init__(self, monkeypatch: Any, call: dict[str, Any], report: Report) -> None:
        self.call = call
        self.applied: list[tuple[Any, Any, Any]] = []
        #: (rows given, rows returned) of each `insert_rows` call (bulk lists, see the package).
        self.inserted: list[tuple[Any, Any]] = []
        self.dispatched = 0
        self._labels: dict[str, dict[str, Any]] = {}
        module_name = str(call["module"])
        package_name = module_name.rpartition(".")[0]
        package = importlib.import_module(package_name)
        original = getattr(package, "apply_overrides", None)
        if original is None:
            report(f"the package {package_name} has no apply_overrides: build its __init__.py with fixturegen")
            return

        def apply_overrides(*args: Any, **kwargs: Any) -> Any:
            named = dict(zip(("overrides", "label", "value"), args, strict=False))
            named.update(kwargs)
            self.applied.append((named.get("overrides"), named.get("label"), named.get("value")))
            return original(*args, **kwargs)

        replace = {original: apply_overrides}
        insert = getattr(package, "insert_rows", None)
        if insert is not None:
            # A bulk list is built as rows, then `insert_rows(session, Model, rows, overrides,
            # "label")` applies the label's overrides and returns the instances the label holds.
            if inspect.iscoroutinefunction(insert):

                async def insert_rows(*args: Any, **kwargs: Any) -> Any:
                    rows = await insert(*args, **kwargs)
                    self._inserted(args, kwargs, rows)
                    return rows

            else:

                def insert_rows(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
                    rows = insert(*args, **kwargs)
                    self._inserted(args, kwargs, rows)
                    return rows

            replace[insert] = insert_rows
        # Every name a module of the package the call reaches bound to them (an `as` alias too);
        # restored after the test.
        for module, attribute, old in _bindings(package_name, tuple(replace), module_name):
            if vars(module).get(attribute) is old:
                monkeypatch.setattr(module, attribute, replace[old])
        variant_create = call.get("create")
        if variant_create:
            module = importlib.import_module(module_name)
            target = getattr(module, str(variant_create), None)
            if target is None:
                report(f"{module_name} defines no {variant_create}")
                return

            def dispatched(*args: Any, **kwargs: Any) -> Any:
                self.dispatched += 1
                return target(*args, **kwargs)

            monkeypatch.setattr(module, str(variant_create), dispatched)

    def _inserted(self, args: tuple[Any, ...], kwargs: dict[str, Any], rows: Any) -> None:
        """An `insert_rows` call: the rows it took and returned, and the overrides it applied."""
        named = dict(zip(("session", "model", "rows", "overrides", "label"), args, strict=False))
        named.update(kwargs)
        self.inserted.append((named.get("rows"), rows))
        self.applied.append((named.get("overrides"), named.get("label"), rows))

    def overrides(self) -> dict[str, Any]:
        """An empty override per label, each its own object: what reaches `apply_overrides` is
        recognized by identity, whatever the module did to the mapping around it."""
        self._labels = {str(label): {} for label in self.call.get("labels") or []}
        return dict(self._labels)

    def header(self) -> str:
        return f"{_shown(self.call)} with an override for every label did not do what the contract says:"

    def check(self, value: Any, report: Report) -> None:
        call = self.call
        variant = call.get("variant")
        if variant and self.dispatched == 0:
            report(
                f'variant "{variant}": {_shown(call)} never called {call["create"]}: '
                f'{call["entry"]}(session, variant="{variant}", overrides=overrides) must return '
                f"{call['create']}(session, overrides=overrides)"
            )
            return
        for label, mine in self._labels.items():
            seen = [v for o, lab, v in self.applied if lab == label and isinstance(o, dict) and o.get(label) is mine]
            if not seen:
                report(
                    f'the overrides of "{label}" never reached apply_overrides: {_own(call)} must call '
                    f'apply_overrides(overrides, "{label}", {label}) right after adding {label} to the session'
                    " (for an inherited label: or hand them to the parent's create with parent_overrides)"
                )
                continue
            rows = getattr(value, label, None)
            if not any(self._stands_for(v, rows) for v in seen):
                report(
                    f'apply_overrides(overrides, "{label}", ...) was given other rows than the {label} '
                    f"{_own(call)} returns: pass the label's own instance or list"
                )

    def _stands_for(self, given: Any, rows: Any) -> bool:
        """`given` are the label's rows, or the list `insert_rows` turned into them."""
        if _same_rows(given, rows):
            return True
        return any(_same_rows(given, before) and _same_rows(after, rows) for before, after in self.inserted)


def _same_rows(given: Any, rows: Any) -> bool:
    if given is rows:
        return True
    if isinstance(given, (list, tuple)) and isinstance(rows, (list, tuple)):
        return len(given) == len(rows) and all(a is b for a, b in zip(given, rows, strict=True))
    return False


def _refusal(call: dict[str, Any], what: str, exc: BaseException | None) -> str:
    if exc is None:
        outcome = "did not raise LookupError: it created rows"
    elif type(exc).__module__.startswith("sqlalchemy"):
        outcome = (
            f"did not raise LookupError: it went on to create rows, which the database refused ({type(exc).__name__})"
        )
    else:
        outcome = f"raised {type(exc).__name__} instead of LookupError: {str(exc).splitlines()[0] if str(exc) else ''}"
    return (
        f"{what} {outcome}; {call['entry']} must begin with check_scenario_call(...) exactly as the request writes it"
    )


class Outcome:
    """What one refusal call raised: the caller makes the call inside `with outcome:`, awaiting it
    or not. An Exception is kept and goes no further; anything else (pytest's outcomes, an
    interrupt) passes through."""

    def __init__(self) -> None:
        self.raised: Exception | None = None

    def __enter__(self) -> None:
        pass

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, Exception):
            self.raised = exc
            return True
        return False


def refusal_calls(call: dict[str, Any], report: Report) -> Iterator[tuple[list[Any], dict[str, Any], Outcome]]:
    """An unknown variant, then an unknown label, must raise LookupError before any row is made.
    Yields the factory's arguments for each, and the Outcome to make the call in, for the sync and
    the async test alike:

        for args, kwargs, outcome in refusal_calls(call, report):
            with outcome:
                make(*args, **kwargs)  # or: await make(*args, **kwargs)

    A call that did not raise LookupError is reported, and ends the checks. Checked on the base's
    call only: every call goes through the same `check_scenario_call`."""
    if call.get("variant"):
        return
    for what, args, kwargs in _unknown(call, call["factory"]):
        outcome = Outcome()
        yield args, kwargs, outcome
        if not isinstance(outcome.raised, LookupError):
            report(_refusal(call, what, outcome.raised))
            return


def _unknown(call: dict[str, Any], factory: str) -> list[tuple[str, list[Any], dict[str, Any]]]:
    variant = call.get("variant")
    return [
        (f'{factory}("{UNKNOWN_VARIANT}")', [UNKNOWN_VARIANT], {}),
        (f"{_shown(call)[:-1]}{', ' if variant else ''}{UNKNOWN_LABEL}={{}})", [variant], {UNKNOWN_LABEL: {}}),
    ]
