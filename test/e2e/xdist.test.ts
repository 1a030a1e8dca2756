/**
 * pytest-xdist: the generated db_engine gives each worker a database of its own (an SQLite file,
 * or a PostgreSQL database derived from the configured one), created when missing and removed at
 * the end. Before, two workers on one PostgreSQL database both ran CREATE TABLE (UniqueViolation).
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databasesLike, freshDatabase, pgQuery } from '../support/pg-admin.js';
import { VENV_ENV, sampleProject } from '../support/project.js';
import { fixturegen, pytest } from '../support/python.js';

// Six tests per run, so that both workers take some; each checks it is on its worker's database
// and that the tables were made there (a scenario's rows), then that nothing leaked between tests.
const USER_TESTS = `
import os

import pytest
from sqlalchemy import func, select

from crm.models import PermissionGrant, Tenant


@pytest.mark.parametrize("n", range(6))
def test_on_the_workers_own_database(n, tenant_with_team, db_session, db_engine):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    database = db_engine.url.database
    if worker is None:
        assert "_gw" not in database
    else:
        assert database.endswith(f"_{worker}") or database.endswith(f"_{worker}.db"), database
    assert db_session.scalar(select(func.count()).select_from(Tenant)) == 1
    assert db_session.scalar(select(func.count()).select_from(PermissionGrant)) == 10
`;

function workersIn(stdout: string): string[] {
  return [...new Set([...stdout.matchAll(/\[(gw\d+)\]/g)].map((m) => m[1]!))].sort();
}

// Each test starts pytest with two xdist workers: minutes on a loaded machine.
describe('pytest -n 2 on the generated db_engine and db_session', { timeout: 400_000 }, () => {
  let dir: string;

  beforeAll(() => {
    dir = sampleProject('fixturegen-xdist-');
    const config = join(dir, 'fixturegen.yaml');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(
        /^database_url: .*$/m,
        'database_url: "sqlite+pysqlite:///app.db"',
      ),
    );
    const r = fixturegen(dir, ['build'], VENV_ENV);
    // Nothing on stderr but the sample's constraint-test findings (both have edge_cases: auto).
    const findings = /^scenarios\/\w+\.yaml:\d+:\d+: FG28[01] warning: |^ {2}hint: /;
    expect(r.stderr.split('\n').filter((l) => l !== '' && !findings.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    writeFileSync(join(dir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
    writeFileSync(join(dir, 'test_xdist.py'), USER_TESTS);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite file: a file per worker, removed at the end', () => {
    const r = pytest(dir, ['-n', '2', '-vv', 'test_xdist.py']);
    expect(r.stdout).toMatch(/6 passed/);
    expect(r.status).toBe(0);
    expect(workersIn(r.stdout)).toEqual(['gw0', 'gw1']);
    expect(readdirSync(dir).filter((n) => n.startsWith('app'))).toEqual([]);
  });

  it('without -n the configured file is used, as before', () => {
    const r = pytest(dir, ['test_xdist.py']);
    expect(r.stdout).toMatch(/6 passed/);
    expect(r.status).toBe(0);
  });

  it('PostgreSQL: a database per worker, derived from the configured one, dropped at the end', (ctx) => {
    const url = inject('pgUrl');
    if (!url) ctx.skip();
    const base = freshDatabase(url, 'fg_xdist_sync');
    try {
      const r = pytest(dir, ['-n', '2', '-vv', 'test_xdist.py'], {
        FIXTUREGEN_DATABASE_URL: base,
      });
      expect(r.stdout).toMatch(/6 passed/);
      expect(r.stdout).not.toMatch(/UniqueViolation/);
      expect(r.status).toBe(0);
      expect(workersIn(r.stdout)).toEqual(['gw0', 'gw1']);
      // The workers' databases are gone; the configured one never got a table.
      expect(databasesLike(url, 'fg_xdist_sync')).toEqual(['fg_xdist_sync']);
      expect(pgQuery(base, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual(
        [],
      );
    } finally {
      pgQuery(url, 'DROP DATABASE IF EXISTS fg_xdist_sync WITH (FORCE)');
    }
  });

  it('PostgreSQL: a worker database that already exists is used and kept', (ctx) => {
    const url = inject('pgUrl');
    if (!url) ctx.skip();
    const base = freshDatabase(url, 'fg_xdist_kept');
    freshDatabase(url, 'fg_xdist_kept_gw0');
    try {
      const r = pytest(dir, ['-n', '2', 'test_xdist.py'], { FIXTUREGEN_DATABASE_URL: base });
      expect(r.stdout).toMatch(/6 passed/);
      expect(databasesLike(url, 'fg_xdist_kept')).toEqual(['fg_xdist_kept', 'fg_xdist_kept_gw0']);
      // Only the tables it created are dropped.
      const kept = base.replace(/fg_xdist_kept$/, 'fg_xdist_kept_gw0');
      expect(pgQuery(kept, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual(
        [],
      );
    } finally {
      pgQuery(url, 'DROP DATABASE IF EXISTS fg_xdist_kept WITH (FORCE)');
      pgQuery(url, 'DROP DATABASE IF EXISTS fg_xdist_kept_gw0 WITH (FORCE)');
    }
  });
});
