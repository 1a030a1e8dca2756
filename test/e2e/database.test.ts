/**
 * The database in failures and in "current", on real SQLite and PostgreSQL:
 * - a clash only the database sees (a unique column whose default is a constant) fails with the
 *   exception type, the constraint and the key, and the candidate's line, however long the SQL
 *   and its parameters (FG411); a clash the plan can see is FG228 before anything runs;
 * - the dialect verification ran on is part of a generated file's inputs: after the database
 *   moves from SQLite to PostgreSQL, `check` calls the files stale and `build` rebuilds them;
 *   headers never hold the URL's credentials, host or database name;
 * - models the default SQLite cannot hold (ARRAY, JSONB) give FG630 naming database_url.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freshDatabase } from '../support/pg-admin.js';
import { VENV_ENV, besidesFindings, sampleProject } from '../support/project.js';
import { REPO, fixturegen } from '../support/python.js';

const cluster = inject('pgUrl');
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function copy(project: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-db-'));
  dirs.push(dir);
  cpSync(project, dir, { recursive: true, filter: (p) => !p.includes('__pycache__') });
  return dir;
}

interface JsonDiagnostic {
  code: string;
  message: string;
  file: string;
  line: number;
  column: number;
  hint?: string;
}

/** The diagnostics of `build --json` (per scenario) or `validate --json` (a list). */
function diagnostics(stdout: string): JsonDiagnostic[] {
  const out = JSON.parse(stdout) as
    | JsonDiagnostic[]
    | { diagnostics?: JsonDiagnostic[]; scenarios: { diagnostics?: JsonDiagnostic[] }[] };
  return Array.isArray(out)
    ? out
    : [...(out.diagnostics ?? []), ...out.scenarios.flatMap((s) => s.diagnostics ?? [])];
}

const BADGES = join(REPO, 'test', 'e2e', 'projects', 'badges');

describe('failures people can act on', () => {
  const expectActionable = (d: JsonDiagnostic) => {
    expect(d.code).toBe('FG411');
    expect(d.message).toMatch(
      /^smoke test failed: test_fixturegen_scenario\[badges\]: sqlalchemy\.exc\.IntegrityError: /,
    );
    // The candidate's line comes before the SQL and its parameters, which are shortened: the
    // 300 badges are inserted in bulk, and the line shown is the module's call of the package's
    // insert_rows, not a line of the package's runtime.
    const at = d.message.indexOf('at generated/badges.py:');
    expect(at).toBeGreaterThan(0);
    expect(d.message).toContain('in create_badges: badges = insert_rows(');
    expect(d.message.indexOf('[SQL: INSERT INTO badge')).toBeGreaterThan(at);
    expect(d.message.length).toBeLessThan(2200);
    expect(d.hint).toMatch(/share the value of a unique column/);
  };

  it('SQLite: the constraint and the key of a clash only the database sees', () => {
    const dir = copy(BADGES);
    const r = fixturegen(dir, ['build', '--json'], VENV_ENV);
    expect(r.status).toBe(1);
    const [d, ...more] = diagnostics(r.stdout);
    expect(more).toEqual([]);
    expectActionable(d!);
    expect(d!.message).toContain('UNIQUE constraint failed: badge.code');
    expect(d!.message).toContain(
      "database: unique key (code) of table badge; the row being inserted has (code)=('standard')",
    );
  }, 180_000);

  it.skipIf(!cluster)(
    'PostgreSQL: the constraint and the key of a clash only the database sees',
    () => {
      const dir = copy(BADGES);
      const url = freshDatabase(cluster, 'fixturegen_db_badges');
      const r = fixturegen(dir, ['build', '--json'], { ...VENV_ENV, FIXTUREGEN_DATABASE_URL: url });
      expect(r.status).toBe(1);
      const [d, ...more] = diagnostics(r.stdout);
      expect(more).toEqual([]);
      expectActionable(d!);
      expect(d!.message).toContain('(psycopg.errors.UniqueViolation)');
      expect(d!.message).toContain(
        'duplicate key value violates unique constraint "uq_badge_code"',
      );
      expect(d!.message).toContain('Key (code)=(standard) already exists.');
      expect(d!.message).toContain('database: constraint "uq_badge_code" on table "badge"');
    },
  );

  it('a clash the plan can see is FG228 at the value, before verification', () => {
    const dir = copy(BADGES);
    writeFileSync(
      join(dir, 'scenarios', 'members.yaml'),
      'entities:\n  members:\n    model: Member\n    count: 2\n    values:\n      handle: ada\n',
    );
    const r = fixturegen(dir, ['validate', 'members', '--json'], VENV_ENV);
    expect(r.status).toBe(1);
    expect(diagnostics(r.stdout)).toEqual([
      expect.objectContaining({
        code: 'FG228',
        file: 'scenarios/members.yaml',
        line: 6,
        column: 15,
        message:
          'members: its 2 instances would all have handle = "ada", but handle is unique in member',
      }),
    ]);
  });
});

