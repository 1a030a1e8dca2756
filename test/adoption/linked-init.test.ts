import { rmSync } from 'node:fs';
import { afterAll, test } from 'vitest';
import { initAsUser, linkInstall, userProject } from './user-project.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

// Node runs a linked package from the link's target (this checkout, outside the project); the
// modeline must still go through the project's node_modules, the path every clone of it has.
test('init in a project that installed fixturegen from a folder (a symlink) writes the modeline through node_modules', () => {
  const dir = userProject('fixturegen-linked-');
  made.push(dir);
  linkInstall(dir);
  initAsUser(dir);
});
