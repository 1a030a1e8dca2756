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
