"""Model catalog: import the configured modules and describe their SQLAlchemy mapped classes.

The result is the `Catalog` of `src/catalog/types.ts` (camelCase keys), sorted so that the same
models always give the same JSON: models by qualname, columns and relationships by key.

This module imports the models and finds their mappers; `introspect_mappers` describes each mapped
class, and `introspect_types` each column's type.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Iterable
from types import ModuleType
from typing import Any

import sqlalchemy
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, configure_mappers

from fixturegen_helper.errors import HelperError
from fixturegen_helper.introspect_access import access_of
from fixturegen_helper.introspect_mappers import MapperIndex, model_info, qualname


def import_modules(paths: Iterable[str]) -> list[ModuleType]:
    """Import each path and, for packages, every submodule. Raises HelperError(ImportError)."""
    import traceback

    modules: list[ModuleType] = []
    seen: set[str] = set()

    def add(mod: ModuleType) -> None:
        if mod.__name__ not in seen:
            seen.add(mod.__name__)
            modules.append(mod)

    def import_submodule(name: str, path: str) -> ModuleType:
        try:
            return importlib.import_module(name)
        except BaseException as exc:  # noqa: BLE001
            raise HelperError(
                "ImportError",
                f"cannot import models module {name!r} (submodule of {path!r}): {type(exc).__name__}: {exc}",
                traceback.format_exc(),
            ) from None

    for path in paths:
        try:
            mod = importlib.import_module(path)
        except BaseException as exc:  # noqa: BLE001 - user code may raise anything, even SystemExit
            raise HelperError(
                "ImportError",
                f"cannot import models module {path!r}: {type(exc).__name__}: {exc}",
                traceback.format_exc(),
            ) from None
        add(mod)
        if hasattr(mod, "__path__"):
            failures: list[str] = []
            for info in pkgutil.walk_packages(mod.__path__, prefix=mod.__name__ + ".", onerror=failures.append):
                add(import_submodule(info.name, path))
            # walk_packages swallows errors of subpackage __init__ imports; import again to surface
            # the real exception.
            for name in failures:
                add(import_submodule(name, path))
    return modules


def _mapper_of(obj: Any) -> Mapper[Any] | None:
    if not isinstance(obj, type):
        return None
    insp: Any
    try:
        insp = sa_inspect(obj, raiseerr=False)
    except Exception:  # noqa: BLE001 - exotic objects may raise in __getattr__
        return None
    if isinstance(insp, Mapper) and insp.class_ is obj:
        return insp
    return None


def _registry_attribute(value: Any) -> Any:
    from sqlalchemy.orm import registry

    if isinstance(value, registry):
        return value
    if isinstance(value, type):
        try:
            reg = getattr(value, "registry", None)
        except Exception:  # noqa: BLE001
            return None
        return reg if isinstance(reg, registry) else None
    return None


def discover_mappers(modules: list[ModuleType]) -> list[Mapper[Any]]:
    """Mapped classes found in the modules' namespaces, or defined in those modules and registered
    in a registry reachable from them (including SQLModel's). Sorted by qualname."""
    names = {m.__name__ for m in modules}
    found: dict[type, Mapper[Any]] = {}
    registries: list[Any] = []
    for mod in modules:
        for value in list(vars(mod).values()):
            mapper = _mapper_of(value)
            if mapper is not None:
                found[mapper.class_] = mapper
                if mapper.registry not in registries:
                    registries.append(mapper.registry)
            # A declarative base or registry: its classes may be no module attribute at all.
            reg = _registry_attribute(value)
            if reg is not None and reg not in registries:
                registries.append(reg)
    sqlmodel = sys.modules.get("sqlmodel")
    if sqlmodel is not None:
        reg = getattr(getattr(sqlmodel, "SQLModel", None), "_sa_registry", None)
        if reg is not None and reg not in registries:
            registries.append(reg)
    for reg in registries:
        for mapper in list(reg.mappers):
            if mapper.class_.__module__ in names:
                found[mapper.class_] = mapper
    return sorted(found.values(), key=lambda m: qualname(m.class_))


def source_files(paths: Iterable[str]) -> list[str]:
    """Absolute source files of every imported module that belongs to the configured packages:
    the configured modules, their submodules, and their parent packages' modules (the top-level
    package of each configured path), so that a change in a sibling module the models import is
    seen too."""
    tops = {p.split(".")[0] for p in paths}
    files: set[str] = set()
    for name, mod in list(sys.modules.items()):
        if mod is None or name.split(".")[0] not in tops:
            continue
        f = getattr(mod, "__file__", None)
        if not f:
            continue
        f = os.path.abspath(f)
        if f.endswith((".py", ".pyw")) and os.path.isfile(f):
            files.add(f)
    return sorted(files)


def configure() -> None:
    import traceback

    try:
        configure_mappers()
    except Exception as exc:  # noqa: BLE001
        raise HelperError("MapperError", f"{type(exc).__name__}: {exc}", traceback.format_exc()) from None


def introspect(params: dict[str, Any]) -> dict[str, Any]:
    paths = params.get("models")
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) and p for p in paths):
        raise HelperError("ProtocolError", "params.models must be a non-empty list of module paths")
    modules = import_modules(paths)
    configure()
    mappers = discover_mappers(modules)
    index = MapperIndex(mappers)
    models = [model_info(m, index) for m in mappers]
    for mapper, info in zip(mappers, models, strict=True):
        access = access_of(mapper, modules)
        if access is not None:
            info["access"] = access
    return {
        "modules": list(paths),
        "models": models,
        "files": source_files(paths),
        "sqlalchemyVersion": sqlalchemy.__version__,
    }
