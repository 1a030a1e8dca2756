import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { parse } from 'yaml';
import { sampleProject } from '../support/project.js';
import { REPO } from '../support/python.js';
import { linkInstall, userEnv } from './user-project.js';

interface Hook {
  id: string;
  entry: string;
  language: string;
  pass_filenames?: boolean;
}

const hooks = parse(readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The sample project with fixturegen installed from this checkout, as `npm install -D <path>`
 * links it, and this repository's committed output. */
function installedSample(): string {
  const dir = sampleProject('fixturegen-hook-');
  made.push(dir);
  cpSync(join(REPO, 'generated'), join(dir, 'generated'), { recursive: true });
  linkInstall(dir);
  return dir;
}

/** Runs the hook as pre-commit does with `pass_filenames: false`: its entry, split on spaces. */
function runHook(hook: Hook, cwd: string) {
  const [cmd, ...args] = hook.entry.split(/\s+/);
  const r = spawnSync(cmd!, args, { cwd, env: userEnv(), encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

test('the fixturegen-check hook passes on current output and fails on a stale file', () => {
  const hook = hooks.find((h) => h.id === 'fixturegen-check');
  expect(hook).toBeDefined();
  expect(hook!.language).toBe('system');
  expect(hook!.pass_filenames).toBe(false);
  const dir = installedSample();

  const clean = runHook(hook!, dir);
  expect(clean.status, clean.out).toBe(0);

  const scenario = join(dir, 'scenarios', 'team_budget.yaml');
  writeFileSync(
    scenario,
    readFileSync(scenario, 'utf8').replace('name: Globex', 'name: Globex Ltd'),
  );
  const stale = runHook(hook!, dir);
  expect(stale.status, stale.out).toBe(1);
  expect(stale.out).toContain('team_budget');
});
