/**
 * The generated fixtures on PostgreSQL (skipped when no cluster could be started): the column-types
 * golden case, whose exact Numeric and aware DateTime values PostgreSQL keeps, the custom-types
 * case (TypeDecorators of advanced-alchemy, sqlalchemy-utils and the docs' recipes, which bind
 * other types on PostgreSQL), the constraints case (its constraint tests are verified and run on
 * PostgreSQL too), and a project with the types only PostgreSQL has (ARRAY, JSONB). Each gets a
 * database of its own. The output is the SQLite golden's, but for the headers' record of the
 * database (`database=`).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freshDatabase } from '../support/pg-admin.js';
import { REPO, fixturegen, pytest } from '../support/python.js';
import { VENV_ENV, snapshot } from '../support/project.js';

const PROJECTS = {
  'column-types': join(REPO, 'test', 'cases', 'column-types', 'project'),
  'custom-types': join(REPO, 'test', 'cases', 'custom-types', 'project'),
  // Constraint tests: the same deletes, unique keys, NOT NULLs and CHECKs hold on PostgreSQL.
  constraints: join(REPO, 'test', 'cases', 'constraints', 'project'),
  'pg-arrays': join(REPO, 'test', 'generate', 'projects', 'pg-arrays'),
  variants: join(REPO, 'test', 'cases', 'variants', 'project'),
  // Derived edge cases: PostgreSQL's integer limits, and the CHECK refuses the same cases.
  'edge-cases': join(REPO, 'test', 'cases', 'edge-cases', 'project'),
  bulk: join(REPO, 'test', 'cases', 'bulk', 'project'),
  scoped: join(REPO, 'test', 'cases', 'scoped', 'project'),
};

/**
 * A module's derived edge cases depend on the database (PostgreSQL's integer types have limits of
 * their own, and what it refuses is what it refuses): compared apart from the rest of the file.
 */
function withoutEdgeCases(text: string): string {
  return text
    .replace(/\n\n\n#: Derived edge cases[\s\S]*$/, '\n')
    .replace(/ body=[0-9a-f]+ /, ' body=… ');
}

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
            withoutEdgeCases(v)
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
      if (name === 'edge-cases') {
        const module = readFileSync(join(dir, 'generated', 'chess_club.py'), 'utf8');
        // SMALLINT and BIGINT at PostgreSQL's limits (SQLite stores every INTEGER in 64 bits).
        expect(module).toContain('"chess.capacity=-32768": {"chess": {"capacity": -32768}},');
        expect(module).toContain('"chess.capacity=32767": {"chess": {"capacity": 32767}},');
        expect(module).toContain('"chess.visits=9223372036854775807"');
        // Zero boards through their NOT NULL key: left out, with the game on the first one
        // (tests/test_clubs.py reads the empty collection back on PostgreSQL too).
        expect(module).toContain('"chess.boards=[]": {"boards": None, "games": None},');
        // One instance of a list parent: only the first club's boards (and their games) are
        // left out (tests/test_clubs.py reads both clubs' boards back on PostgreSQL too).
        expect(readFileSync(join(dir, 'generated', 'league.py'), 'utf8')).toContain(
          '"clubs[0].boards=[]": {"boards": {0: None, 2: None}, "games": {0: None, 2: None}},',
        );
        expect(module).toMatch(
          /REFUSED_EDGE_CASES = \(\n {4}"chess\.dues=-1\.00",\n {4}"chess\.dues=-9999\.99",\n\)/,
        );
        const check = fixturegen(dir, ['check'], env);
        expect(check.stdout).toMatch(/is exactly what the current inputs give/);
        expect(check.status).toBe(0);
      }
      if (name === 'pg-arrays') {
        // An ARRAY column's empty-array case (SQLite has no ARRAY: only this project shows it).
        const module = readFileSync(join(dir, 'generated', 'survey_edges.py'), 'utf8');
        for (const column of ['tags', 'scores', 'days'])
          expect(module).toContain(`"survey.${column}=[]": {"survey": {"${column}": []}},`);
      }
      writeFileSync(join(dir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
      const own = readdirSync(join(dir, 'generated')).filter((f) => /^test_.*\.py$/.test(f));
      const run = pytest(dir, ['tests', ...own.map((f) => join('generated', f))], {
        FIXTUREGEN_DATABASE_URL: url,
      });
      expect(run.stdout + run.stderr).toMatch(/\d+ passed/);
      expect(run.status, run.stdout + run.stderr).toBe(0);
    },
    // A build, its verification and a pytest run on PostgreSQL: 35–60 s on a loaded 2-core machine.
    240_000,
  );
});
