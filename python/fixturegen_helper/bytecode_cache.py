"""The helper's own modules from bytecode, in a cache the helper may write.

The helper runs with PYTHONDONTWRITEBYTECODE=1 (it never writes `__pycache__` folders into the
user's project, nor into a read-only install), and the package ships no bytecode: without this,
each start compiles every module of the package from source (100-220 ms). `install(folder)` puts
a finder in front of the others for `fixturegen_helper.*` only: it loads a module from
`folder/<module>.<tag>.<path crc>.pyc` when that file was compiled from exactly the source's
current bytes (a hash-based pyc, PEP 552: the source is read and hashed on every import, so an
edited source is never served stale bytecode, whatever its mtime), else compiles the source and
writes the file (atomically; a folder that cannot be written is no error). Every other module,
the user's models included, loads as before. The client sets FIXTUREGEN_HELPER_PYCACHE to the
project's `.fixturegen/pycache`; verification children drop the finder (`uninstall`) at their
start, so they load exactly as without it.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import marshal
import os
import sys
import zlib
from collections.abc import Sequence
from types import CodeType, ModuleType

_PACKAGE = "fixturegen_helper"
#: PEP 552 flags: hash-based, checked against the source.
_CHECKED_HASH = (0b11).to_bytes(4, "little")


class _Loader(importlib.machinery.SourceFileLoader):
    folder = ""

    def get_code(self, fullname: str) -> CodeType:
        path = self.get_filename(fullname)
        source = self.get_data(path)
        header = importlib.util.MAGIC_NUMBER + _CHECKED_HASH + importlib.util.source_hash(source)
        cached = cache_path(self.folder, fullname, path)
        try:
            with open(cached, "rb") as f:
                data = f.read()
        except OSError:
            data = b""
        if data[:16] == header:
            try:
                code = marshal.loads(memoryview(data)[16:])
                if isinstance(code, CodeType):
                    return code
            except (ValueError, EOFError, TypeError):
                pass  # a damaged file: compiled again and replaced below
        code = self.source_to_code(source, path)
        tmp = f"{cached}.{os.getpid()}.tmp"
        try:
            os.makedirs(self.folder, exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(header + marshal.dumps(code))
            os.replace(tmp, cached)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return code


def cache_path(folder: str, fullname: str, source: str) -> str:
    """Where `fullname` (compiled from the file `source`) is cached: the source's path is part of
    the name, since the code object records it (tracebacks)."""
    crc = zlib.crc32(os.path.abspath(source).encode())
    return os.path.join(folder, f"{fullname}.{sys.implementation.cache_tag}.{crc:08x}.pyc")


class _Finder:
    folder = ""

    @classmethod
    def find_spec(
        cls, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(_PACKAGE + "."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader or not spec.origin:
            return spec
        loader = _Loader(fullname, spec.origin)
        loader.folder = cls.folder
        spec.loader = loader
        spec.cached = cache_path(cls.folder, fullname, spec.origin)
        return spec


def install(folder: str) -> None:
    """Loads the package's modules imported from now on through the cache in `folder`."""
    _Finder.folder = os.path.abspath(folder)
    if _Finder not in sys.meta_path:
        sys.meta_path.insert(0, _Finder)


def uninstall() -> None:
    """Back to Python's own loading (a verification child, at its start)."""
    if _Finder in sys.meta_path:
        sys.meta_path.remove(_Finder)
