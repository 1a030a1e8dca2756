"""fixturegen's generic smoke test, copied beside a candidate package to verify it.

The verifier writes this module as `test_fixturegen_smoke.py` and the expectations as
`fixturegen_smoke.json` next to it: `{"sessionFixture": "db_session", "expectations": [...]}`, one
expectation per scenario fixture (see `fixturegen_helper.verify`). Tests, in this order:

1. `test_fixturegen_baseline` counts the rows of every model named by an expectation before any
   fixture runs (zero on a fresh database);
2. `test_fixturegen_scenario[<fixture>]`, one per expectation, with two checks:
   - the scenario check: the fixture resolves; each label is an instance of the declared class, or
     a list of exactly `count` of them; every instance is persistent in the test's session and its
     row is found again by a fresh query by primary key; each reference holds for every instance;
     every value the scenario wrote holds for every instance (value parity, see
     `fixturegen_helper.verify.parity`); each row count holds;
   - with a `call` (the scenario's base and each variant, not a scoped scenario), the call check:
     `make_<name>(variant, **overrides)` with an empty override for every label it creates gives
     the same rows (the same checks), each label's override reaches the package's
     `apply_overrides`, a variant goes through its `create_<name>__<variant>`, and an unknown
     variant or label is refused with LookupError (see `fixturegen_helper.verify.calls`). The
     fixture's rows are then created in a SAVEPOINT, rolled back once checked: the call creates
     its rows in a session holding none of them (unique values would clash otherwise), as a test
     of its own would, without a second test's set-up and teardown. When the scenario check
     failed, the call's rows are not checked again and an error of the call is not reported (the
     model hears each problem once). Each failed check is reported on its own, naming it
     (`failure.CheckFailures`, see `recorder`); the test confirms its pass only when both passed;
3. `test_fixturegen_isolation` takes a new session and finds the baseline counts again: nothing an
   earlier test created is visible (the session fixture rolls back); the rows of a scenario scoped
   to the module or session stay, and are all that stays.

Failure messages name the label, the index and what was found, because they are shown to users and
fed back to the code model.
"""

from __future__ import annotations

import importlib
import json
import pathlib
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, tuple_
from sqlalchemy import inspect as sa_inspect

from fixturegen_helper.verify.calls import CallRecorder, factory_args, refusal_calls
from fixturegen_helper.verify.failure import CALL_CHECK, SCENARIO_CHECK, Checks
from fixturegen_helper.verify.parity import check_values

_CONFIG_PATH = pathlib.Path(__file__).with_name("fixturegen_smoke.json")
# Absent when the module is imported from the helper package itself (its own unit tests).
_CONFIG = json.loads(_CONFIG_PATH.read_text("utf-8")) if _CONFIG_PATH.exists() else {}
SESSION_FIXTURE: str = _CONFIG.get("sessionFixture") or "db_session"
#: `async: true`: the fixtures are pytest-asyncio ones and the session is an AsyncSession.
ASYNC: bool = _CONFIG.get("async") is True
# Fixtures created per test first: the rows of a scenario created once per module or session stay
# for the tests after it, so a per-test fixture (a scoped scenario's variant) checked after it
# would count them too.
EXPECTATIONS: list[dict[str, Any]] = sorted(_CONFIG.get("expectations") or [], key=lambda e: bool(e.get("scoped")))

#: Problems reported per test before the rest is summarized.
MAX_PROBLEMS = 20
#: Instances reported per failing reference before the rest is summarized.
MAX_PER_REF = 3
_CHUNK = 500

_BASELINE: dict[str, int] = {}
_CLASSES: dict[str, type] = {}


class _Problems(list[str]):
    def add(self, message: str) -> None:
        self.append(message)

    def text(self, header: str | None) -> str | None:
        """The problems under `header` (a lone problem without one), or None when there are none."""
        if not self:
            return None
        if header is None and len(self) == 1:
            return self[0]
        shown = self[:MAX_PROBLEMS]
        more = len(self) - len(shown)
        text = (header or "") + "\n" + "\n".join(f"- {p}" for p in shown)
        if more > 0:
            text += f"\n- ... and {more} more problem(s)"
        return text

    def fail_if_any(self, header: str) -> None:
        text = self.text(header)
        if text is not None:
            pytest.fail(text, pytrace=False)