describe('a unique index with a condition (partial)', () => {
  it('is no FG228: one live and one deleted account share an email, and the build passes', () => {
    const dir = copy(BADGES);
    rmSync(join(dir, 'scenarios', 'badges.yaml'));
    writeFileSync(
      join(dir, 'scenarios', 'accounts.yaml'),
      'entities:\n  accounts:\n    model: Account\n    count: 2\n    values:\n' +
        '      email: ada@example.test\n      deleted: { cycle: [false, true] }\n',
    );
    const r = fixturegen(dir, ['build'], VENV_ENV);
    expect(r.stdout + r.stderr).toMatch(/built\s+accounts/);
    expect(r.status).toBe(0);
  }, 180_000);
});

interface CheckResult {
  ok: boolean;
  findings: { file: string; kind: string; changed?: { input: string; message: string }[] }[];
}

describe('the target database is part of "current"', () => {
  const check = (dir: string, env: NodeJS.ProcessEnv): CheckResult => {
    const r = fixturegen(dir, ['check', '--json'], { ...VENV_ENV, ...env });
    const result = JSON.parse(r.stdout) as CheckResult;
    expect(r.status).toBe(result.ok ? 0 : 1);
    return result;
  };
  const header = (dir: string) =>
    readFileSync(join(dir, 'generated', 'tenant_with_team.py'), 'utf8').split('\n')[2]!;

  it.skipIf(!cluster)(
    'files verified on SQLite are stale for PostgreSQL, and build rebuilds them there',
    () => {
      const dir = sampleProject('fixturegen-db-');
      dirs.push(dir);
      expect(fixturegen(dir, ['build'], VENV_ENV).status).toBe(0);
      const sqlite = header(dir);
      expect(check(dir, {}).ok).toBe(true);

      const url = freshDatabase(cluster, 'fixturegen_db_current');
      const pg = { FIXTUREGEN_DATABASE_URL: url };
      const stale = check(dir, pg);
      expect(stale.ok).toBe(false);
      expect(stale.findings.map((f) => [f.file, f.kind]).sort()).toEqual([
        ['generated/team_budget.py', 'stale'],
        ['generated/tenant_with_team.py', 'stale'],
        ['generated/test_team_budget_constraints.py', 'stale'],
        ['generated/test_tenant_with_team_constraints.py', 'stale'],
      ]);
      // The scenario modules say which input changed (constraint test files only that they are stale).
      for (const f of stale.findings.filter((x) => !x.file.startsWith('generated/test_'))) {
        expect(f.changed).toEqual([
          {
            input: 'database',
            message:
              'it was verified on sqlite, and the database is now postgresql (database_url, or FIXTUREGEN_DATABASE_URL)',
          },
        ]);
      }

      const built = fixturegen(dir, ['build'], { ...VENV_ENV, ...pg });
      expect(besidesFindings(built.stderr)).toEqual([]);
      expect(built.status).toBe(0);
      expect(built.stdout).toMatch(/built\s+tenant_with_team/);
      expect(check(dir, pg).ok).toBe(true);
      const postgres = header(dir);
      expect(postgres).not.toBe(sqlite);
      expect(postgres).not.toMatch(/127\.0\.0\.1|postgres@|fixturegen_db_current/);
      // Only the input hash and the database part differ.
      const strip = (h: string) => h.replace(/ input=\S+/, '').replace(/ database=\S+/, '');
      expect(strip(postgres)).toBe(strip(sqlite));

      // Back on SQLite (the environment variable gone), the PostgreSQL-verified files are stale.
      const back = check(dir, {});
      const module = back.findings.find((f) => f.file === 'generated/team_budget.py');
      expect(module!.changed![0]!.message).toMatch(
        /^it was verified on postgresql, and the database is now sqlite/,
      );
      // database_url in the configuration counts as the environment variable does.
      const config = join(dir, 'fixturegen.yaml');
      writeFileSync(
        config,
        readFileSync(config, 'utf8').replace(/^database_url: .*$/m, `database_url: "${url}"`),
      );
      // The scenario files are current again; only __init__.py, whose db_engine defaults to the
      // configured database_url, is to be rebuilt.
      expect(check(dir, {}).findings.map((f) => f.file)).toEqual(['generated/__init__.py']);
    },
    300_000,
  );

  it('models SQLite cannot hold: FG630 once for the run, naming database_url and how to set it', () => {
    const dir = copy(join(REPO, 'test', 'generate', 'projects', 'pg-arrays'));
    const r = fixturegen(dir, ['build', '--json'], VENV_ENV);
    expect(r.status).toBe(1);
    // Decided once, before any verification: every scenario fails under the one diagnostic.
    const out = JSON.parse(r.stdout) as {
      scenarios: { name: string; status: string; diagnostics: unknown[]; notes: string[] }[];
    };
    expect(out.scenarios.length).toBeGreaterThan(1);
    for (const s of out.scenarios) {
      expect(s).toMatchObject({
        status: 'failed',
        diagnostics: [],
        notes: ['not verified: the database cannot hold the models (FG630)'],
      });
    }
    expect(diagnostics(r.stdout)).toEqual([
      {
        code: 'FG630',
        severity: 'error',
        file: 'fixturegen.yaml',
        line: 1,
        column: 1,
        message:
          'the default database (an in-memory SQLite) cannot hold the models: column pg_survey.tags has type ARRAY, which SQLite does not have',
        hint: expect.stringMatching(
          /set database_url in the configuration .*, or FIXTUREGEN_DATABASE_URL for one run/,
        ) as unknown,
      },
    ]);
  });
});
