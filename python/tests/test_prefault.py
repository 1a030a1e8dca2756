"""prefault.prefault_inherited_memory: a spare child copies the helper's pages while it waits, so the
verification that follows does not take a copy-on-write fault for each page it writes."""

from __future__ import annotations

import json
import os
import resource
import sys

import pytest

from fixturegen_helper.verify import prefault

SMAPS = """\
55e4d1ad4000-55e4d2849000 rw-p 00000000 00:00 0                          [heap]
Size:              13780 kB
Rss:               13780 kB
VmFlags: rd wr mr mw me ac sd
7f21819bd000-7f2181abd000 rw-p 00000000 00:00 0
Size:               1024 kB
Rss:                 184 kB
VmFlags: rd wr mr mw me ac sd
7f2182171000-7f2182f5c000 rw-p 00000000 00:00 0
Size:              14252 kB
Rss:               14100 kB
7f2184e44000-7f2184f78000 rw-p 00123000 103:01 42                        /usr/lib/libpython3.11.so.1.0
Size:               1232 kB
Rss:                1232 kB
7f2185000000-7f2185100000 r--p 00000000 103:01 42                        /usr/lib/libpython3.11.so.1.0
Size:               1024 kB
Rss:                1024 kB
7f2186000000-7f2186100000 rw-s 00000000 00:05 7                          /dev/shm/x
Size:               1024 kB
Rss:                1024 kB
7ffc9a000000-7ffc9a021000 rw-p 00000000 00:00 0                          [stack]
Size:                132 kB
Rss:                 132 kB
"""


def test_only_private_writable_mostly_resident_ranges_are_copied() -> None:
    assert prefault._inherited_ranges(SMAPS) == [
        (0x55E4D1AD4000, 0x55E4D2849000),  # the heap
        (0x7F2182171000, 0x7F2182F5C000),  # an anonymous range in use
        (0x7F2184E44000, 0x7F2184F78000),  # a library's data
    ]  # not: a mostly untouched reservation, read-only or shared mappings, the stack


def _faults_writing(block: bytearray, copy_ahead: bool, stop_after: int | None = None) -> dict[str, int]:
    """Forks; the child optionally copies ahead (told to stop after `stop_after` chunks), then writes
    one byte per page of `block` (which the parent wrote before the fork) and reports its minor
    faults."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            asked = [0]

            def stop() -> bool:
                asked[0] += 1
                return stop_after is not None and asked[0] > stop_after

            copied = prefault.prefault_inherited_memory(stop) if copy_ahead else 0
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            for i in range(0, len(block), 4096):
                block[i] = 2
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
            os.write(write_end, json.dumps({"copied": copied, "faults": faults}).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    return dict(json.loads(data))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="MADV_POPULATE_WRITE is Linux's")
def test_a_prefaulted_child_writes_inherited_pages_without_faults() -> None:
    size = 32 << 20
    block = bytearray(b"\x01") * size  # written, so resident in the parent
    pages = size // 4096
    cold = _faults_writing(block, copy_ahead=False)
    prefaulted = _faults_writing(block, copy_ahead=True)
    assert cold["faults"] >= pages * 0.9, cold  # one copy-on-write fault per page
    assert prefaulted["copied"] >= size, prefaulted
    assert prefaulted["faults"] < pages * 0.05, prefaulted


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="MADV_POPULATE_WRITE is Linux's")
def test_the_copy_stops_when_asked_between_chunks() -> None:
    block = bytearray(b"\x01") * (32 << 20)
    at_once = _faults_writing(block, copy_ahead=True, stop_after=0)
    assert at_once["copied"] == 0, at_once
    assert at_once["faults"] >= (32 << 20) // 4096 * 0.9, at_once  # nothing was copied ahead
    two = _faults_writing(block, copy_ahead=True, stop_after=2)
    assert 0 < two["copied"] <= 2 * prefault.PREFAULT_CHUNK, two
