/**
 * Derived edge cases end to end: the sample project's tests request `team_budget_edge_cases` and
 * run once per case; and `check` agrees with `build` about a module whose refused cases only a
 * database can find (the edge-cases golden project, whose CHECK refuses negative dues): current
 * after a build, hand-edited when the recorded refusals are edited, stale after a scenario edit.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, fixturegen, pytest } from '../support/python.js';
import { VENV_ENV, sampleProject, snapshot } from '../support/project.js';

/** The ids a module's ACCEPTED_EDGE_CASES holds: EDGE_CASES' keys less REFUSED_EDGE_CASES. */
function acceptedIds(module: string): string[] {
  const table = /^EDGE_CASES = \{\n([\s\S]*?)^\}$/m.exec(module)![1]!;
  const ids = [...table.matchAll(/^ {4}"([^"]+)": /gm)].map((m) => m[1]!);
  const refused = /^REFUSED_EDGE_CASES = \(([\s\S]*?)\)$/m.exec(module)![1]!;
  const gone = new Set([...refused.matchAll(/"([^"]+)"/g)].map((m) => m[1]!));
  return ids.filter((id) => !gone.has(id));
}

describe('the sample project', () => {
  let dir: string;
  beforeAll(() => {
    dir = sampleProject('fixturegen-edge-sample-');
    cpSync(join(REPO, 'tests'), join(dir, 'tests'), { recursive: true });
  });

  it('builds the edge cases of both scenarios, and a test requesting them runs once per case', () => {
    const built = fixturegen(dir, ['build'], VENV_ENV);
    expect(built.status).toBe(0);
    const module = readFileSync(join(dir, 'generated', 'team_budget.py'), 'utf8');
    const ids = acceptedIds(module);
    expect(ids).toContain('engineer.manager=None');
    expect(ids).toContain('engineering.members=[]');
    expect(built.stdout).toContain(
      `${ids.length} edge cases in generated/team_budget.py (fixture team_budget_edge_cases)`,
    );
    // The committed output is what a build gives.
    expect(snapshot(join(dir, 'generated'))).toEqual(snapshot(join(REPO, 'generated')));
    const r = pytest(dir, ['-vv', 'tests']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const ran = [...r.stdout.matchAll(/::test_every_edge_case_of_the_team\[(.+)\] PASSED/g)];
    expect(ran.map((m) => m[1])).toEqual(ids);
    expect(r.stdout).toMatch(/test_it_ran_once_per_case PASSED/);
    // A zero-children case through a NOT NULL key leaves the children out (tenant_with_team).
    const team = readFileSync(join(dir, 'generated', 'tenant_with_team.py'), 'utf8');
    expect(team).toContain('    "acme.users=[]": {"users": None, "grants": None},\n');
    expect(r.stdout).toMatch(/::test_a_tenant_without_users\[acme\.users=\[\]\] PASSED/);
    // One instance of a list parent: the first user's grants (`@users[i % 3]`) left out.
    expect(team).toContain(
      '    "users[0].grants=[]": {"grants": {0: None, 3: None, 6: None, 9: None}},\n',
    );
    expect(r.stdout).toContain('::test_the_first_user_without_grants[users[0].grants=[]] PASSED');
  });
});

describe('constraint_tests: false', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fixturegen-edge-untested-'));
    cpSync(join(REPO, 'test', 'cases', 'edge-cases', 'project'), dir, {
      recursive: true,
      filter: (p) => !p.includes('__pycache__') && !/\/(wrong_|club_options)[^/]*\.yaml$/.test(p),
    });
    const config = join(dir, 'fixturegen.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}constraint_tests: false\n`);
  });

  it('warns at edge_cases that the refused cases are left out untested, and says so in the module', () => {
    const built = fixturegen(dir, ['build', '--json'], VENV_ENV);
    expect(built.status, built.stderr).toBe(0);
    const report = JSON.parse(built.stdout) as {
      scenarios: { name: string; diagnostics: Record<string, unknown>[] }[];
    };
    const chess = report.scenarios.find((s) => s.name === 'chess_club')!;
    expect(chess.diagnostics).toContainEqual({
      code: 'FG462',
      severity: 'warning',
      file: 'scenarios/chess_club.yaml',
      line: 2,
      column: 1,
      message:
        '2 edge cases the database refused are left out of chess_club_edge_cases, and no test runs them (constraint_tests: false)',
      hint: 'refused: chess.dues=-1.00, chess.dues=-9999.99 (REFUSED_EDGE_CASES in generated/chess_club.py); set constraint_tests: true in the config to get test_refused_edge_case, which expects the database to refuse each',
    });
    const module = readFileSync(join(dir, 'generated', 'chess_club.py'), 'utf8');
    expect(module).toContain(
      [
        '#: The cases the database refused at build time, left out of the fixture. With',
        '#: `constraint_tests: false` no test runs them: set it to true in the config to get',
        '#: test_refused_edge_case, which expects the database to refuse each.',
        '#: `fixturegen build` finds them and `fixturegen check` reads them here: do not edit by hand.',
        'REFUSED_EDGE_CASES = (',
      ].join('\n'),
    );
    expect(module).not.toContain('the constraint tests expect each to raise');
    // check renders the same bytes without a database, and warns as build does, from the
    // refusals the module records: the first check, and the next one that the state remembers.
    for (const round of [1, 2]) {
      const checked = fixturegen(dir, ['check'], VENV_ENV);
      expect(checked.status, `${round}: ${checked.stdout}`).toBe(0);
      expect(checked.stdout + checked.stderr).toMatch(
        /chess_club\.yaml:2:1: FG462 warning: 2 edge cases the database refused are left out of chess_club_edge_cases/,
      );
      expect(checked.stdout).toMatch(/is exactly what the current inputs give/);
    }
    const json = JSON.parse(fixturegen(dir, ['check', '--json'], VENV_ENV).stdout) as {
      ok: boolean;
      warnings: { code: string; file: string; line: number }[];
    };
    expect(json.ok).toBe(true);
    expect(json.warnings.map((w) => [w.code, w.file, w.line])).toEqual([
      ['FG462', 'scenarios/chess_club.yaml', 2],
    ]);
    const again = fixturegen(dir, ['build'], VENV_ENV);
    expect(again.status).toBe(0);
    expect(again.stdout + again.stderr).toMatch(
      /chess_club\.yaml:2:1: FG462 warning: 2 edge cases/,
    );
  });
});