def load_class(qualname: str) -> type:
    """Import `module.Class` (or `module.Outer.Inner`)."""
    if qualname in _CLASSES:
        return _CLASSES[qualname]
    parts = qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                obj = getattr(obj, name)
        except AttributeError:
            continue
        if isinstance(obj, type):
            _CLASSES[qualname] = obj
            return obj
    # A class no module exports under its name (built with type(), defined in a function): its
    # module is imported by now, so its mapper registry knows it.
    found = _registered_class(qualname)
    if found is not None:
        _CLASSES[qualname] = found
        return found
    raise LookupError(f"cannot import model class {qualname}")


def _registered_class(qualname: str) -> type | None:
    from sqlalchemy.orm import mapperlib

    matches = {
        m.class_
        for reg in list(mapperlib._mapper_registries)
        for m in list(reg.mappers)
        if f"{m.class_.__module__}.{m.class_.__qualname__}" == qualname
    }
    return matches.pop() if len(matches) == 1 else None


def _all_models() -> list[str]:
    names: set[str] = set()
    for exp in EXPECTATIONS:
        names.update(label["model"] for label in exp.get("labels", []))
        names.update(exp.get("counts", {}) or {})
    return sorted(names)


def count_rows(session: Any, cls: type) -> int:
    return int(session.execute(select(func.count()).select_from(cls)).scalar_one())


def _identity_text(obj: Any) -> str:
    try:
        ident = sa_inspect(obj).identity
    except Exception:  # noqa: BLE001
        ident = None
    if ident is None:
        return "(no identity)"
    return ", ".join(str(v) for v in ident)


def _is_mapped(obj: Any) -> bool:
    try:
        return sa_inspect(obj, raiseerr=False) is not None and not isinstance(obj, type)
    except Exception:  # noqa: BLE001
        return False


class _Names:
    """Describes objects by the label that holds them (`acme`, `users[1]`), else `<User 5>`."""

    def __init__(self) -> None:
        self.by_id: dict[int, str] = {}

    def add(self, obj: Any, name: str) -> None:
        self.by_id.setdefault(id(obj), name)

    def __call__(self, obj: Any) -> str:
        if obj is None:
            return "None"
        name = self.by_id.get(id(obj))
        if name is not None:
            return name
        if _is_mapped(obj):
            return f"<{type(obj).__name__} {_identity_text(obj)}>"
        if isinstance(obj, (list, tuple, set, frozenset)) or _is_collection(obj):
            items = list(obj)
            inner = ", ".join(self(o) for o in items[:5]) + (", ..." if len(items) > 5 else "")
            return f"[{inner}]"
        text = repr(obj)
        return text if len(text) <= 80 else text[:77] + "..."


def _is_collection(value: Any) -> bool:
    if isinstance(value, (str, bytes, dict)) or _is_mapped(value):
        return False
    return isinstance(value, (list, tuple, set, frozenset)) or (
        hasattr(value, "__iter__") and hasattr(value, "__len__")
    )


def _index(expr: dict[str, Any], i: int) -> int:
    kind = expr.get("kind")
    if kind == "const":
        return int(expr["value"])
    if kind == "i":
        return i
    if kind == "mod":
        return i % int(expr["k"])
    if kind == "div":
        return i // int(expr["k"])
    raise LookupError(f"unknown index expression {expr!r}")


def _index_text(expr: dict[str, Any]) -> str:
    kind = str(expr.get("kind"))
    return {
        "const": str(expr.get("value")),
        "i": "i",
        "mod": f"i % {expr.get('k')}",
        "div": f"i // {expr.get('k')}",
    }.get(kind, "?")


def resolve(spec: dict[str, Any], i: int, labels: dict[str, Any]) -> Any:
    """The object (or list of objects) a RefSpec means for instance index `i`."""
    kind = spec.get("kind")
    if kind == "ref":
        label = spec["label"]
        if label not in labels:
            raise LookupError(f"label {label!r} is not available")
        value = labels[label]
        index = spec.get("index")
        if index is None:
            return value
        if not isinstance(value, list):
            raise LookupError(f"{label} is not a list but the reference indexes it")
        k = _index(index, i)
        if not 0 <= k < len(value):
            what = (
                f"{label}[{k}]"
                if index.get("kind") == "const"
                else f"{label}[{_index_text(index)}] = {label}[{k}] (i = {i})"
            )
            raise LookupError(f"{what} is out of range: {label} has {len(value)} items")
        return value[k]
    if kind == "list":
        out: list[Any] = []
        for item in spec.get("items", []):
            r = resolve(item, i, labels)
            out.extend(r if isinstance(r, list) else [r])
        return out
    if kind == "cycle":
        items = spec.get("items", [])
        if not items:
            raise LookupError("empty cycle")
        return resolve(items[i % len(items)], i, labels)
    raise LookupError(f"unknown reference kind {kind!r}")


