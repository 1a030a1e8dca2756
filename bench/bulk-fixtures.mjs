// Bulk fixtures against their floor and the factory libraries (issue #13): builds a project of
// its own (1 tenant / 2,000 users / 10 roles / 5,000 grants; the same scenario scoped to the
// session), then times, side by side in one run and as medians of --runs rounds, the generated
// create function, the Core executemany floor, factory_boy (a flush per object; one flush at the
// end) and polyfactory, on in-memory SQLite and on a throwaway PostgreSQL cluster when one is
// installed; and the per-test cost of tests that request the session-scoped scenario.
//
//   npm run build && node bench/bulk-fixtures.mjs [--runs 5] [--tests 60] [--quick] [--json]
//                                                 [--checkout DIR]
//
// It needs bulk fixtures and `scope:` in the checkout measured (branch bulk until it is merged);
// without them every row is reported failed with the reason. factory_boy and polyfactory are
// benchmark-only: bench/requirements.txt is installed into this checkout's
// .fixturegen/bench-venv, a virtual environment that also sees the measured checkout's .venv.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_ROOT, benchArgs, checkoutOf, report, requireBuilt } from './support/common.mjs';
import { startPostgres } from './support/postgres.mjs';

const values = benchArgs(
  { runs: { type: 'string', default: '5' }, tests: { type: 'string', default: '60' } },
  { runs: '3', tests: '20' },
);
const runs = Number(values.runs);
const tests = Number(values.tests);
const checkout = checkoutOf(values);
const out = report('bulk', values);
requireBuilt(checkout, out.log);

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/**
 * The bench venv: bench/requirements.txt, on top of the measured checkout's .venv (a .pth file,
 * rewritten on every run, so one venv serves any checkout).
 */
