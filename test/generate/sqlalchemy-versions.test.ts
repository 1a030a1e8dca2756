/**
 * SQLAlchemy 1.4 and 2.x (docs/generated-code.md, "SQLAlchemy versions"), each in an environment
 * of its own made by scripts/setup.mjs: an unsupported version (1.3) stops every command with one
 * message naming it; the version family is part of what decides whether `__init__.py` is current
 * (1.4 gets its own db_session, 2.0 and 2.1 share theirs); and the 1.4-style test app builds,
 * verifies, passes its own tests and checks current on PostgreSQL under 1.4 (psycopg2, 1.4's
 * driver). The golden cases run on 1.4 and 2.1 too (test/golden.test.ts).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freshDatabase } from '../support/pg-admin.js';
import { REPO, fixturegen, pytest } from '../support/python.js';
import { snapshot } from '../support/project.js';

const CASE = join(REPO, 'test', 'cases', 'legacy-declarative', 'project');
const venv = (name: string) => ({ VIRTUAL_ENV: join(REPO, name) });
const SA13 = venv('.venv-sa13');
const SA14 = venv('.venv-sa14');
const SA20 = venv('.venv');
const SA21 = venv('.venv-sa21');
const SA14_PYTHON = join(REPO, '.venv-sa14', 'bin', 'python');

/** Seven CLI runs, each starting a helper on another environment: beyond the default 60 s on a
 * loaded machine. */
const SEVEN_RUNS = 240_000;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of the 1.4-style test app without its failing scenario. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-sa-versions-'));
  dirs.push(dir);
  cpSync(CASE, dir, {
    recursive: true,
    filter: (p) => !p.includes('__pycache__') && !/\/wrong_[^/]*\.yaml$/.test(p),
  });
  writeFileSync(join(dir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
  return dir;
}

describe('SQLAlchemy versions', () => {
  it('an unsupported SQLAlchemy (1.3) stops build and check with one FG612 naming the version, exit 3', () => {
    const dir = project();
    for (const command of ['build', 'check']) {
      const r = fixturegen(dir, [command], SA13);
      expect(r.status, r.stderr).toBe(3);
      const lines = r.stderr.split('\n').filter((l) => l.includes('FG612'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(
        'SQLAlchemy 1.3.24 is not supported: fixturegen works with SQLAlchemy 1.4 and 2.x',
      );
      expect(lines[0]).toContain(join(REPO, '.venv-sa13', 'bin', 'python'));
      expect(r.stderr).not.toMatch(/Traceback|AttributeError|ImportError/);
    }
    expect(snapshot(dir)).not.toHaveProperty(['generated/__init__.py']);
  });

  it(
    'the version family decides whether __init__.py is current: 2.0 and 2.1 share it, 1.4 has its own',
    () => {
      const dir = project();
      const built = fixturegen(dir, ['build'], SA20);
      expect(built.status, built.stderr).toBe(0);
      const on20 = snapshot(join(dir, 'generated'));
      expect(fixturegen(dir, ['check'], SA21).status).toBe(0);

      const stale = fixturegen(dir, ['check'], SA14);
      expect(stale.status).toBe(1);
      expect(stale.stdout + stale.stderr).toContain('generated/__init__.py');

      const rebuilt = fixturegen(dir, ['build'], SA14);
      expect(rebuilt.status, rebuilt.stderr).toBe(0);
      const on14 = snapshot(join(dir, 'generated'));
      // Only db_session differs: every scenario module is the same file on both.
      const changed = Object.keys(on20).filter((rel) => on14[rel] !== on20[rel]);
      expect(changed).toEqual(['__init__.py']);
      expect(on14['__init__.py']).toContain('connection.begin_nested()');
      expect(on14['__init__.py']).not.toContain('join_transaction_mode=');
      expect(fixturegen(dir, ['check'], SA14).status).toBe(0);
      expect(fixturegen(dir, ['check'], SA20).status).toBe(1);
    },
    SEVEN_RUNS,
  );

  it('on 1.4, a project that names its own session fixture is verified with 1.4 savepoints', () => {
    const dir = project();
    writeFileSync(
      join(dir, 'fixturegen.yaml'),
      'models: forge.db\nscenarios: scenarios\noutput: generated\nverify: run\nsession_fixture: forge_session\n',
    );
    const built = fixturegen(dir, ['build'], SA14);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(snapshot(join(dir, 'generated'))['__init__.py']).not.toContain('def db_session');
  });

  const cluster = inject('pgUrl');
  it.skipIf(!cluster)(
    'the 1.4-style app on PostgreSQL under 1.4 (psycopg2): build verifies, its tests pass, check is clean',
    () => {
      const name = 'fixturegen_sa14_forge';
      const url = freshDatabase(cluster, name, 'psycopg2');
      const dir = project();
      const env = { ...SA14, FIXTUREGEN_DATABASE_URL: url };
      const built = fixturegen(dir, ['build'], env);
      expect(built.stderr).toBe('');
      expect(built.status).toBe(0);
      const ran = pytest(dir, ['tests'], { FIXTUREGEN_DATABASE_URL: url }, SA14_PYTHON);
      expect(ran.stdout + ran.stderr).toMatch(/6 passed/);
      expect(ran.status, ran.stdout + ran.stderr).toBe(0);
      const checked = fixturegen(dir, ['check'], env);
      expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    },
  );
});
