/**
 * Generated files are what a project's own formatter and linter would write: `ruff format`,
 * `ruff check` (its default rules plus import sorting, I) and `black` leave every golden output,
 * this repository's generated/ and a fresh build of a project full of long and awkward values
 * unchanged. Otherwise a pre-commit hook running them would rewrite the files, and `check` would
 * call them hand-edited forever. Tools pinned in python/requirements-dev.txt.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { VENV_ENV } from '../support/project.js';
import { REPO, fixturegen } from '../support/python.js';

const BIN = join(REPO, '.venv', 'bin');
const CASES = join(REPO, 'test', 'cases');
let root = '';
/** Every `<project>/generated` folder under `root`, relative to it. */
const outputs: string[] = [];

/**
 * A project folder of its own: an empty ruff.toml makes it ruff's project root, so its model
 * package is first party there as it is in the user's project.
 */
function project(name: string, parts: [string, string][]): void {
  for (const [from, to] of parts) cpSync(from, join(root, name, to), { recursive: true });
  writeFileSync(join(root, name, 'ruff.toml'), '');
  outputs.push(`${name}/generated`);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fixturegen-formatters-'));
  for (const name of readdirSync(CASES).sort()) {
    project(name, [
      [join(CASES, name, 'project'), '.'],
      [join(CASES, name, 'expected', 'generated'), 'generated'],
    ]);
    // The output for SQLAlchemy 1.4 (test/golden.test.ts), whose db_session differs.
    if (existsSync(join(CASES, name, 'expected-sa14')))
      project(`${name}-sa14`, [
        [join(CASES, name, 'project'), '.'],
        [join(CASES, name, 'expected-sa14', 'generated'), 'generated'],
      ]);
  }
  project('repo', [
    [join(REPO, 'crm'), 'crm'],
    [join(REPO, 'generated'), 'generated'],
  ]);
  project('shapes', [
    [join(REPO, 'test', 'adoption', 'shapes'), '.'],
    [join(CASES, 'column-types', 'project', 'lab'), 'lab'],
    [join(CASES, 'value-forms', 'project', 'shop'), 'shop'],
  ]);
  const build = fixturegen(join(root, 'shapes'), ['build'], VENV_ENV);
  expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

function tool(name: string, args: string[]) {
  const r = spawnSync(join(BIN, name), [...args, ...outputs], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

test('every output is a project of its own, the shapes project included', () => {
  expect(outputs).toContain('shapes/generated');
  expect(outputs.length).toBeGreaterThan(8);
  expect(readdirSync(join(root, 'shapes', 'generated'))).toContain('long_values.py');
});

test('ruff format leaves every generated file unchanged', () => {
  const r = tool('ruff', ['format', '--check', '--diff']);
  expect(r.status, r.out).toBe(0);
});

test('ruff check (default rules and import sorting) finds nothing', () => {
  const r = tool('ruff', ['check', '--extend-select', 'I', '--output-format', 'concise']);
  expect(r.status, r.out).toBe(0);
});

test('black leaves every generated file unchanged', () => {
  const r = tool('black', ['--check', '--diff', '--quiet']);
  expect(r.status, r.out).toBe(0);
});
