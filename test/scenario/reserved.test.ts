/**
 * The reserved scenario names come from pytest and Python themselves: every fixture the installed
 * pytest provides (with its bundled plugins) and every public builtin of the venv's Python is in
 * the lists, so an upgrade that adds one fails here instead of shadowing it in a user's suite.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PYTEST_FIXTURES, PYTHON_BUILTINS, reservedName } from '../../src/scenario/reserved.js';
import { PYTHON } from '../support/python.js';

it('lists every public fixture of the installed pytest, and `request`', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-fixtures-'));
  writeFileSync(join(dir, 'test_x.py'), 'def test_x():\n    pass\n');
  // pytest's own fixtures only: third-party plugins that the venv happens to hold (a test
  // dependency's `pytest11` entry point) are not pytest's and are not reserved.
  const r = spawnSync(PYTHON, ['-m', 'pytest', '--fixtures', '-v', '-p', 'pytester'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1' },
  });
  const names = [...r.stdout.matchAll(/^([a-z][a-z0-9_]*)(?: \[[a-z ]+\])? -- /gm)].map(
    (m) => m[1]!,
  );
  expect(names.length).toBeGreaterThan(15);
  expect(names.filter((n) => !PYTEST_FIXTURES.includes(n))).toEqual([]);
  expect(PYTEST_FIXTURES).toContain('request');
  for (const n of [...names, 'request']) expect(reservedName(n)).not.toBeNull();
});

it("lists every public lower-case builtin of the venv's Python", () => {
  const r = spawnSync(
    PYTHON,
    [
      '-c',
      'import builtins; print(" ".join(n for n in dir(builtins) if n.islower() and not n.startswith("_")))',
    ],
    { encoding: 'utf8' },
  );
  const names = r.stdout.trim().split(' ');
  expect(names.length).toBeGreaterThan(60);
  expect(names.filter((n) => !PYTHON_BUILTINS.includes(n))).toEqual([]);
});

it('refuses conftest, dunder names and the session fixtures; accepts ordinary names', () => {
  expect(reservedName('conftest')?.reason).toMatch(/conftest\.py/);
  expect(reservedName('__init__')?.reason).toMatch(/special name/);
  expect(reservedName('db_session')).not.toBeNull();
  expect(reservedName('session', 'session')).not.toBeNull();
  expect(reservedName('tenant_with_team')).toBeNull();
  expect(reservedName('test_scenario')).toBeNull();
});
