"""What the helper does once so that every verification child starts warm (see `verify`).

A child forked from the helper inherits its imported modules and whatever lazily built state they
hold, so everything a child would otherwise pay for on each run is done here, in the parent, once:
pytest's built-in plugins imported; the verification database's dialect and driver imported and,
for SQLite, the models' DDL run once on a throwaway in-memory database (SQLAlchemy builds its
compiler and type state lazily); the smoke test module compiled, and the candidate's modules
(few at a time) compiled and kept by content, so a module verified again is not compiled again
(see `compiled`). Two facts about pytest's own
modules are also established here, so that a child can skip work whose result is known: which
`pytest11` entry points exist (pytest looks every `pytest_plugins` name up among them), and which
of its plugin modules and classes hold no fixture (pytest scans every plugin for fixtures at each
session start). The parent never imports a candidate: nothing here runs generated code.
"""

from __future__ import annotations

import importlib
import importlib.util
import marshal
import os
import signal
import sys
from collections import OrderedDict
from types import CodeType
from typing import Any

SMOKE_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "smoke.py")

_pytest_warm = False
_databases: set[str] = set()
#: The models modules (by object) whose DDL was last recorded, by URL: asked on every request,
#: looking the metadata up again would cost more than the child saves when nothing was imported
#: since (a stale recording is never used: the child checks the schema before it replays).
_recorded_with: dict[str, tuple[Any, ...]] = {}
_smoke_code: CodeType | None = None


def warm_pytest() -> None:
    """Import pytest and its built-in plugins (and ctypes, for `die_with_parent`)."""
    global _pytest_warm
    if _pytest_warm:
        return
    _pytest_warm = True
    import pytest  # noqa: F401
    from _pytest.config import default_plugins

    for name in default_plugins:
        try:
            importlib.import_module(f"_pytest.{name}")
        except Exception:  # noqa: BLE001 - best effort
            pass
    try:
        import ctypes  # noqa: F401
    except Exception:  # noqa: BLE001
        pass


def warm_database(url: str, models: list[str]) -> None:
    """Once per URL: the dialect and driver, and for SQLite the DDL of `models` (the request's,
    imported by introspect already; never a new import, never a connection to a server). For an
    in-memory SQLite that DDL is recorded for the children to replay (`ddl_cache`), again once
    the models modules were imported again. Best effort: a failure here is the child's to
    report."""
    first = url not in _databases
    _databases.add(url)
    try:
        import dataclasses  # noqa: F401 - what generated modules import
        import decimal  # noqa: F401
        import uuid  # noqa: F401

        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        from fixturegen_helper import testing
        from fixturegen_helper.verify import ddl_cache

        if make_url(url).get_backend_name() != "sqlite":
            if first:
                create_engine(url).dispose()  # imports the driver; connects to nothing
            return
        if not first and _same_modules(_recorded_with.get(url), _imported(models)):
            return
        metadatas = testing.metadatas(models) if models else []
        if ddl_cache.record(url, metadatas):
            _recorded_with[url] = _imported(models)
            return
        if not first:
            return
        from fixturegen_helper.verify.holds import create_on_throwaway_sqlite

        create_on_throwaway_sqlite(metadatas)
    except Exception:  # noqa: BLE001 - best effort
        pass


def _imported(models: list[str]) -> tuple[Any, ...]:
    """The names and the module objects now imported under them (held: compared by identity)."""
    return (tuple(models), *(sys.modules.get(m) for m in models))


def _same_modules(known: tuple[Any, ...] | None, now: tuple[Any, ...]) -> bool:
    return (
        known is not None
        and known[0] == now[0]
        and len(known) == len(now)
        and all(a is b for a, b in zip(known[1:], now[1:], strict=True))
    )


def smoke_code() -> CodeType:
    """smoke.py compiled once. The verifier's test module is a two-line stub that runs this code
    in its own namespace (so `__file__` still points beside the expectations file), instead of a
    copy of the source that each child would parse, assertion-rewrite and compile again. Nothing is
    lost by skipping the rewrite: smoke.py reports through `pytest.fail`, not `assert`."""
    global _smoke_code
    if _smoke_code is None:
        with open(SMOKE_SOURCE, encoding="utf-8") as f:
            source = f.read()
        _smoke_code = compile(source, SMOKE_SOURCE, "exec", dont_inherit=True)
        _import_smoke_imports(source)
    return _smoke_code


