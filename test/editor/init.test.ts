import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { VENV_ENV, sampleProject, snapshot } from '../support/project.js';
import { REPO, fixturegen } from '../support/python.js';

test('init writes a scenario whose schema line reaches the installed schema, and it validates', () => {
  const dir = sampleProject('fixturegen-init-');
  rmSync(join(dir, 'scenarios'), { recursive: true });
  rmSync(join(dir, 'fixturegen.yaml'));
  const r = fixturegen(dir, ['init', '--models', 'crm.models'], VENV_ENV);
  expect(r.status, r.stderr).toBe(0);
  const example = readFileSync(join(dir, 'scenarios', 'example.yaml'), 'utf8');
  const m = /^# yaml-language-server: \$schema=(\S+)\n/.exec(example);
  expect(m, example).not.toBeNull();
  const target = resolve(join(dir, 'scenarios'), m![1]!);
  expect(target).toBe(join(REPO, 'schemas', 'scenario.schema.json'));
  expect(existsSync(target)).toBe(true);
  expect(m![1]).not.toContain('\\');
  // This checkout is outside the temporary project, so init says the path will not travel.
  expect(r.stderr).toContain('points outside this project');
  expect(example).toContain('model: Tenant');

  const before = snapshot(dir);
  const v = fixturegen(dir, ['validate'], VENV_ENV);
  expect(v.status, v.stderr).toBe(0);
  expect(v.stdout).toMatch(/✓ example\s+scenarios\/example\.yaml/);
  expect(snapshot(dir)).toEqual(before);
});