describe('check agrees with build on recorded refusals', () => {
  let dir: string;
  let first: Record<string, string>;
  const module = () => join(dir, 'generated', 'chess_club.py');
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fixturegen-edge-check-'));
    cpSync(join(REPO, 'test', 'cases', 'edge-cases', 'project'), dir, {
      recursive: true,
      filter: (p) => !p.includes('__pycache__') && !/\/wrong_[^/]*\.yaml$/.test(p),
    });
    const built = fixturegen(dir, ['build'], VENV_ENV);
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout).toContain('(2 refused by the database: constraint tests)');
    first = snapshot(join(dir, 'generated'));
  });

  it('is current after a build: the refusals are read back from the module', () => {
    const r = fixturegen(dir, ['check'], VENV_ENV);
    expect(r.stdout).toContain('is exactly what the current inputs give');
    expect(r.status).toBe(0);
    expect(snapshot(join(dir, 'generated'))).toEqual(first);
  });

  it('names the module hand-edited when its recorded refusals are edited, and build restores them', () => {
    const text = readFileSync(module(), 'utf8');
    writeFileSync(module(), text.replace('    "chess.dues=-1.00",\n', ''));
    const r = fixturegen(dir, ['check', '--json'], VENV_ENV);
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout) as { findings: { kind: string; file: string }[] };
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: 'hand-edited', file: 'generated/chess_club.py' }),
    ]);
    const rebuilt = fixturegen(dir, ['build'], VENV_ENV);
    expect(rebuilt.status).toBe(0);
    expect(rebuilt.stdout).toContain('replaced hand edits in generated/chess_club.py');
    // The probe found the refusal again: the same bytes as the first build.
    expect(snapshot(join(dir, 'generated'))).toEqual(first);
  });

  it('names the module stale after a scenario edit, and current once built', () => {
    const scenario = join(dir, 'scenarios', 'chess_club.yaml');
    const before = readFileSync(scenario, 'utf8');
    writeFileSync(scenario, before.replace('dues: "12.50"', 'dues: "13.50"'));
    const r = fixturegen(dir, ['check'], VENV_ENV);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/stale\s+generated\/chess_club\.py is stale/);
    expect(fixturegen(dir, ['build'], VENV_ENV).status).toBe(0);
    expect(fixturegen(dir, ['check'], VENV_ENV).status).toBe(0);
    writeFileSync(scenario, before);
    expect(fixturegen(dir, ['build'], VENV_ENV).status).toBe(0);
    expect(snapshot(join(dir, 'generated'))).toEqual(first);
  });
});
