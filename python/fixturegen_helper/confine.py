"""Confinement of a verification child: defence in depth for the candidate code that still runs.

The static guard rejects what it can see; what it lets through runs in a child that confines
itself just before the candidate is imported (`apply`, called from `child._apply`):

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
from typing import Any, ClassVar, NamedTuple

from fixturegen_helper import bytecode_cache, confine_reap, confine_sys

MEMORY_BUDGET = 2 << 30
PIDS_MAX = 32
#: Variables a child keeps: the search path, the home folder (libpq reads ~/.pgpass; nothing can
#: be written there), the locale, the time zone; libpq's PG* for a PostgreSQL database (the URL
#: may leave host, user or password to them).
KEEP = ("PATH", "HOME", "LANG", "LANGUAGE", "TZ")
KEEP_PREFIXES = ("LC_",)
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306, "mssql": 1433, "oracle": 1521}


class _Plan:
    """What the machine offers, probed once in the helper and inherited by every child."""

    probed = False
    landlock = 0
    seccomp = False
    root = False
    cgroup: str | None = None
    #: The exec-time environment block (env_start, env_end): the same addresses in every child.
    env_block = (0, 0)
    missing: ClassVar[list[str]] = []
    warned = False
    #: In a child: whether it joined a pids cgroup of its own (`prepare`).
    joined = False


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
    if _Plan.cgroup is not None:
        confine_reap.remove_stale(_Plan.cgroup)
    _Plan.env_block = _environment_block()
    confine_reap.become_subreaper()
    confine_reap.remove_stale_verdicts()
    missing = []
    if _Plan.landlock == 0:
        missing.append(
            "Landlock (kernel without CONFIG_SECURITY_LANDLOCK, or landlock not in lsm=): writes outside the temporary folder and TCP connections are not confined"
        )
    elif _Plan.landlock < 4:
        missing.append(
            f"Landlock ABI 4 (kernel has ABI {_Plan.landlock}): TCP connections are not limited to the database's port"
        )
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


class Database(NamedTuple):
    """What a child needs to reach its database, and nothing more."""

    backend: str
    unix: bool  # AF_UNIX sockets (a socket path, or libpq's default)
    tcp: bool  # TCP stream sockets, connect to `port` only
    port: int | None
    folder: str | None  # an SQLite file's folder, given by an absolute path
    url: str  # the URL the child's fixtures get (see `_database`)


_DATABASES: dict[str, Database] = {}


def database(url: str) -> Database:
    """What the child needs for `url`; asked in the helper for each request, so that the next
    spare finds it known (and a host name resolved)."""
    if url not in _DATABASES:
        db = _DATABASES[url] = _database(url)
        if _Plan.seccomp:
            for deny_processes in (False, True):
                confine_sys.seccomp_program(db.unix, db.tcp, deny_processes)
    return _DATABASES[url]


def _database(url: str) -> Database:
    """For PostgreSQL on a named host, libpq's `hostaddr` is added to the URL, resolved here: the
    child then needs no DNS, which would take datagram sockets to anywhere (Landlock limits TCP
    only). `host` stays for TLS and .pgpass."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        db = u.database or ""
        # A relative path is resolved in the child's folder, where it may write anyway.
        folder = os.path.dirname(db) if os.path.isabs(db) else None
        return Database(backend, False, False, None, folder, url)
    host = u.host or ""
    unix = not host or host.startswith("/") or "host" in u.query
    tcp = bool(host) and not host.startswith("/")
    port = u.port or DEFAULT_PORTS.get(backend)
    # localhost is in /etc/hosts, which needs no socket to read.
    # hostaddr is libpq's (psycopg): asyncpg would take it for a server setting.
    libpq = u.get_driver_name() in ("psycopg", "psycopg2", "psycopg_async", "psycopg2cffi")
    if (
        backend == "postgresql"
        and libpq
        and tcp
        and "hostaddr" not in u.query
        and host != "localhost"
        and not _is_address(host)
    ):
        try:
            import socket

            address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][4][0]
            url = u.update_query_dict({"hostaddr": str(address)}).render_as_string(hide_password=False)
        except OSError:
            pass  # the child's connection fails and says why
    return Database(backend, unix, tcp, port, None, url)


