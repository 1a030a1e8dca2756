"""The verification child's confinement, each limit tested with a hostile candidate run through the
real verification (a helper with a secret in its environment): environment, writes, network,
memory and CPU. Processes, leftovers and the verdict: test_confine_processes.py."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from confine_support import HOSTILE_ENV, LANDLOCK, SECCOMP, SECRET, UNRELATED, attempt, probe
from conftest import REPO, Helper

linux = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="confinement is Linux's")
pytestmark = linux


@pytest.fixture(scope="module")
def hostile_helper() -> Iterator[Helper]:
    h = Helper(REPO, extra_env=HOSTILE_ENV)
    h.result("introspect", {"models": ["crm.models"]})
    yield h
    out, _ = h.close()
    assert out == ""


def test_environment_holds_only_what_pytest_and_the_driver_need(hostile_helper: Helper) -> None:
    found = probe(
        hostile_helper,
        """
        import os, posix
        out['environ'] = dict(os.environ)
        out['posix'] = sorted(k.decode() for k in posix.environ)
        with open('/proc/self/environ', 'rb') as f:
            out['proc'] = f.read().replace(b'\\0', b' ').decode('latin-1').strip()
        """,
    )
    env = found["environ"]
    assert "FIXTUREGEN_API_KEY" not in env and "SOME_UNRELATED_SETTING" not in env
    assert SECRET not in repr(found) and UNRELATED not in repr(found)
    # The database URL still reaches the generated db_engine the way it always did.
    assert env["FIXTUREGEN_DATABASE_URL"] == "sqlite+pysqlite:///:memory:"
    assert env["FIXTUREGEN_MODELS"] == "crm.models"
    assert set(env) <= {
        "PATH",
        "LANG",
        "LANGUAGE",
        "TZ",
        "HOME",
        "TMPDIR",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
        "PYTEST_VERSION",
        "FIXTUREGEN_DATABASE_URL",
        "FIXTUREGEN_MODELS",
    } | {k for k in env if k.startswith("LC_")}
    assert found["posix"] == sorted(env) and found["proc"] == ""


def test_environment_keeps_libpq_variables_for_postgresql_only(hostile_helper: Helper) -> None:
    code = "import os\nout['pg'] = sorted(k for k in os.environ if k.startswith('PG'))"
    helper = Helper(REPO, extra_env={**HOSTILE_ENV, "PGSSLMODE": "disable"})
    try:
        helper.result("introspect", {"models": ["crm.models"]})
        assert probe(helper, code)["pg"] == []
        url = "postgresql+psycopg://fixturegen@127.0.0.1:1/none"
        assert probe(helper, code, databaseUrl=url)["pg"] == ["PGSSLMODE"]
    finally:
        helper.close()


@pytest.mark.skipif(LANDLOCK < 1, reason="no Landlock on this kernel: writes are not confined")
def test_writes_only_inside_the_temporary_folder(hostile_helper: Helper) -> None:
    outside = Path(tempfile.mkdtemp(prefix="fixturegen-confine-test-"))
    try:
        target = outside / "escaped.txt"
        project_file = REPO / "fixturegen-escaped.txt"
        # A file of the project's own the candidate tries to delete (made here: a failing run of
        # this test must not cost the repository a file).
        victim = REPO / "fixturegen-confine-victim.txt"
        victim.write_text("keep me", "utf-8")
        found = probe(
            hostile_helper,
            attempt("inside", "open('inside.txt', 'w').write('x'); import tempfile; tempfile.TemporaryFile().close()")
            + attempt("outside", f"open({str(target)!r}, 'w').write('x')")
            + attempt("project", f"open({str(project_file)!r}, 'w').write('x')")
            + attempt("mkdir", f"__import__('os').mkdir({str(outside / 'd')!r})")
            + attempt("unlink", f"__import__('os').unlink({str(victim)!r})"),
        )
        assert found["inside"] == "allowed"
        for what in ("outside", "project", "mkdir", "unlink"):
            assert found[what].startswith("PermissionError"), found
        assert not target.exists() and not project_file.exists() and not (outside / "d").exists()
        assert victim.exists()
    finally:
        for leftover in (
            outside / "escaped.txt",
            REPO / "fixturegen-escaped.txt",
            REPO / "fixturegen-confine-victim.txt",
        ):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(outside, ignore_errors=True)


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP server on 127.0.0.1 the candidate must not reach (it is not the database)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


@pytest.mark.skipif(not SECCOMP, reason="no seccomp filter for this machine: socket families are not limited")
def test_sqlite_candidate_has_no_network(hostile_helper: Helper, listener: int) -> None:
    found = probe(
        hostile_helper,
        "import socket\n"
        + attempt("tcp", f"socket.create_connection(('127.0.0.1', {listener}), timeout=5)")
        + attempt("udp", "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', 53))")
        + attempt("unix", "socket.socket(socket.AF_UNIX)")
        + attempt("pair", "socket.socketpair()")
        + "import ctypes\nfd = ctypes.CDLL(None, use_errno=True).syscall(425, 8, ctypes.create_string_buffer(120))\n"
        + "out['io_uring'] = 'allowed' if fd >= 0 else 'errno %d' % ctypes.get_errno()\n",
    )
    for what in ("tcp", "udp", "unix"):
        assert found[what].startswith("PermissionError"), found
    assert found["pair"] == "allowed"  # an AF_UNIX pair reaches no one
    assert found["io_uring"] == "errno 1"  # EPERM: io_uring would open sockets past socket(2)


@pytest.mark.skipif(LANDLOCK < 4, reason="Landlock ABI < 4: TCP connections are not limited to the database's port")
def test_server_database_candidate_reaches_only_the_database_port(hostile_helper: Helper, listener: int) -> None:
    other = socket.socket()
    other.bind(("127.0.0.1", 0))
    other.listen(8)
    try:
        url = f"postgresql+psycopg://fixturegen:pw@127.0.0.1:{listener}/none"
        found = probe(
            hostile_helper,
            "import socket\n"
            + attempt("database", f"socket.create_connection(('127.0.0.1', {listener}), timeout=5).close()")
            + attempt("other", f"socket.create_connection(('127.0.0.1', {other.getsockname()[1]}), timeout=5)")
            + attempt("bind", "socket.socket().bind(('127.0.0.1', 0))")
            + attempt("udp", "socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"),
            databaseUrl=url,
        )
    finally:
        other.close()
    assert found["database"] == "allowed"
    for what in ("other", "bind", "udp"):
        assert found[what].startswith("PermissionError"), found


def _resolvable_name() -> str | None:
    name = socket.gethostname()
    try:
        socket.getaddrinfo(name, 5432, type=socket.SOCK_STREAM)
    except OSError:
        return None
    return None if name == "localhost" else name


@pytest.mark.skipif(
    LANDLOCK < 4 or not SECCOMP or _resolvable_name() is None,
    reason="needs Landlock ABI 4, seccomp and a host name that resolves",
)
def test_a_named_postgresql_host_is_resolved_by_the_helper(hostile_helper: Helper) -> None:
    server = socket.socket()
    server.bind(("0.0.0.0", 0))
    server.listen(8)
    try:
        port = server.getsockname()[1]
        found = probe(
            hostile_helper,
            "import os, socket\nout['url'] = os.environ['FIXTUREGEN_DATABASE_URL']\n"
            + attempt("dns", f"socket.getaddrinfo('example.invalid', {port})")
            + attempt(
                "database",
                "from sqlalchemy.engine import make_url\n"
                "    a = make_url(out['url']).query['hostaddr']\n"
                f"    socket.create_connection((a, {port}), timeout=5).close()",
            ),
            databaseUrl=f"postgresql+psycopg://fixturegen:pw@{_resolvable_name()}:{port}/none",
        )
    finally:
        server.close()
    assert "hostaddr=" in found["url"] and f"@{_resolvable_name()}:{port}/" in found["url"]
    assert found["database"] == "allowed", found
    assert found["dns"] != "allowed"  # no datagram socket, no resolver


def test_memory_and_cpu_are_limited_and_cannot_be_raised(hostile_helper: Helper) -> None:
    found = probe(
        hostile_helper,
        "import resource\n"
        "out['as'] = resource.getrlimit(resource.RLIMIT_AS)\n"
        "out['cpu'] = resource.getrlimit(resource.RLIMIT_CPU)\n"
        + attempt("six_gib", "bytearray(6 << 30)")
        + attempt("raise_as", "resource.setrlimit(resource.RLIMIT_AS, (-1, -1))")
        + attempt("raise_cpu", "resource.setrlimit(resource.RLIMIT_CPU, (-1, -1))"),
        timeoutS=20,
    )
    assert found["six_gib"].startswith("MemoryError"), found
    assert 0 < found["as"][0] < 8 << 30
    assert 0 < found["cpu"][0] <= found["cpu"][1] < 60
    assert found["raise_as"] != "allowed" and found["raise_cpu"] != "allowed"


def test_this_machine_is_fully_confined_or_says_what_is_missing(hostile_helper: Helper) -> None:
    import sample_package as sp

    from fixturegen_helper import confine

    fresh = Helper(REPO)
    try:
        fresh.result("introspect", {"models": ["crm.models"]})
        first = fresh.result("verify", sp.verify_params("run"))
        second = fresh.result("verify", sp.verify_params("run"))
    finally:
        fresh.close()
    missing = confine.status()["missing"]
    assert first["ok"] and second["ok"]
    assert "warning" not in second  # said once at most
    if missing:
        assert all(reason in first["warning"] for reason in missing)
    else:
        assert "warning" not in first


def test_a_missing_capability_is_named_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from fixturegen_helper import confine, confine_sys

    for field in ("probed", "warned", "landlock", "seccomp", "root", "cgroup", "env_block", "missing"):
        monkeypatch.setattr(confine._Plan, field, getattr(confine._Plan, field))  # restored afterwards
    monkeypatch.setattr(confine._Plan, "probed", False)
    monkeypatch.setattr(confine_sys, "landlock_abi", lambda: 3)
    confine.probe()
    text = confine.warning()
    assert text is not None and "Landlock ABI 4 (kernel has ABI 3)" in text and "database's port" in text
    assert confine.warning() is None
    monkeypatch.setattr(confine._Plan, "probed", False)
    monkeypatch.setattr(confine._Plan, "warned", False)
    monkeypatch.setattr(confine_sys, "landlock_abi", lambda: 0)
    confine.probe()
    assert "CONFIG_SECURITY_LANDLOCK" in (confine.warning() or "")
