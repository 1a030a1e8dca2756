"""A spare verification child copies the helper's memory while it waits (see `child`).

After fork, parent and child share every page until one of them writes to it; CPython writes a
reference count into every object it touches, so the first pass of a verification child over the
models' tables, the ORM and pytest copied thousands of 4 KiB pages, a fault each: about a sixth of
the child's CPU once the candidate was in place (3600 faults on a 36-model project). A spare has
idle time before its request arrives; it spends it asking the kernel to copy those pages at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

#: madvise(2) advice that faults a range in writable, copying shared copy-on-write pages (Linux 5.14).
MADV_POPULATE_WRITE = 23
#: A spare copies at most this much of the helper's memory ahead of time.
PREFAULT_LIMIT = 1 << 30
#: Bytes copied between two looks at whether the request arrived (about 4 ms here).
PREFAULT_CHUNK = 4 << 20


def _inherited_ranges(smaps: str) -> list[tuple[int, int]]:
    """The private writable mappings worth copying, from /proc/self/smaps: those mostly resident
    (a reserved, mostly untouched range would only be filled with zeroes), stack excepted."""
    ranges: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    size = 0
    for line in smaps.splitlines():
        fields = line.split()
        if not fields:
            continue
        if not fields[0].endswith(":"):
            perms = fields[1] if len(fields) > 1 else ""
            path = fields[5] if len(fields) > 5 else ""
            current = None
            if perms.startswith("rw") and perms.endswith("p") and path != "[stack]" and "-" in fields[0]:
                low, high = (int(x, 16) for x in fields[0].split("-", 1))
                current = (low, high)
        elif current is not None and fields[0] == "Size:":
            size = int(fields[1])
        elif current is not None and fields[0] == "Rss:":
            if 2 * int(fields[1]) >= size:
                ranges.append(current)
            current = None
    return ranges


def prefault_inherited_memory(stop: Callable[[], bool] | None = None) -> int:
    """Copies the inherited pages (see the module's docstring) in chunks, asking `stop` before
    each: a spare whose request arrives while it copies runs the request at once with what it has
    (the rest faults as before). Returns the bytes copied; 0 where madvise cannot do it (not Linux,
    kernels before 5.14), which only leaves the faults where they were."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        import ctypes

        with open("/proc/self/smaps", encoding="utf-8", errors="replace") as f:
            ranges = _inherited_ranges(f.read())
        if sum(high - low for low, high in ranges) > PREFAULT_LIMIT:
            return 0
        libc = ctypes.CDLL(None, use_errno=True)
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        done = 0
        for low, high in ranges:
            for start in range(low, high, PREFAULT_CHUNK):
                if stop is not None and stop():
                    return done
                end = min(high, start + PREFAULT_CHUNK)
                if libc.madvise(start, end - start, MADV_POPULATE_WRITE) != 0:
                    if ctypes.get_errno() == 22:  # EINVAL: the kernel does not know the advice
                        return done
                    break  # this range changed under us (unmapped, protected): skip it
                done += end - start
        return done
    except Exception:  # noqa: BLE001 - best effort
        return 0