def _check_labels(value: Any, exp: dict[str, Any], problems: _Problems, names: _Names) -> dict[str, Any]:
    labels: dict[str, Any] = {}
    fixture = exp["fixture"]
    for spec in exp.get("labels", []):
        label, model, count = spec["label"], spec["model"], spec.get("count")
        if not hasattr(value, label):
            problems.add(f"the value of fixture {fixture} ({type(value).__name__}) has no attribute {label!r}")
            continue
        try:
            cls = load_class(model)
        except LookupError as exc:
            problems.add(str(exc))
            continue
        obj = getattr(value, label)
        if count is None:
            if isinstance(obj, (list, tuple)):
                problems.add(f"{label} is a list of {len(obj)} items, expected one {model}")
                continue
            if not isinstance(obj, cls):
                problems.add(f"{label} is {names(obj)}, expected an instance of {model}")
                continue
            names.add(obj, label)
            labels[label] = obj
        else:
            if not isinstance(obj, (list, tuple)):
                problems.add(f"{label} is {names(obj)}, expected a list of {count} {model}")
                continue
            items = list(obj)
            if len(items) != count:
                problems.add(f"{label} has {len(items)} items, expected {count} {model}")
            wrong = [k for k, o in enumerate(items) if not isinstance(o, cls)]
            if wrong:
                more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
                problems.add(f"{label}[{wrong[0]}] is {names(items[wrong[0]])}, expected an instance of {model}{more}")
                continue
            for k, o in enumerate(items):
                names.add(o, f"{label}[{k}]")
            labels[label] = items
    return labels


def _check_rows(session: Any, labels: dict[str, Any], problems: _Problems, names: _Names) -> None:
    """Every instance is persistent in `session` and its row is found again by primary key."""
    for label, value in labels.items():
        items = value if isinstance(value, list) else [value]
        persistent: dict[type, list[tuple[int, Any]]] = {}
        unflushed: list[str] = []
        for k, obj in enumerate(items):
            where = f"{label}[{k}]" if isinstance(value, list) else label
            state = sa_inspect(obj)
            if state.identity is None:
                unflushed.append(where)
                continue
            if state.session is not session:
                problems.add(
                    f"{where} belongs to {'no session' if state.session is None else 'another session'}"
                    f", not to the test's {SESSION_FIXTURE} session"
                )
                continue
            persistent.setdefault(type(obj), []).append((k, obj))
        if unflushed:
            more = f" (and {len(unflushed) - 1} more)" if len(unflushed) > 1 else ""
            problems.add(
                f"{unflushed[0]}{more} was not flushed: it has no database identity (add it to the "
                f"session and call {'await ' if ASYNC else ''}session.flush() before returning)"
            )
        for cls, pairs in persistent.items():
            mapper: Any = sa_inspect(cls)
            pk = list(mapper.primary_key)
            wanted = {tuple(sa_inspect(o).identity): (k, o) for k, o in pairs}
            keys = list(wanted)
            found: set[tuple[Any, ...]] = set()
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                if len(pk) == 1:
                    cond = pk[0].in_([key[0] for key in chunk])
                else:
                    cond = tuple_(*pk).in_(chunk)
                rows = session.execute(select(*pk).select_from(cls).where(cond)).all()
                found.update(tuple(r) for r in rows)
            missing = [wanted[key] for key in keys if key not in found]
            if missing:
                k, obj = missing[0]
                where = f"{label}[{k}]" if isinstance(value, list) else label
                more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
                problems.add(
                    f"{where} ({names(obj)}) has no row in table {mapper.local_table.name}{more}: a "
                    "fresh query by primary key found nothing"
                )


