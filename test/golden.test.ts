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

describe.each(readdirSync(CASES).sort())('golden case %s', (name) => {
  it('builds exactly the expected output and diagnostics, and the output passes pytest', () => {
    const caseDir = join(CASES, name);
    const dir = mkdtempSync(join(tmpdir(), `fixturegen-golden-${name}-`));
    cpSync(join(caseDir, 'project'), dir, {
      recursive: true,
      filter: (p) => !p.includes('__pycache__'),
    });
    const before = snapshot(dir);
    const r = fixturegen(dir, ['build', '--json'], VENV_ENV);
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
    const expectedDir = join(caseDir, 'expected');
    if (update) {
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
      const run = pytest(dir, ['tests', ...own.map((rel) => join('generated', rel))]);
      if (own.length > 0) expect(run.stdout).toMatch(/\d+ passed/);
      expect(run.stdout + run.stderr).not.toMatch(/error/i);
      expect(run.status).toBe(0);
    }
  });
});