def _import_smoke_imports(source: str) -> None:
    """What smoke.py imports at its top, imported here: a module the helper has not imported is
    found, read and compiled again by every child that runs the smoke test (its value parity
    module, for one). fixturegen's own modules and libraries only: nothing of the candidate's."""
    import ast

    names: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - best effort: then the child imports it, as before
            pass


def smoke_stub() -> str:
    """The test module written beside each candidate (see `smoke_code`)."""
    return (
        '"""fixturegen\'s smoke test: fixturegen_helper/verify/smoke.py, compiled once by the helper.\n\n'
        'PYTEST_DONT_REWRITE: smoke.py has no assert statements."""\n\n'
        "from fixturegen_helper.verify.child import run_smoke_module\n\n"
        "run_smoke_module(globals())\n"
    )


#: Compiled modules by (path in the folder, source bytes), most recently used last.
_compiled: OrderedDict[tuple[str, bytes], bytes] = OrderedDict()
#: Compiled modules kept: every file of a watch session's recent saves, parents and plugin lists.
COMPILED_ENTRIES = 256
#: Requests with more Python files than this (batches) are compiled by their child as before: the
#: helper compiling a hundred modules one after another would hold up children that could start.
COMPILE_AHEAD_MAX_FILES = 8


def compiled(rel: str, source: str) -> bytes | None:
    """A checked hash-based .pyc of `source` (PEP 552), compiled once per content in the helper and
    kept: a watch session verifies the same parents' modules and the same plugin list on every
    save of a scenario, and each child would otherwise compile them again (the plugin list of a
    large project: tens of milliseconds). The child's import reads the source, checks its hash
    against the .pyc's and, only when they match, uses the code, with its file name set to the
    child's folder. Compiling runs nothing (the guard has already parsed the candidate here).
    None when it does not compile: the child then reports the error as it always did."""
    data = source.encode("utf-8")
    key = (rel, data)
    pyc = _compiled.get(key)
    if pyc is not None:
        _compiled.move_to_end(key)
        return pyc
    try:
        code = compile(data, rel, "exec", dont_inherit=True)
    except Exception:  # noqa: BLE001 - SyntaxError, ValueError (null bytes), RecursionError
        return None
    flags = 0b11  # hash-based, checked against the source at every import
    pyc = (
        importlib.util.MAGIC_NUMBER
        + flags.to_bytes(4, "little")
        + importlib.util.source_hash(data)
        + marshal.dumps(code)
    )
    _compiled[key] = pyc
    if len(_compiled) > COMPILED_ENTRIES:
        _compiled.popitem(last=False)
    return pyc


def write_compiled(dest: str, rel: str, source: str) -> None:
    """`compiled(rel, source)` beside `dest`, where the child's import looks for it."""
    pyc = compiled(rel, source)
    if pyc is None:
        return
    path = importlib.util.cache_from_source(dest)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(pyc)


_entry_point_names: frozenset[str] | None = None


def entry_point_names() -> frozenset[str]:
    """Names of the installed `pytest11` entry points, read once in the parent."""
    global _entry_point_names
    if _entry_point_names is None:
        try:
            from importlib.metadata import entry_points

            _entry_point_names = frozenset(ep.name for ep in entry_points(group="pytest11"))
        except Exception:  # noqa: BLE001 - then every lookup scans, as pytest would
            _entry_point_names = frozenset()
    return _entry_point_names


