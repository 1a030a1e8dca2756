"""The parent's side of a verification child's life: the spare forked ahead, the wait for a
child with its deadline, the stack dump asked for before a kill, the kill and the reaping.

No verification child may outlive its request or the helper: every path out of a wait kills the
child's process group, and exit handlers discard the spare and reap children still exiting.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from fixturegen_helper import confine, confine_reap
from fixturegen_helper.verify.child import DUMP_SIGNAL, run_child
from fixturegen_helper.verify.folder import Mode, verdict_path, write_static


def signal_group(pid: int, sig: int) -> None:
    """Verification children lead their own session: the group takes what they started too (the
    process alone when it has no group any more)."""
    targets: tuple[Callable[[], None], ...] = (lambda: os.killpg(pid, sig), lambda: os.kill(pid, sig))
    for target in targets:
        try:
            target()
            return
        except (ProcessLookupError, PermissionError):
            continue


def kill_group(pid: int) -> None:
    signal_group(pid, signal.SIGKILL)


#: Children that said they were done and are exiting; reaped without waiting, later.
EXITING: list[int] = []


def reap_exiting(block: bool = False) -> None:
    for pid in list(EXITING):
        try:
            if os.waitpid(pid, 0 if block else os.WNOHANG)[0] == 0:
                continue
        except ChildProcessError:
            pass
        EXITING.remove(pid)


def not_strays() -> set[int]:
    """The helper's children that are not strays: the spare, and children still exiting."""
    spare = Spare.current
    return set(EXITING) | ({spare.pid} if spare is not None else set())


#: How long the parent waits for the stack dump (`DUMP_SIGNAL`) to appear in the child's log.
DUMP_WAIT_S = 1.0


def _request_dump(pid: int, log_path: str) -> None:
    """Signals the child to write every thread's stack to its log, and waits (with a deadline)
    until the dump is there and has stopped growing, so the kill that follows never cuts it."""
    try:
        before = os.path.getsize(log_path)
    except OSError:
        before = 0
    try:
        os.kill(pid, DUMP_SIGNAL)
    except ProcessLookupError:
        return
    limit = time.monotonic() + DUMP_WAIT_S
    size = before
    while time.monotonic() < limit:
        select.select([], [], [], 0.01)
        try:
            now = os.path.getsize(log_path)
        except OSError:
            return
        if now > before and now == size:
            return
        size = now


def wait_child(pid: int, deadline: float, done_fd: int, log_path: str) -> tuple[int | None, bool, float | None]:
    """Waits for the child until it is done, exits, or the deadline passes: (wait status, or None
    when it said it was done and is exiting; timed out; its CPU milliseconds when reaped). Wakes at
    once (its done pipe, a pidfd where the platform has one, else short polls); kills its process
    group at the deadline, and also when the wait itself is interrupted (Ctrl-C reaches the
    helper), so no verification child outlives its request."""
    pidfd = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            pidfd = None
    delay = 0.002
    try:
        while True:
            if select.select([done_fd], [], [], 0)[0] and os.read(done_fd, 1):
                return None, False, None
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done == pid:
                return status, False, (usage.ru_utime + usage.ru_stime) * 1000
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _request_dump(pid, log_path)
                kill_group(pid)
                _, status, usage = os.wait4(pid, 0)
                return status, True, (usage.ru_utime + usage.ru_stime) * 1000
            if pidfd is not None:
                select.select([pidfd, done_fd], [], [], remaining)
            else:
                select.select([done_fd], [], [], min(delay, remaining))
                delay = min(delay * 1.5, 0.02)
    except BaseException:
        kill_group(pid)
        raise
    finally:
        if pidfd is not None:
            os.close(pidfd)
        os.close(done_fd)


class Spare:
    """A verification child forked ahead of the next request, while the current one runs (the
    fork's cost falls in time the parent spends waiting anyway). It waits for `start` (sent once
    the current request is done), starts pytest (plugins registered, options and ini parsed) and
    waits in the conftest for the candidate. Used when the next request has the same mode, else
    discarded. Only the last one is kept. Its pipe carries two lines: "start", then the request."""

    current: Spare | None = None

    def __init__(self, mode: Mode) -> None:
        self.mode = mode
        self.started = False
        self.modules = len(sys.modules)
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix="fixturegen-verify-"))
        write_static(self.tmp)
        read_end, self.go_fd = os.pipe()
        self.done_fd, done_w = os.pipe()
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - child
            os.close(self.go_fd)
            os.close(self.done_fd)
            run_child(self.tmp, mode, parent, read_end, done_w)
        os.close(read_end)
        os.close(done_w)

    @classmethod
    def make(cls, mode: Mode) -> None:
        cls.discard()
        try:
            cls.current = cls(mode)
        except OSError:
            cls.current = None

    @classmethod
    def take(cls, mode: Mode) -> Spare | None:
        """The spare for `mode` if it is still waiting and the helper imported nothing since it
        was forked (it would lack those modules), else None (and it is discarded)."""
        spare, cls.current = cls.current, None
        if spare is None:
            return None
        if spare.mode == mode and spare.modules == len(sys.modules) and spare.alive():
            return spare
        spare.close()
        return None

    @classmethod
    def start_current(cls) -> None:
        reap_exiting()
        spare = cls.current
        if spare is not None and not spare.started:
            spare.started = True
            # What the parent imported during the request (the standard library, lazily) the
            # spare imports itself if it needs it; what comes after (introspect) it would lack.
            spare.modules = len(sys.modules)
            try:
                os.write(spare.go_fd, b"start\n")
            except OSError:
                cls.discard()

    @classmethod
    def discard(cls) -> None:
        spare, cls.current = cls.current, None
        if spare is not None:
            spare.close()

    def alive(self) -> bool:
        try:
            return os.waitpid(self.pid, os.WNOHANG)[0] == 0
        except ChildProcessError:
            return False

    def release(self, go: dict[str, Any]) -> bool:
        """Sends the request's values; False if the spare is gone (then it is cleaned up)."""
        data = (json.dumps(go) + "\n").encode("utf-8")
        try:
            os.write(self.go_fd, data if self.started else b"start\n" + data)
            os.close(self.go_fd)
            self.go_fd = -1
            return True
        except OSError:
            self.close()
            return False

    def close(self) -> None:
        for fd in (self.go_fd, self.done_fd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.go_fd = self.done_fd = -1
        kill_group(self.pid)
        confine_reap.finish(confine.cgroup(), self.pid, 0)
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)
        try:
            os.unlink(verdict_path(self.tmp))
        except OSError:
            pass


# Exit handlers run last registered first: the spare goes, exiting children are reaped, then
# their leftovers (strays, cgroups) are killed, reaped and removed.
atexit.register(lambda: confine_reap.tidy(not_strays(), block=True))
atexit.register(reap_exiting, True)
atexit.register(Spare.discard)
