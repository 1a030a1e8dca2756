/**
 * The generated fixtures on PostgreSQL (skipped when no cluster could be started): the column-types
 * golden case, whose exact Numeric and aware DateTime values PostgreSQL keeps, the custom-types
 * case (TypeDecorators of advanced-alchemy, sqlalchemy-utils and the docs' recipes, which bind
 * other types on PostgreSQL), and a project with the types only PostgreSQL has (ARRAY, JSONB). Each gets a database of its own.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { PYTHON, REPO, fixturegen, pytest } from '../support/python.js';
import { VENV_ENV, snapshot } from '../support/project.js';

/** A new empty database on the cluster at `url`, as a SQLAlchemy URL. */
function freshDatabase(url: string, name: string): string {
  const plain = url.replace('postgresql+psycopg://', 'postgresql://');
  const r = spawnSync(
    PYTHON,
    [
      '-c',
      'import sys, psycopg\n' +
        'with psycopg.connect(sys.argv[1], autocommit=True) as c:\n' +
        '    c.execute(f"DROP DATABASE IF EXISTS {sys.argv[2]}")\n' +
        '    c.execute(f"CREATE DATABASE {sys.argv[2]}")\n',
      plain,
      name,
    ],
    { encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return url.replace(/\/[^/]*$/, `/${name}`);
}

const PROJECTS = {
  'column-types': join(REPO, 'test', 'cases', 'column-types', 'project'),
  'custom-types': join(REPO, 'test', 'cases', 'custom-types', 'project'),
  'pg-arrays': join(REPO, 'test', 'generate', 'projects', 'pg-arrays'),
  bulk: join(REPO, 'test', 'cases', 'bulk', 'project'),
  scoped: join(REPO, 'test', 'cases', 'scoped', 'project'),
};

const cluster = inject('pgUrl');

describe.skipIf(!cluster)('on PostgreSQL', () => {
  it.each(Object.keys(PROJECTS))(
    '%s: verified on PostgreSQL, the same output as on SQLite, and its tests pass there',
    (name) => {
      const url = freshDatabase(cluster, `fixturegen_${name.replace(/-/g, '_')}`);
      const dir = mkdtempSync(join(tmpdir(), `fixturegen-pg-${name}-`));
      cpSync(PROJECTS[name as keyof typeof PROJECTS], dir, {
        recursive: true,
        // Scenarios meant to fail (wrong_*.yaml) are the golden case's business, checked statically.
        filter: (p) => !p.includes('__pycache__') && !/\/wrong_[^/]*\.yaml$/.test(p),
      });
      const env = { ...VENV_ENV, FIXTUREGEN_DATABASE_URL: url };
      const built = fixturegen(dir, ['build'], env);
      expect(built.stderr).toBe('');
      expect(built.status).toBe(0);
      const golden = join(REPO, 'test', 'cases', name, 'expected', 'generated');
      if (existsSync(golden)) expect(snapshot(join(dir, 'generated'))).toEqual(snapshot(golden));
      writeFileSync(join(dir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
      const run = pytest(dir, ['tests'], { FIXTUREGEN_DATABASE_URL: url });
      expect(run.stdout + run.stderr).toMatch(/\d+ passed/);
      expect(run.status, run.stdout + run.stderr).toBe(0);
    },
  );
});