def _check_refs(refs: list[dict[str, Any]], labels: dict[str, Any], problems: _Problems, names: _Names) -> None:
    for ref in refs:
        label, attr, column, expect = ref["label"], ref["attribute"], ref.get("column"), ref["expect"]
        exact = ref.get("exact", True)
        if label not in labels:
            continue
        value = labels[label]
        items = value if isinstance(value, list) else [value]
        failures: list[str] = []
        for i, obj in enumerate(items):
            where = f"{label}[{i}]" if isinstance(value, list) else label
            try:
                expected = resolve(expect, i, labels)
            except LookupError as exc:
                failures.append(f"{where}.{attr}: cannot check the reference: {exc}")
                continue
            try:
                actual = getattr(obj, attr)
            except Exception as exc:  # noqa: BLE001 - lazy load errors, bad attribute names
                unloaded = (
                    " (not loaded: an async test cannot lazy-load it; the create function must set it)"
                    if type(exc).__name__ == "MissingGreenlet"
                    else ""
                )
                failures.append(f"{where}.{attr} cannot be read{unloaded}: {type(exc).__name__}: {exc}")
                continue
            message = _compare(where, attr, column, actual, expected, names, exact)
            if message:
                failures.append(message)
        for message in failures[:MAX_PER_REF]:
            problems.add(message)
        if len(failures) > MAX_PER_REF:
            problems.add(f"... {label}.{attr} is wrong for {len(failures) - MAX_PER_REF} more instance(s)")


def _compare(
    where: str,
    attr: str,
    column: str | None,
    actual: Any,
    expected: Any,
    names: _Names,
    exact: bool = True,
) -> str | None:
    """What is wrong with `actual`, or None. A collection that is not `exact` may hold more
    members than the scenario set on it (the other side of the relationship added them)."""
    if column is not None:
        if isinstance(expected, list):
            return f"{where}.{attr}: expected a single instance to read {column} from, got a list"
        want = getattr(expected, column)
        if actual != want:
            return f"{where}.{attr} is {actual!r}, expected {names(expected)}.{column} = {want!r}"
        return None
    if isinstance(expected, list) or _is_collection(actual):
        want_items = expected if isinstance(expected, list) else [expected]
        if not _is_collection(actual):
            return f"{where}.{attr} is {names(actual)}, expected the collection {names(want_items)}"
        have_items = list(actual)
        have = {id(o) for o in have_items}
        want = {id(o) for o in want_items}
        if have == want:
            return None
        missing = [o for o in want_items if id(o) not in have]
        extra = [o for o in have_items if id(o) not in want] if exact else []
        if not missing and not extra:
            return None
        parts = []
        if missing:
            parts.append(
                "is missing " + ", ".join(names(o) for o in missing[:5]) + (" ..." if len(missing) > 5 else "")
            )
        if extra:
            parts.append(
                "has unexpected " + ", ".join(names(o) for o in extra[:5]) + (" ..." if len(extra) > 5 else "")
            )
        return (
            f"{where}.{attr} " + " and ".join(parts) + f" (expected {len(want_items)} members, found {len(have_items)})"
        )
    if actual is not expected:
        return f"{where}.{attr} is {names(actual)} not {names(expected)}"
    return None


def _check_counts(session: Any, counts: dict[str, int], problems: _Problems) -> None:
    """Each model's row count, all read by one statement (a scalar subquery per model)."""
    loaded: list[tuple[str, int, type]] = []
    for model, expected in sorted((counts or {}).items()):
        try:
            loaded.append((model, expected, load_class(model)))
        except LookupError as exc:
            problems.add(str(exc))
    if not loaded:
        return
    row = session.execute(
        select(*(select(func.count()).select_from(cls).scalar_subquery() for _, _, cls in loaded))
    ).one()
    for (model, expected, _), found in zip(loaded, row, strict=True):
        if int(found) != expected:
            before = _BASELINE.get(model, 0)
            note = f" ({before} existed before the fixture ran)" if before else ""
            problems.add(f"expected {expected} {model} rows, found {found}{note}")


def _count_all(session: Any, problems: _Problems) -> dict[str, int]:
    """Rows of every model an expectation names; a model that cannot be loaded is a problem."""
    counts: dict[str, int] = {}
    for model in _all_models():
        try:
            counts[model] = count_rows(session, load_class(model))
        except LookupError as exc:
            problems.add(str(exc))
    return counts


