/**
 * The generated fixtures on PostgreSQL (skipped when no cluster could be started): the column-types
 * golden case, whose exact Numeric and aware DateTime values PostgreSQL keeps, the custom-types
 * case (TypeDecorators of advanced-alchemy, sqlalchemy-utils and the docs' recipes, which bind
 * other types on PostgreSQL), the constraints case (its constraint tests are verified and run on
 * PostgreSQL too), and a project with the types only PostgreSQL has (ARRAY, JSONB). Each gets a
 * database of its own. The output is the SQLite golden's, but for the headers' record of the
 * database (`database=`).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
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
  // Constraint tests: the same deletes, unique keys, NOT NULLs and CHECKs hold on PostgreSQL.
  constraints: join(REPO, 'test', 'cases', 'constraints', 'project'),
  'pg-arrays': join(REPO, 'test', 'generate', 'projects', 'pg-arrays'),
  variants: join(REPO, 'test', 'cases', 'variants', 'project'),
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
      // Nothing on stderr but the constraints case's findings (warnings, with their hints).
      const findings = /: FG28[01] warning: |^ {2}hint: /;
      expect(built.stderr.split('\n').filter((l) => l !== '' && !findings.test(l))).toEqual([]);
      if (name === 'constraints') expect(built.stderr).toMatch(/FG280 warning/);
      expect(built.status).toBe(0);
      const golden = join(REPO, 'test', 'cases', name, 'expected', 'generated');
      // The same files, but for the header's record of the database they were verified on (and
      // of their parents' input hashes, which record it too).
      const onDatabase = (files: Record<string, string>) =>
        Object.fromEntries(
          Object.entries(files).map(([k, v]) => [
            k,
            v
              .replace(/ input=[0-9a-f]+(.*) database=[0-9a-f]+/, ' input=…$1 database=…')
              .replace(/ extends=[0-9a-f]+ /, ' extends=… '),
          ]),
        );
      if (existsSync(golden)) {
        const built = snapshot(join(dir, 'generated'));
        expect(onDatabase(built)).toEqual(onDatabase(snapshot(golden)));
        const headers = Object.values(built).map((v) => v.split('\n')[2]!);
        expect(headers.filter((h) => h.includes(' database=')).length).toBeGreaterThan(0);
        for (const [k, v] of Object.entries(snapshot(golden))) {
          if (v.includes(' database=')) expect(built[k]!.split('\n')[2]).not.toBe(v.split('\n')[2]);
        }
      }
      writeFileSync(join(dir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
      const own = readdirSync(join(dir, 'generated')).filter((f) => /^test_.*\.py$/.test(f));
      const run = pytest(dir, ['tests', ...own.map((f) => join('generated', f))], {
        FIXTUREGEN_DATABASE_URL: url,
      });
      expect(run.stdout + run.stderr).toMatch(/\d+ passed/);
      expect(run.status, run.stdout + run.stderr).toBe(0);
    },
  );
});
