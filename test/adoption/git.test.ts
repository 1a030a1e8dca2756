import { rmSync } from 'node:fs';
import { afterAll, test } from 'vitest';
import { gitSnapshot, initBuildTestCheck, npmInstall, userProject } from './user-project.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

// npm clones the repository, installs its dev dependencies, runs `prepare` (which compiles dist/,
// never committed) and installs the result: the path every install from git takes.
test('a project installs fixturegen from the git URL of a clone and runs init, build, pytest and check', () => {
  const repo = gitSnapshot('fixturegen-clone-');
  made.push(repo);
  const dir = userProject('fixturegen-git-');
  made.push(dir);
  npmInstall(dir, `git+file://${repo}`);
  initBuildTestCheck(dir);
}, 600_000);