def _check_isolation(counts: dict[str, int], problems: _Problems) -> None:
    """After the scenario tests, a new session sees the baseline's rows: each test was rolled back.
    The rows of a scenario created once per module or session stay, and are all that stays."""
    stay = {model: n for e in EXPECTATIONS if e.get("scoped") for model, n in e["counts"].items()}
    for model, found in counts.items():
        before = stay.get(model, _BASELINE.get(model, 0))
        if found != before:
            problems.add(f"a new session sees {found} {model} rows after the scenario tests, expected {before}")
    problems.fail_if_any(
        f"rows created in one test are visible in the next: the {SESSION_FIXTURE} fixture must roll "
        "back each test's transaction"
    )
    _confirm("test_fixturegen_isolation")


def _scenario_checks(
    value: Any, expectation: dict[str, Any], problems: _Problems
) -> Iterator[tuple[Callable[..., None], tuple[Any, ...]]]:
    """Every check of one scenario's value, in order, for the sync and the async test alike. The
    checks that query the database are yielded as (function, arguments) for the caller to run on
    its session (directly, or through `run_sync`); the others run here, between them, reading the
    objects as a test would."""
    names = _Names()
    labels = _check_labels(value, expectation, problems, names)
    yield _check_rows, (labels, problems, names)
    _check_refs(expectation.get("refs", []), labels, problems, names)
    check_values(expectation.get("values", []), labels, problems.add)
    yield _check_counts, (expectation.get("counts", {}), problems)


def test_fixturegen_baseline(request: Any) -> None:
    session = request.getfixturevalue(SESSION_FIXTURE)
    problems = _Problems()
    _BASELINE.update(_count_all(session, problems))
    problems.fail_if_any("cannot count the rows of the expected models:")
    _confirm("test_fixturegen_baseline")


def _scenario_header(fixture: str) -> str:
    return f"fixture {fixture} did not create what its scenario says:"


@pytest.mark.parametrize("expectation", EXPECTATIONS, ids=[e["fixture"] for e in EXPECTATIONS])
def test_fixturegen_scenario(request: Any, expectation: dict[str, Any]) -> None:
    fixture = expectation["fixture"]
    call = expectation.get("call")
    if not isinstance(call, dict):
        # The fixture first: a scoped one is set up before the test's session (its rows are not
        # the test's, and stay).
        value = request.getfixturevalue(fixture)
        session = request.getfixturevalue(SESSION_FIXTURE)
        problems = _Problems()
        for query, args in _scenario_checks(value, expectation, problems):
            query(session, *args)
        problems.fail_if_any(_scenario_header(fixture))
        _confirm(f"test_fixturegen_scenario[{fixture}]")
        return
    failures = Checks()
    # The fixture's rows in a SAVEPOINT, rolled back once checked: the factory call then creates
    # its rows in a session that holds none of them, as a test of its own would. (No scoped
    # fixture has a call: its rows, and those of a scenario extending it, stay.)
    session = request.getfixturevalue(SESSION_FIXTURE)
    known = _identities(session)
    savepoint = session.begin_nested()
    try:
        value = request.getfixturevalue(fixture)
        problems = _Problems()
        for query, args in _scenario_checks(value, expectation, problems):
            query(session, *args)
        failures.problems(SCENARIO_CHECK, problems.text(_scenario_header(fixture)))
    except Exception:  # noqa: BLE001 - reported as the scenario check's failure, after the call's
        failures.error(SCENARIO_CHECK, pytest.ExceptionInfo.from_current())
    if savepoint.is_active:
        savepoint.rollback()
    _forget_since(session, known)
    with pytest.MonkeyPatch.context() as monkeypatch:
        make, missing = _factory(request, expectation["call"])
        _run_steps(_call_check_steps(make, missing, expectation, monkeypatch, failures), make, session)
    failures.raise_if_any()
    _confirm(f"test_fixturegen_scenario[{fixture}]")


def _identities(session: Any) -> set[Any]:
    """The identity keys the session holds (an AsyncSession's: its Session's)."""
    return set(getattr(session, "sync_session", session).identity_map.keys())


def _forget_since(session: Any, known: set[Any]) -> None:
    """After the SAVEPOINT's rollback: out of the session, every instance that came into it since
    `known` was taken. SQLAlchemy expunges the instances it inserted, not those it loaded (rows
    inserted in bulk come back by a SELECT): kept, they would stand for the call's rows of the same
    primary keys, with what the rolled-back rows held."""
    sync = getattr(session, "sync_session", session)
    for key, obj in list(sync.identity_map.items()):
        if key not in known:
            sync.expunge(obj)


