// Bulk fixtures against their floor and the factory libraries (issue #13): builds a project of
// its own (1 tenant / 2,000 users / 10 roles / 5,000 grants; the same scenario scoped to the
// session), then times, side by side in one run and as medians of --runs rounds, the generated
// create function, the Core executemany floor, factory_boy (a flush per object; one flush at the
// end) and polyfactory, on in-memory SQLite and on a throwaway PostgreSQL cluster when one is
// installed; and the per-test cost of tests that request the session-scoped scenario.
//
//   npm run build && node bench/bulk-fixtures.mjs [--runs 5] [--tests 60]
//
// factory_boy and polyfactory are benchmark-only: bench/requirements.txt is installed into
// .fixturegen/bench-venv, a virtual environment that also sees the project's .venv.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, dflt) => {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 ? Number(process.argv[k + 1]) : dflt;
};
const runs = arg('runs', 5);
const tests = arg('tests', 60);

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The bench venv: bench/requirements.txt on top of the project's .venv (a .pth file). */
function benchPython() {
  const venv = join(root, '.fixturegen', 'bench-venv');
  const python = join(venv, 'bin', 'python');
  const wanted = createHash('sha256')
    .update(readFileSync(join(root, 'bench', 'requirements.txt')))
    .digest('hex');
  const stamp = join(venv, 'requirements.sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return python;
  const base = join(root, '.venv', 'bin', 'python');
  rmSync(venv, { recursive: true, force: true });
  run(base, ['-m', 'venv', venv]);
  const site = (py) =>
    run(py, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).trim();
  writeFileSync(join(site(python), 'fixturegen-project.pth'), `${site(base)}\n`);
  process.stderr.write(
    'bulk-fixtures: installing bench/requirements.txt into .fixturegen/bench-venv\n',
  );
  run(python, ['-m', 'pip', 'install', '-q', '-r', join(root, 'bench', 'requirements.txt')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  writeFileSync(stamp, wanted);
  return python;
}

const MODELS = `from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Tenant(Base):
    __tablename__ = "tenant"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    users: Mapped[list[User]] = relationship(back_populates="tenant")
    roles: Mapped[list[Role]] = relationship(back_populates="tenant")


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    tenant: Mapped[Tenant] = relationship(back_populates="users")
    grants: Mapped[list[PermissionGrant]] = relationship(back_populates="user")


class Role(Base):
    __tablename__ = "role"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    name: Mapped[str] = mapped_column(String(50))
    tenant: Mapped[Tenant] = relationship(back_populates="roles")
    grants: Mapped[list[PermissionGrant]] = relationship(back_populates="role")


class PermissionGrant(Base):
    __tablename__ = "permission_grant"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id"))
    permission: Mapped[str] = mapped_column(String(100))
    user: Mapped[User] = relationship(back_populates="grants")
    role: Mapped[Role] = relationship(back_populates="grants")
`;

const SCENARIO = (scope) => `${scope ? `scope: ${scope}\n` : ''}entities:
  acme: { model: Tenant, values: { name: Acme${scope ? ' Shared' : ''} } }
  users: { model: User, count: 2000, values: { email: "user{n}@acme${scope ? '-shared' : ''}.test", tenant: "@acme" } }
  roles: { model: Role, count: 10, values: { name: "role{n}", tenant: "@acme" } }
  grants:
    model: PermissionGrant
    count: 5000
    values: { permission: "perm.{i}", user: "@users[i % 2000]", role: "@roles[i // 500]" }
`;

const TIMING = `"""Per-test time (setup + call + teardown, as pytest reports it) by test function."""

import json
import statistics

_times = {}


def pytest_runtest_logreport(report):
    name = report.nodeid.split("::")[-1].split("[")[0]
    _times.setdefault(report.nodeid, [name, 0.0])[1] += report.duration


def pytest_sessionfinish(session):
    by = {}
    for name, seconds in _times.values():
        by.setdefault(name, []).append(seconds * 1000)
    # The first test of each kind also creates what it shares: not counted.
    with open("bench_timing.json", "w") as f:
        json.dump({k: statistics.median(v[1:]) for k, v in by.items()}, f)
`;

const TESTS = `import os

import pytest

N = int(os.environ["BENCH_TESTS"])


@pytest.mark.parametrize("k", range(N))
def test_empty(k):
    pass


@pytest.mark.parametrize("k", range(N))
def test_read(k, big_session):
    assert big_session.users[k].email == f"user{k + 1}@acme-shared.test"


@pytest.mark.parametrize("k", range(N))
def test_write(k, big_session, db_session):
    big_session.users[k].is_active = False
    db_session.flush()
`;

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-bench-bulk-'));
  mkdirSync(join(dir, 'bench_models'));
  mkdirSync(join(dir, 'scenarios'));
  mkdirSync(join(dir, 'bench_tests'));
  writeFileSync(join(dir, 'bench_models', '__init__.py'), '');
  writeFileSync(join(dir, 'bench_models', 'models.py'), MODELS);
  writeFileSync(join(dir, 'scenarios', 'big.yaml'), SCENARIO(null));
  writeFileSync(join(dir, 'scenarios', 'big_session.yaml'), SCENARIO('session'));
  writeFileSync(join(dir, 'fixturegen.yaml'), 'models: bench_models.models\nverify: none\n');
  writeFileSync(join(dir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
  writeFileSync(join(dir, 'bench_timing.py'), TIMING);
  writeFileSync(join(dir, 'bench_tests', 'test_scoped.py'), TESTS);
  run(process.execPath, [join(root, 'bin', 'fixturegen.js'), 'build'], {
    cwd: dir,
    env: { ...process.env, VIRTUAL_ENV: join(root, '.venv') },
  });
  return dir;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A throwaway PostgreSQL cluster (as test/support/postgres.ts), or null when none is installed. */
async function postgres() {
  const base = '/usr/lib/postgresql';
  const version = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl')))
        .sort((a, b) => b - a)[0]
    : undefined;
  if (!version) return null;
  const bin = join(base, version, 'bin');
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-bench-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const pg = (cmd, args) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args])
      : run(join(bin, cmd), args);
  pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  pg('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    'start',
  ]);
  return {
    url: `postgresql+psycopg://postgres@127.0.0.1:${port}/postgres`,
    version,
    stop() {
      try {
        pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const python = benchPython();
const dir = project();
const cluster = await postgres();
try {
  const urls = ['sqlite+pysqlite:///:memory:', ...(cluster ? [cluster.url] : [])];
  const out = JSON.parse(
    run(python, [
      join(root, 'bench', 'bulk-fixtures.py'),
      dir,
      ...urls,
      '--runs',
      String(runs),
      '--tests',
      String(tests),
    ]),
  );
  const dbs = urls.map((u) => out[u]);
  const names = ['SQLite (memory)', ...(cluster ? [`PostgreSQL ${cluster.version}`] : [])];
  const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const rows = [
    ['fixturegen create_big, ms', (d) => fmt(d.setup.fixturegen), ''],
    ['Core executemany floor, ms', (d) => fmt(d.setup.floor), ''],
    [
      'fixturegen / floor',
      (d) => `${fmt(d.setup.fixturegen / d.setup.floor)}×`,
      '≤7× SQLite, ≤3× PG',
    ],
    [
      'factory_boy flush per object / fixturegen',
      (d) => `${fmt(d.setup.factory_boy_flush_each / d.setup.fixturegen)}×`,
      '≥15×',
    ],
    [
      'factory_boy one flush / fixturegen',
      (d) => `${fmt(d.setup.factory_boy_one_flush / d.setup.fixturegen)}×`,
      '≥5×',
    ],
    ['polyfactory / fixturegen', (d) => `${fmt(d.setup.polyfactory / d.setup.fixturegen)}×`, '≥5×'],
    [
      'per test, session-scoped scenario, reads, ms',
      (d) => fmt(d.per_test.test_read - d.per_test.test_empty),
      '≤5 ms',
    ],
    [
      'per test, session-scoped scenario, writes a row, ms',
      (d) => fmt(d.per_test.test_write - d.per_test.test_empty),
      '',
    ],
  ];
  console.log(
    `bulk setup: 1 tenant / 2,000 users / 10 roles / 5,000 grants; medians of ${runs} rounds; per test: medians of ${tests - 1} tests minus an empty test's`,
  );
  const head = ['measure', ...names, 'target'];
  const table = [head, ...rows.map(([label, f, target]) => [label, ...dbs.map(f), target])];
  const widths = head.map((_, k) => Math.max(...table.map((r) => r[k].length)));
  for (const r of table)
    console.log(
      r.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  '),
    );
  if (!cluster) console.log('(PostgreSQL is not installed: its column is left out)');
} finally {
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}
