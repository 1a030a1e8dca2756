/**
 * Golden directories: test/cases/<name>/project is a complete user project (config, models,
 * scenarios, optionally tests/); test/cases/<name>/expected holds what `fixturegen build` must
 * write there (`generated/…`) and `result.json` (exit code and diagnostics). The expected Python is
 * then collected and run by pytest together with the case's own tests. UPDATE_GOLDEN=1 refreshes.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, fixturegen, pytest } from './support/python.js';
import { VENV_ENV, snapshot } from './support/project.js';

const CASES = join(REPO, 'test', 'cases');
const update = process.env.UPDATE_GOLDEN === '1';

/**
 * Every case is built on SQLAlchemy 2.0 (`.venv`, expected/). These are also built on the other
 * versions fixturegen supports, each in its own environment made by scripts/setup.mjs: 1.4 with
 * its own expected output (expected-sa14/: db_session differs, the rest must not), and 2.1 with
 * 2.0's (a subset, to keep the suite's time: every column type, 1.4 style, every mapping style;
 * not custom-types: advanced-alchemy 1.12 itself fails to import on 2.1).
 */
const VERSIONS = [
  { sqlalchemy: '2.0', venv: '.venv', expected: 'expected', cases: null },
  {
    sqlalchemy: '1.4',
    venv: '.venv-sa14',
    expected: 'expected-sa14',
    cases: ['legacy-declarative'],
  },
  {
    sqlalchemy: '2.1',
    venv: '.venv-sa21',
    expected: 'expected',
    cases: ['column-types', 'legacy-declarative', 'model-styles'],
  },
] as const;

const runs = readdirSync(CASES)
  .sort()
  .flatMap((name) =>
    VERSIONS.filter((v) => v.cases === null || (v.cases as readonly string[]).includes(name)).map(
      (v) => ({ name, ...v }),
    ),
  );

interface Expected {
  exit: number;
  diagnostics: {
    code: string;
    file?: string;
    line?: number;
    column?: number;
    message: string;
    hint?: string;
  }[];
}

describe.each(runs)('golden case $name on SQLAlchemy $sqlalchemy', (run) => {
  const { name } = run;
  it('builds exactly the expected output and diagnostics, and the output passes pytest', () => {
    const caseDir = join(CASES, name);
    const venv = join(REPO, run.venv);
    const dir = mkdtempSync(join(tmpdir(), `fixturegen-golden-${name}-`));
    cpSync(join(caseDir, 'project'), dir, {
      recursive: true,
      filter: (p) => !p.includes('__pycache__'),
    });
    const before = snapshot(dir);
    const r = fixturegen(dir, ['build', '--json'], { ...VENV_ENV, VIRTUAL_ENV: venv });
    const result = JSON.parse(r.stdout) as {
      scenarios: { diagnostics: Expected['diagnostics'] }[];
    };
    const actual: Expected = {
      exit: r.status,
      diagnostics: result.scenarios
        .flatMap((s) => s.diagnostics)
        .map(({ code, file, line, column, message, hint }) => ({
          code,
          file,
          line,
          column,
          message,
          hint,
        })),
    };
    const out = join(dir, 'generated');
    const generated = existsSync(out) ? snapshot(out) : {};
    const expectedDir = join(caseDir, run.expected);
    // 2.1 shares 2.0's expected output: only 2.0 (and 1.4, its own) refresh it.
    if (update && run.sqlalchemy !== '2.1') {
      rmSync(expectedDir, { recursive: true, force: true });
      mkdirSync(join(expectedDir, 'generated'), { recursive: true });
      for (const [rel, text] of Object.entries(generated))
        writeFileSync(join(expectedDir, 'generated', rel), text);
      writeFileSync(join(expectedDir, 'result.json'), `${JSON.stringify(actual, null, 2)}\n`);
    }
    const expected = JSON.parse(
      snapshot(expectedDir)['result.json'] ?? '{"exit": -1, "diagnostics": []}',
    ) as Expected;
    const expectedGenerated = existsSync(join(expectedDir, 'generated'))
      ? snapshot(join(expectedDir, 'generated'))
      : {};
    expect(actual).toEqual(expected);
    expect(generated).toEqual(expectedGenerated);
    if (expected.exit !== 0) {
      // A failing build changed nothing but the output of the scenarios that passed.
      const after = snapshot(dir);
      for (const [rel, text] of Object.entries(before)) expect(after[rel]).toBe(text);
    }
    if (Object.keys(generated).length > 0) {
      if (!existsSync(join(dir, 'conftest.py')))
        writeFileSync(join(dir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
      // Every passing case ships tests of its own that use the generated fixtures.
      expect(existsSync(join(dir, 'tests'))).toBe(true);
      // Constraint tests (`edge_cases: auto`) are generated test modules: pytest runs them too.
      const own = Object.keys(generated).filter((rel) => /^test_.*\.py$/.test(rel));
      const ran = pytest(
        dir,
        ['tests', ...own.map((rel) => join('generated', rel))],
        {},
        join(venv, 'bin', 'python'),
      );
      if (own.length > 0) expect(ran.stdout).toMatch(/\d+ passed/);
      expect(ran.stdout + ran.stderr).not.toMatch(/error/i);
      expect(ran.status).toBe(0);
    }
  });
});
