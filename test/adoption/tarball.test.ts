import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { REPO } from '../support/python.js';
import { initBuildTestCheck, npmInstall, sh, userProject } from './user-project.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('a project installs the packed tarball and runs init, build, pytest and check', () => {
  const packs = mkdtempSync(join(tmpdir(), 'fixturegen-pack-'));
  made.push(packs);
  // Scripts off: `prepare` would recompile dist/ under the tests running beside this one. The
  // setup step built dist/ from these sources; the git install test runs `prepare` itself.
  const pack = sh(REPO, 'npm', ['pack', '--ignore-scripts', '--pack-destination', packs]);
  expect(pack.status, pack.stderr).toBe(0);
  const [tarball] = readdirSync(packs).filter((f) => f.endsWith('.tgz'));
  expect(tarball).toBeDefined();

  const dir = userProject('fixturegen-tarball-');
  made.push(dir);
  npmInstall(dir, join(packs, tarball!));
  initBuildTestCheck(dir);
  // The helper compiled its own modules into the project's .fixturegen/, never into the install.
  const cached = readdirSync(join(dir, '.fixturegen', 'pycache'));
  expect(cached.some((f) => /^fixturegen_helper\.protocol\..+\.pyc$/.test(f))).toBe(true);
  const installed = join(dir, 'node_modules', 'fixturegen', 'python', 'fixturegen_helper');
  expect(existsSync(join(installed, 'protocol.py'))).toBe(true);
  expect(existsSync(join(installed, '__pycache__'))).toBe(false);
}, 600_000);