def _is_address(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def child_environment(tmp: str, environ: dict[str, str]) -> dict[str, str]:
    """The environment a child keeps of `environ` (the helper's), before the request's values."""
    env = {k: v for k, v in environ.items() if k in KEEP or k.startswith(KEEP_PREFIXES)}
    env.update({"TMPDIR": tmp, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    return env


def _environment_block() -> tuple[int, int]:
    """(env_start, env_end) from /proc/self/stat (fields 50 and 51); read in the helper, where it
    costs nothing the user waits for (it can take milliseconds)."""
    try:
        with open("/proc/self/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[47]), int(fields[48])
    except (OSError, ValueError, IndexError):
        return 0, 0


#: In a child: libpq's variables of the helper's environment, for a PostgreSQL request.
_PG: dict[str, str] = {}


def prepare(tmp: str) -> None:
    """In a child, at its start (a spare's idle time, before pytest starts): the environment is
    reduced (`child_environment`; os.environ's data is posix.environ, and the C environment follows
    through unsetenv), the exec-time block /proc/self/environ reads, which unsetenv leaves as it
    was, is zeroed, and the child joins a pids cgroup of its own (moving a process between cgroups
    takes milliseconds)."""
    bytecode_cache.uninstall()
    if not sys.platform.startswith("linux"):
        return
    environ = dict(os.environ)
    _PG.update({k: v for k, v in environ.items() if k.startswith("PG")})
    os.environ.clear()
    os.environ.update(child_environment(tmp, environ))
    start, end = _Plan.env_block
    if 0 < start < end:
        import ctypes

        ctypes.memset(start, 0, end - start)
    import tempfile

    tempfile.tempdir = tmp
    if _Plan.cgroup is not None:
        _Plan.joined = confine_reap.join_pids_cgroup(_Plan.cgroup, PIDS_MAX)


def _within(limit: int, value: int) -> int:
    """`value`, or the helper's own hard limit when that is lower (it cannot be raised)."""
    hard = resource.getrlimit(limit)[1]
    return value if hard == resource.RLIM_INFINITY else min(value, hard)


def _limit_resources(deadline_in: float) -> None:
    with open("/proc/self/statm", encoding="ascii") as f:
        size = int(f.read().split()[0]) * resource.getpagesize()
    memory = _within(resource.RLIMIT_AS, size + MEMORY_BUDGET)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime) + max(1, int(deadline_in) + 1)
    # SIGXCPU at the soft limit; a candidate that catches it is killed at the hard one.
    hard = _within(resource.RLIMIT_CPU, soft + 2)
    resource.setrlimit(resource.RLIMIT_CPU, (min(soft, hard), hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def apply(tmp: str, go: dict[str, Any], deadline_in: float) -> None:
    """In the child, after the candidate is written and before it is imported: the request's
    variables, then every limit this machine offers (see the module's docstring). A limit the
    kernel refuses although `probe` found it raises: the verification fails rather than run the
    candidate unconfined."""
    os.environ["FIXTUREGEN_DATABASE_URL"] = go["databaseUrl"]
    os.environ["FIXTUREGEN_MODELS"] = ",".join(go["models"])
    if not sys.platform.startswith("linux"):
        return
    db = database(go["databaseUrl"])
    os.environ["FIXTUREGEN_DATABASE_URL"] = db.url
    if db.backend == "postgresql":
        os.environ.update(_PG)
    _limit_resources(deadline_in)
    confine_sys.prctl(confine_sys.PR_SET_NO_NEW_PRIVS, 1)
    if _Plan.landlock:
        writable = [tmp] + ([db.folder] if db.folder and os.path.isdir(db.folder) else [])
        confine_sys.landlock_restrict(_Plan.landlock, writable, ["/dev/null"], [db.port] if db.tcp and db.port else [])
    if _Plan.seccomp:
        confine_sys.seccomp_filter(unix=db.unix, inet_stream=db.tcp, deny_processes=not _Plan.joined)
    confine_sys.drop_capabilities()
