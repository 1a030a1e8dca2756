import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { linkInstall, sh, userProject } from './user-project.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

// Node runs a linked package from the link's target (this checkout, outside the project); the
// modeline must still go through the project's node_modules, the path every clone of it has.
test('init in a project that installed fixturegen from a folder (a symlink) writes the modeline through node_modules', () => {
  const dir = userProject('fixturegen-linked-');
  made.push(dir);
  linkInstall(dir);
  const init = sh(dir, 'npx', ['fixturegen', 'init', '--models', 'shop.models']);
  expect(init.status, init.stderr).toBe(0);
  expect(init.stderr).not.toContain('points outside this project');
  const example = readFileSync(join(dir, 'scenarios', 'example.yaml'), 'utf8');
  expect(example.split('\n')[0]).toBe(
    '# yaml-language-server: $schema=../node_modules/fixturegen/schemas/scenario.schema.json',
  );
});