def skip_needless_entry_point_scans(names: frozenset[str] | None) -> None:
    """In a child: pytest looks every `pytest_plugins` name up among the installed distributions'
    entry points before importing it, reading each distribution's metadata files again (about a
    tenth of a run here). A name that no `pytest11` entry point had when the helper read them
    (the candidate's modules) is answered at once with what the scan would find: nothing."""
    if names is None:
        return
    try:
        from _pytest.config import PytestPluginManager

        original = PytestPluginManager.load_setuptools_entrypoints

        def load(self: Any, group: str, name: str | None = None) -> int:
            if group == "pytest11" and name is not None and name not in names:
                return 0
            return original(self, group, name)

        PytestPluginManager.load_setuptools_entrypoints = load  # type: ignore[method-assign]
    except Exception:  # noqa: BLE001 - pytest without this method: nothing to skip
        pass


_fixture_free: tuple[dict[int, object], frozenset[type]] | None = None


def fixture_free_holders() -> tuple[dict[int, object], frozenset[type]]:
    """pytest's modules and classes (which every child inherits) that hold no fixture, decided
    once in the parent with pytest's own tests. At each session start pytest scans every
    registered plugin for fixtures, attribute by attribute: a third of a run here, spent almost
    entirely on its built-in plugins, which define none. Empty when this pytest's internals
    differ (then nothing is skipped)."""
    global _fixture_free
    if _fixture_free is not None:
        return _fixture_free
    _fixture_free = ({}, frozenset())
    try:
        from _pytest.compat import safe_getattr
        from _pytest.fixtures import FixtureFunctionDefinition, FixtureManager

        find = FixtureManager._find_wrapped_fixture_def
        lookup = FixtureManager._lookup_in_type_dict
    except (ImportError, AttributeError):
        return _fixture_free

    def free(holder: Any) -> bool:
        for name in dir(holder):
            raw = lookup(None, holder, name)  # type: ignore[arg-type]
            # A fixture, bare or behind decorators (which pytest warns about): not free.
            if raw is not None and find(None, raw) is not None:  # type: ignore[arg-type]
                return False
            if type(safe_getattr(holder, name, None)) is FixtureFunctionDefinition:
                return False
        return True

    from _pytest.config import default_plugins

    # The plugins pytest registers: its built-in modules, and instances of their classes (and of
    # _pytest.config's, and of the verifier's recorder).
    names = [f"_pytest.{p}" for p in default_plugins] + ["_pytest.config", "fixturegen_helper.verify.recorder"]
    modules: dict[int, object] = {}
    types: set[type] = set()
    try:
        for name in names:
            mod = sys.modules.get(name)
            if mod is None:
                continue
            if free(mod):
                modules[id(mod)] = mod
            for obj in list(vars(mod).values()):
                if isinstance(obj, type) and obj.__module__ == name and free(obj):
                    types.add(obj)
    except Exception:  # noqa: BLE001 - then nothing is skipped
        return _fixture_free
    _fixture_free = (modules, frozenset(types))
    return _fixture_free


def skip_fixture_free_holders(holders: tuple[dict[int, object], frozenset[type]]) -> None:
    """In a child: pytest's fixture scan returns at once for a plugin that is one of `holders`'
    modules, or an instance of one of its classes (pytest scans an instance's class)."""
    modules, types = holders
    if not modules and not types:
        return
    try:
        from _pytest.fixtures import FixtureManager

        original = FixtureManager.parsefactories

        def parsefactories(self: Any, *args: Any, **kwargs: Any) -> Any:
            holder = kwargs.get("holder")
            if not args and holder is not None and (modules.get(id(holder)) is holder or type(holder) in types):
                return None
            return original(self, *args, **kwargs)

        FixtureManager.parsefactories = parsefactories  # type: ignore[method-assign]
    except Exception:  # noqa: BLE001
        pass


def die_with_parent(parent: int, on_exit: Any = None) -> None:
    """In a child: get SIGTERM when the helper dies (Linux), so no verification child outlives it
    even when the helper is killed; `on_exit` cleans up before exiting. Exits at once if the
    parent is already gone."""

    def handler(_signum: int, _frame: Any) -> None:
        if on_exit is not None:
            try:
                on_exit()
            except Exception:  # noqa: BLE001
                pass
        os._exit(143)

    signal.signal(signal.SIGTERM, handler)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    except Exception:  # noqa: BLE001 - not Linux: the go pipe's end-of-file still tells
        pass
    if os.getppid() != parent:
        handler(int(signal.SIGTERM), None)