def _factory(request: Any, call: dict[str, Any]) -> tuple[Any, str | None]:
    """The factory fixture's value, or its absence said in one line rather than pytest's fixture list."""
    try:
        return request.getfixturevalue(call["factory"]), None
    except pytest.FixtureLookupError:
        define = '@pytest_asyncio.fixture(loop_scope="function") async def' if ASYNC else "def"
        return None, (
            f"{call['module']} defines no fixture {call['factory']}: the contract's factory fixture is "
            f"`{define} {call['factory']}({SESSION_FIXTURE})` returning "
            f"`scenario_factory({call['entry']}, {SESSION_FIXTURE})`"
        )


def _call_check_steps(
    make: Any, missing: str | None, expectation: dict[str, Any], monkeypatch: Any, failures: Checks
) -> Generator[tuple[Any, ...], Any, None]:
    """The factory call's check (see `fixturegen_helper.verify.calls`), for the sync and the async
    test alike: each call of the factory is yielded as ("make", args, kwargs) and each query as
    ("query", function, arguments), for the caller to run (`_run_steps`, `_run_steps_async`); what
    a step returns is sent back, what it raises thrown in. When the scenario check failed, the
    rows are not checked again, and an error of the call is that check's."""
    call = expectation["call"]
    passed = not failures.failed
    if missing is not None:
        failures.problems(CALL_CHECK, missing)
        return
    problems = _Problems()
    recorder = CallRecorder(monkeypatch, call, problems.add)
    args, kwargs = factory_args(call, recorder.overrides())
    try:
        value = yield "make", args, kwargs
    except Exception:  # noqa: BLE001
        if passed:
            failures.error(CALL_CHECK, pytest.ExceptionInfo.from_current())
        return
    try:
        if passed:
            for query, query_args in _scenario_checks(value, expectation, problems):
                yield "query", query, query_args
        recorder.check(value, problems.add)
        if not problems:
            # Last: a module that does not check its call creates rows here.
            for refusal_args, refusal_kwargs, outcome in refusal_calls(call, problems.add):
                with outcome:
                    yield "make", refusal_args, refusal_kwargs
    except Exception:  # noqa: BLE001
        failures.error(CALL_CHECK, pytest.ExceptionInfo.from_current())
        return
    failures.problems(CALL_CHECK, problems.text(recorder.header()))


def _next_step(steps: Generator[tuple[Any, ...], Any, None], outcome: tuple[Any, Exception | None]) -> Any:
    """The next step of `_call_check_steps`, given what the last one returned or raised (None
    when they are done)."""
    sent, thrown = outcome
    try:
        return steps.throw(thrown) if thrown is not None else steps.send(sent)
    except StopIteration:
        return None


def _run_steps(steps: Generator[tuple[Any, ...], Any, None], make: Any, session: Any) -> None:
    """Runs the steps of `_call_check_steps` on a Session."""
    outcome: tuple[Any, Exception | None] = (None, None)
    while (step := _next_step(steps, outcome)) is not None:
        kind, first, rest = step
        try:
            outcome = (make(*first, **rest) if kind == "make" else first(session, *rest), None)
        except Exception as error:  # noqa: BLE001 - thrown into the steps, which report it
            outcome = (None, error)


def test_fixturegen_isolation(request: Any) -> None:
    session = request.getfixturevalue(SESSION_FIXTURE)
    problems = _Problems()
    _check_isolation(_count_all(session, problems), problems)


