"""Nothing a verification child starts survives it (see `confine`).

The helper is the subreaper of its children's descendants (PR_SET_CHILD_SUBREAPER): a process the
candidate starts that double-forks or calls setsid leaves the child's process group, but when its
parent exits it is re-parented to the helper, not to init, and the helper can still find it. Where
the helper can make pids cgroups, each child puts itself in one of its own (`join_pids_cgroup`),
which also bounds how many tasks it may have; when the verification ends the helper kills every
process in it (`release`), then reaps what was re-parented to it (`reap_strays`).
"""

from __future__ import annotations

import os
import select
import signal
import time

from fixturegen_helper import confine_sys

PREFIX = "fixturegen-verify-"


def become_subreaper() -> bool:
    try:
        confine_sys.prctl(confine_sys.PR_SET_CHILD_SUBREAPER, 1)
        return True
    except OSError:
        return False


def _mounts() -> list[tuple[str, str, str]]:
    """(mount point, file system type, super options) of each mount."""
    out = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields, rest = left.split(), right.split()
            if len(fields) >= 5 and len(rest) >= 3:
                out.append((fields[4], rest[0], rest[2]))
    return out


def pids_cgroup() -> str | None:
    """The folder under which the helper can make pids cgroups (v1 pids hierarchy, or a v2 cgroup
    delegating the pids controller), checked by making and removing one; None when it cannot (not
    root, read-only cgroupfs, no pids controller). FIXTUREGEN_CONFINE_NO_CGROUP=1 pretends it
    cannot (the tests' way to the seccomp fallback)."""
    if os.environ.get("FIXTUREGEN_CONFINE_NO_CGROUP"):
        return None
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as f:
            own = [line.rstrip("\n").split(":", 2) for line in f if line.count(":") >= 2]
        candidates = []
        for point, fstype, options in _mounts():
            if fstype == "cgroup" and "pids" in options.split(","):
                candidates += [point + path for _, ctrl, path in own if "pids" in ctrl.split(",")]
            elif fstype == "cgroup2":
                candidates += [point + path for hid, _, path in own if hid == "0"]
        for base in candidates:
            base = os.path.normpath(base)
            if base.endswith(PREFIX.rstrip("-")) or not os.path.isfile(os.path.join(base, "cgroup.procs")):
                continue
            test = os.path.join(base, f"{PREFIX}probe-{os.getpid()}")
            try:
                os.mkdir(test)
            except OSError:
                continue
            usable = os.path.isfile(os.path.join(test, "pids.max"))
            os.rmdir(test)
            if usable:
                return base
    except OSError:
        return None
    return None


def remove_stale(base: str) -> None:
    """Cgroups of children whose process is gone (a helper killed before it could remove them);
    one still holding processes is busy and stays."""
    try:
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        pid = name[len(PREFIX) :]
        if name.startswith(PREFIX) and pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            try:
                os.rmdir(os.path.join(base, name))
            except OSError:
                pass


def remove_stale_verdicts() -> None:
    """Verdict files (see `child.confirm`) whose folder is gone: a confined child killed
    with the helper cannot remove its own, which lies outside what it may write."""
    import glob
    import tempfile

    for path in glob.glob(os.path.join(tempfile.gettempdir(), PREFIX + "*.verdict")):
        if not os.path.isdir(path[: -len(".verdict")]):
            try:
                os.unlink(path)
            except OSError:
                pass


def cgroup_path(base: str, pid: int) -> str:
    return os.path.join(base, f"{PREFIX}{pid}")


def join_pids_cgroup(base: str, limit: int) -> bool:
    """In the child: a cgroup of its own allowing `limit` tasks (threads included), joined."""
    path = cgroup_path(base, os.getpid())
    try:
        os.mkdir(path)
        with open(os.path.join(path, "pids.max"), "w", encoding="ascii") as f:
            f.write(str(limit))
        with open(os.path.join(path, "cgroup.procs"), "w", encoding="ascii") as f:
            f.write(str(os.getpid()))
        return True
    except OSError:
        return False


def _read_pids(path: str) -> set[int]:
    try:
        with open(os.path.join(path, "cgroup.procs"), encoding="ascii") as f:
            return {int(x) for x in f.read().split()}
    except (OSError, ValueError):
        return set()


def kill_cgroup(base: str | None, pid: int) -> None:
    """SIGKILL to every process in the child's cgroup until none is left unsignalled (a process
    with SIGKILL pending cannot fork, so this ends)."""
    if base is None:
        return
    path = cgroup_path(base, pid)
    killed: set[int] = set()
    for _ in range(1000):
        fresh = _read_pids(path) - killed
        if not fresh:
            return
        for target in fresh:
            try:
                os.kill(target, signal.SIGKILL)
            except ProcessLookupError:
                pass
        killed |= fresh


def _children() -> set[int]:
    pids: set[int] = set()
    try:
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/children", encoding="ascii") as f:
                    pids.update(int(x) for x in f.read().split())
            except (OSError, ValueError):
                pass
    except OSError:
        pass
    return pids


def start_ticks(pid: int) -> int:
    """When `pid` started (clock ticks after boot), 0 when it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return 0


def reap_strays(keep: set[int], since: int) -> int:
    """Kills and reaps the helper's children that started at or after `since` (the verification
    child's start) and are not in `keep` (the spare, children still exiting): what the candidate
    started and was re-parented here. Repeats while killing one re-parents its own children.
    Returns how many were reaped."""
    reaped = 0
    for _ in range(100):
        strays = [p for p in _children() - keep if start_ticks(p) >= since > 0]
        if not strays:
            return reaped
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                reaped += 1
            except (ProcessLookupError, ChildProcessError):
                pass
    return reaped


#: Verifications whose leftovers are not all gone: (cgroup base or None, child pid, its start).
_PENDING: list[tuple[str | None, int, int]] = []


def finish(base: str | None, pid: int, since: int) -> None:
    """When a verification ends: every process in its cgroup is killed now; what is left (the
    cgroup, processes still exiting, strays re-parented once the child itself is reaped) is
    tidied now and at every later `tidy`."""
    kill_cgroup(base, pid)
    _PENDING.append((base, pid, since))


def tidy(keep: set[int], block: bool = False, deadline_s: float = 2.0) -> None:
    """Kills and reaps strays of finished verifications and removes their empty cgroups; with
    `block`, waits for them (up to `deadline_s`: at exit)."""
    limit = time.monotonic() + deadline_s
    while _PENDING:
        for entry in list(_PENDING):
            base, pid, since = entry
            # Gone before the strays are looked for: then every stray is already re-parented here.
            child_gone = pid not in _children()
            kill_cgroup(base, pid)
            reap_strays(keep, since)
            if base is not None:
                try:
                    os.rmdir(cgroup_path(base, pid))
                except FileNotFoundError:
                    pass
                except OSError:
                    continue  # processes still leaving it
            if child_gone:
                _PENDING.remove(entry)
        if not block or time.monotonic() >= limit:
            return
        if _PENDING:
            select.select([], [], [], 0.005)