function benchPython() {
  const venv = join(BENCH_ROOT, '.fixturegen', 'bench-venv');
  const python = join(venv, 'bin', 'python');
  const requirements = join(BENCH_ROOT, 'bench', 'requirements.txt');
  const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const stamp = join(venv, 'requirements.sha256');
  const base = checkout.python;
  const site = (py) =>
    run(py, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).trim();
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== wanted) {
    rmSync(venv, { recursive: true, force: true });
    run(base, ['-m', 'venv', venv]);
    out.log('bulk-fixtures: installing bench/requirements.txt into .fixturegen/bench-venv');
    run(python, ['-m', 'pip', 'install', '-q', '-r', requirements], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    writeFileSync(stamp, wanted);
  }
  writeFileSync(join(site(python), 'fixturegen-project.pth'), `${site(base)}\n`);
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


def pytest_collection_modifyitems(items):
    # Side by side: test_empty[k] next to test_read[k], so load on the machine hits both alike;
    # the writes last (each expires the shared instances, which later reads would reload).
    def key(item):
        k = item.callspec.params["k"] if hasattr(item, "callspec") else 0
        return (item.originalname == "test_write", k)

    items.sort(key=key)


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

/** Builds the bench project with the measured checkout; says clearly when it lacks bulk fixtures. */
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
  const needs = `needs bulk fixtures and \`scope:\` (branch bulk), not in ${checkout.root}`;
  const r = spawnSync(process.execPath, [checkout.cli, 'build'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', VIRTUAL_ENV: join(checkout.root, '.venv') },
  });
  if (r.status !== 0) {
    const lines = `${r.stdout}${r.stderr}`.split('\n');
    const said = lines.find((l) => /FG\d{3}/.test(l)) ?? lines.find((l) => /error/i.test(l));
    out.log(`${r.stdout}${r.stderr}`);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `${needs}: its build of the bench project failed (${said?.trim() ?? `exit ${r.status}`})`,
    );
  }
  if (!readFileSync(join(dir, 'generated', '__init__.py'), 'utf8').includes('def insert_rows')) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${needs}: its generated package has no insert_rows`);
  }
  return dir;
}

// The rows, declared before anything is measured, so a checkout without bulk fixtures or a
// machine without PostgreSQL still shows what was asked for.
const DBS = [
  { key: 'sqlite', name: 'SQLite', floorMax: 7 },
  { key: 'pg', name: 'PostgreSQL', floorMax: 3 },
];
const rowsOf = {};
for (const db of DBS) {
  const setup = `bulk setup, ${db.name}`;
  const note =
    'bulk setup: the generated create_big of 1 tenant, 2,000 users, 10 roles and 5,000 grants ' +
    `(7,011 rows), medians of ${runs} rounds, each running the five ways once; session scope: ` +
    `per test after the first (median of ${tests - 1}), pytest setup + call + teardown, of tests ` +
    'requesting the same scenario with `scope: session`, each read next to an empty test';
  rowsOf[db.key] = {
    floor: out.row({
      measure: setup,
      baselineLabel: 'Core executemany floor',
      note,
      target: { kind: 'ratio', max: db.floorMax },
    }),
    factory_boy_flush_each: out.row({
      measure: setup,
      baselineLabel: 'factory_boy, flush per object',
      note,
      target: { kind: 'speedup', min: 15 },
    }),
    factory_boy_one_flush: out.row({
      measure: setup,
      baselineLabel: 'factory_boy, one flush',
      note,
      target: { kind: 'speedup', min: 5 },
    }),
    polyfactory: out.row({
      measure: setup,
      baselineLabel: 'polyfactory',
      note,
      target: { kind: 'speedup', min: 5 },
    }),
    read: out.row({
      measure: `session scope, per test, ${db.name}: reads`,
      baselineLabel: 'empty test',
      note,
      target: { kind: 'extra', max: 5 },
    }),
    write: out.row({
      measure: `session scope, per test, ${db.name}: writes a row`,
      baselineLabel: 'empty test',
      note,
    }),
  };
}

let dir = null;
let cluster = null;
try {
  dir = project();
  const python = benchPython();
  cluster = await startPostgres();
  for (const r of Object.values(rowsOf.pg))
    if (cluster) r.measure = r.measure.replace('PostgreSQL', `PostgreSQL ${cluster.version}`);
    else r.error = 'PostgreSQL is not installed';
  const urls = { sqlite: 'sqlite+pysqlite:///:memory:', ...(cluster ? { pg: cluster.url } : {}) };
  const measured = JSON.parse(
    run(python, [
      join(BENCH_ROOT, 'bench', 'bulk-fixtures.py'),
      dir,
      ...Object.values(urls),
      '--runs',
      String(runs),
      '--tests',
      String(tests),
    ]),
  );
  for (const [key, url] of Object.entries(urls)) {
    const d = measured[url];
    const rows = rowsOf[key];
    for (const way of ['floor', 'factory_boy_flush_each', 'factory_boy_one_flush', 'polyfactory'])
      Object.assign(rows[way], { fixturegen: d.setup.fixturegen, baseline: d.setup[way], runs });
    for (const kind of ['read', 'write'])
      Object.assign(rows[kind], {
        fixturegen: d.per_test[`test_${kind}`],
        baseline: d.per_test.test_empty,
        runs: tests - 1,
      });
  }
  out.log(
    `bulk setup: 1 tenant / 2,000 users / 10 roles / 5,000 grants; medians of ${runs} rounds; per test: medians of ${tests - 1} tests (pytest's setup + call + teardown)`,
  );
  for (const r of out.rows)
    if (!r.error)
      out.log(
        `  ${r.measure.padEnd(44)} ${r.fixturegen.toFixed(2).padStart(9)} ms  ${r.baselineLabel.padEnd(30)} ${r.baseline.toFixed(2).padStart(9)} ms`,
      );
} catch (err) {
  out.fail(String(err.message ?? err).split('\n')[0]);
  out.log(String(err.message ?? err));
  process.exitCode = 1;
} finally {
  cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
out.emit();
