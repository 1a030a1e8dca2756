"""Confinement of a verification child: defence in depth for the candidate code that still runs.

The static guard rejects what it can see; what it lets through runs in a child that confines
itself just before the candidate is imported (`apply`, called from `verify_child._apply`):

- environment: only what pytest and the database driver need (`child_environment`); the
  helper's exec-time environment block, which /proc/self/environ shows, is zeroed;
- resources: the address space (`MEMORY_BUDGET` beyond what the child inherited), CPU time (the
  request's time limit), no core files; processes through a pids cgroup of its own
  (`PIDS_MAX` tasks) where the helper can make one, else seccomp denies new processes;
- writes: only beneath its temporary folder, plus /dev/null (Landlock), and TCP connections
  only to the database's port, no TCP bind (Landlock ABI 4); socket(2) only for what the
  database needs (seccomp: none for SQLite, stream sockets for a server, AF_UNIX for a socket
  path); no signal or abstract unix socket outside itself (Landlock ABI 6);
- privileges: no_new_privs, and every capability dropped (a root child can raise none of its
  limits, leave its cgroup, trace or signal other processes).

What this machine offers is probed once in the helper (`probe`); what it lacks is said once, in
the first verify response (`warning`), naming the missing capability.
"""

from __future__ import annotations

import os
import resource
import sys
from typing import Any

from fixturegen_helper import confine_reap, confine_sys

MEMORY_BUDGET = 2 << 30
PIDS_MAX = 32
#: Variables a child keeps: the locale, the time zone, the search path; libpq's PG* for a
#: PostgreSQL database (the URL may leave host, user or password to them).
KEEP = ("PATH", "LANG", "LANGUAGE", "TZ")
KEEP_PREFIXES = ("LC_",)
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306, "mssql": 1433, "oracle": 1521}


class _Plan:
    """What the machine offers, probed once in the helper and inherited by every child."""

    probed = False
    landlock = 0
    seccomp = False
    root = False
    cgroup: str | None = None
    missing: list[str] = []
    warned = False


def probe() -> None:
    """In the helper, once: what confinement the machine offers; the helper becomes the subreaper
    of its verification children's descendants."""
    if _Plan.probed:
        return
    _Plan.probed = True
    if not sys.platform.startswith("linux"):
        _Plan.missing = ["not Linux: the verification child runs with the helper's rights and environment only reduced"]
        return
    _Plan.root = os.geteuid() == 0
    _Plan.landlock = confine_sys.landlock_abi()
    _Plan.seccomp = confine_sys.seccomp_supported()
    _Plan.cgroup = confine_reap.pids_cgroup()
    confine_reap.become_subreaper()
    missing = []
    if _Plan.landlock == 0:
        missing.append("Landlock (kernel without CONFIG_SECURITY_LANDLOCK, or landlock not in lsm=): writes outside the temporary folder and TCP connections are not confined")
    elif _Plan.landlock < 4:
        missing.append(f"Landlock ABI 4 (kernel has ABI {_Plan.landlock}): TCP connections are not limited to the database's port")
    if not _Plan.seccomp:
        missing.append(f"seccomp filter for this machine ({os.uname().machine}): socket families are not limited")
        if _Plan.cgroup is None:
            missing.append("a writable pids cgroup or seccomp: the number of processes is not limited")
    _Plan.missing = missing


def cgroup() -> str | None:
    """Where the children's pids cgroups are made, None without."""
    return _Plan.cgroup


def status() -> dict[str, Any]:
    """What confines a child here (for tests and the warning)."""
    probe()
    return {
        "landlock": _Plan.landlock,
        "seccomp": _Plan.seccomp,
        "pidsCgroup": _Plan.cgroup is not None,
        "root": _Plan.root,
        "missing": list(_Plan.missing),
    }


def warning() -> str | None:
    """The missing capabilities, once per helper (None afterwards, and when nothing is missing)."""
    probe()
    if _Plan.warned or not _Plan.missing:
        return None
    _Plan.warned = True
    return "verification is not fully confined on this machine: missing " + "; ".join(_Plan.missing)


def _database(url: str) -> tuple[str, bool, bool, int | None, str | None]:
    """(backend, needs AF_UNIX, needs TCP, TCP port, SQLite file's folder) of a database URL."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        db = u.database or ""
        folder = None
        if db and db != ":memory:" and not db.startswith("file:"):
            folder = os.path.dirname(os.path.abspath(db))
        return backend, False, False, None, folder
    host = u.host or ""
    socket_path = not host or host.startswith("/") or "host" in u.query
    tcp = bool(host) and not host.startswith("/")
    return backend, socket_path, tcp, u.port or DEFAULT_PORTS.get(backend), None


def child_environment(tmp: str, go: dict[str, Any], backend: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in KEEP or k.startswith(KEEP_PREFIXES)}
    if backend == "postgresql":
        env.update({k: v for k, v in os.environ.items() if k.startswith("PG")})
    env.update(
        {
            "HOME": tmp,
            "TMPDIR": tmp,
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            "FIXTUREGEN_DATABASE_URL": go["databaseUrl"],
            "FIXTUREGEN_MODELS": ",".join(go["models"]),
        }
    )
    return env


def _replace_environment(env: dict[str, str]) -> None:
    """os.environ (its data is posix.environ, and the C environment through putenv/unsetenv)
    becomes `env`; the exec-time block /proc/self/environ reads, which unsetenv leaves as it was,
    is zeroed."""
    os.environ.clear()
    os.environ.update(env)
    try:
        import ctypes

        with open("/proc/self/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        start, end = int(fields[47]), int(fields[48])  # env_start, env_end (fields 50 and 51)
        if 0 < start < end:
            ctypes.memset(start, 0, end - start)
    except (OSError, ValueError, IndexError):
        pass
    import tempfile

    tempfile.tempdir = env["TMPDIR"]


def _limit_resources(deadline_in: float) -> None:
    with open("/proc/self/statm", encoding="ascii") as f:
        size = int(f.read().split()[0]) * resource.getpagesize()
    memory = size + MEMORY_BUDGET
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime)
    soft = cpu + max(1, int(deadline_in) + 1)
    # SIGXCPU at the soft limit; a candidate that catches it is killed at the hard one.
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 2))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def apply(tmp: str, go: dict[str, Any], deadline_in: float) -> None:
    """In the child, after the candidate is written and before it is imported: every limit this
    machine offers (see the module's docstring). A limit the kernel refuses is added to the
    reasons `warning` gives, not raised: the child verifies as before."""
    if not sys.platform.startswith("linux"):
        os.environ["FIXTUREGEN_DATABASE_URL"] = go["databaseUrl"]
        os.environ["FIXTUREGEN_MODELS"] = ",".join(go["models"])
        return
    backend, unix, tcp, port, sqlite_folder = _database(go["databaseUrl"])
    _replace_environment(child_environment(tmp, go, backend))
    in_cgroup = False
    if _Plan.cgroup is not None:
        in_cgroup = confine_reap.join_pids_cgroup(_Plan.cgroup, PIDS_MAX)
    _limit_resources(deadline_in)
    confine_sys.prctl(confine_sys.PR_SET_NO_NEW_PRIVS, 1)
    if _Plan.landlock:
        writable = [tmp] + ([sqlite_folder] if sqlite_folder and os.path.isdir(sqlite_folder) else [])
        confine_sys.landlock_restrict(_Plan.landlock, writable, ["/dev/null"], [port] if tcp and port else [])
    if _Plan.seccomp:
        confine_sys.seccomp_filter(unix=unix, inet_stream=tcp, deny_processes=not in_cgroup)
    confine_sys.drop_capabilities()