if ASYNC:
    # The same checks for an AsyncSession. Fixtures are requested by sync fixtures (pytest-asyncio
    # runs an async fixture in the test's loop, which must not be running yet: never from inside
    # the test). Queries run through `run_sync`; references are read outside it, as an async test
    # reads them, so an attribute that would need a lazy load fails (MissingGreenlet). The loop
    # scope is named, so no ini setting of the project changes it.
    import pytest_asyncio

    @pytest.fixture
    def fixturegen_session_value(request: Any) -> Any:
        return request.getfixturevalue(SESSION_FIXTURE)

    @pytest_asyncio.fixture(loop_scope="function")
    async def fixturegen_savepoint(fixturegen_session_value: Any) -> Any:
        return await fixturegen_session_value.begin_nested()

    @pytest.fixture
    def fixturegen_scenario_value(request: Any, expectation: dict[str, Any]) -> dict[str, Any]:
        """The fixture's value and the session; with a factory call to check, also the factory (or
        why there is none), the SAVEPOINT the fixture was created in (see the sync test) and what
        the fixture raised. Async fixtures are set up here: never from inside the test's loop."""
        call = expectation.get("call")
        if not isinstance(call, dict):
            value = request.getfixturevalue(expectation["fixture"])
            return {"value": value, "session": request.getfixturevalue(SESSION_FIXTURE)}
        session = request.getfixturevalue(SESSION_FIXTURE)
        make, missing = _factory(request, call)
        out = {"session": session, "make": make, "missing": missing, "raised": None, "value": None}
        out["known"] = _identities(session)
        out["savepoint"] = request.getfixturevalue("fixturegen_savepoint")
        try:
            out["value"] = request.getfixturevalue(expectation["fixture"])
        except Exception:  # noqa: BLE001 - reported by the test, after the call's check
            out["raised"] = pytest.ExceptionInfo.from_current()
        return out

    @pytest.mark.asyncio(loop_scope="function")
    async def test_fixturegen_baseline(fixturegen_session_value: Any) -> None:
        problems = _Problems()
        _BASELINE.update(await fixturegen_session_value.run_sync(_count_all, problems))
        problems.fail_if_any("cannot count the rows of the expected models:")
        _confirm("test_fixturegen_baseline")

    @pytest.mark.asyncio(loop_scope="function")
    @pytest.mark.parametrize("expectation", EXPECTATIONS, ids=[e["fixture"] for e in EXPECTATIONS])
    async def test_fixturegen_scenario(fixturegen_scenario_value: dict[str, Any], expectation: dict[str, Any]) -> None:
        fixture = expectation["fixture"]
        got = fixturegen_scenario_value
        value, session, savepoint, raised = got["value"], got["session"], got.get("savepoint"), got.get("raised")
        if savepoint is None:
            problems = _Problems()
            for query, args in _scenario_checks(value, expectation, problems):
                await session.run_sync(query, *args)
            problems.fail_if_any(_scenario_header(fixture))
            _confirm(f"test_fixturegen_scenario[{fixture}]")
            return
        failures = Checks()
        if raised is not None:
            failures.error(SCENARIO_CHECK, raised)
        else:
            try:
                problems = _Problems()
                for query, args in _scenario_checks(value, expectation, problems):
                    await session.run_sync(query, *args)
                failures.problems(SCENARIO_CHECK, problems.text(_scenario_header(fixture)))
            except Exception:  # noqa: BLE001
                failures.error(SCENARIO_CHECK, pytest.ExceptionInfo.from_current())
        if savepoint.is_active:
            await savepoint.rollback()
        _forget_since(session, got["known"])
        with pytest.MonkeyPatch.context() as monkeypatch:
            steps = _call_check_steps(got["make"], got["missing"], expectation, monkeypatch, failures)
            await _run_steps_async(steps, got["make"], got["session"])
        failures.raise_if_any()
        _confirm(f"test_fixturegen_scenario[{fixture}]")

    async def _run_steps_async(steps: Generator[tuple[Any, ...], Any, None], make: Any, session: Any) -> None:
        """Runs the steps of `_call_check_steps` on an AsyncSession, awaiting the factory's calls."""
        outcome: tuple[Any, Exception | None] = (None, None)
        while (step := _next_step(steps, outcome)) is not None:
            kind, first, rest = step
            try:
                done = await make(*first, **rest) if kind == "make" else await session.run_sync(first, *rest)
                outcome = (done, None)
            except Exception as error:  # noqa: BLE001 - thrown into the steps, which report it
                outcome = (None, error)

    @pytest.mark.asyncio(loop_scope="function")
    async def test_fixturegen_isolation(fixturegen_session_value: Any) -> None:
        problems = _Problems()
        _check_isolation(await fixturegen_session_value.run_sync(_count_all, problems), problems)


def _confirm(name: str) -> None:
    """Reached only when every check of the test passed: the verdict (see child.confirm)."""
    from fixturegen_helper.verify.child import confirm

    confirm(name)
