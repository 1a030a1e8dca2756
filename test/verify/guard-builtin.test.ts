/**
 * The allow-list guard accepts what the builtin generator writes, unchanged: the checked-in golden
 * output (test/cases/<name>/expected/generated, the repo's generated/) and fresh builtin output for
 * every test project (value forms, enums, JSON, arrays, inheritance, model styles, extends).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PythonHelper } from '../../src/helper/client.js';
import { startPythonHelper } from '../../src/helper/client.js';
import { loadConfig } from '../../src/config/load.js';
import { renderScenarioModule } from '../../src/generate/builtin/render.js';
import { readHeader } from '../../src/output/header.js';
import { analyze, introspect, modelModules } from '../../src/pipeline/analyze.js';
import { packageName, readScenarioInputs } from '../../src/pipeline/inputs.js';
import { guardCandidate } from '../../src/verify/guard.js';
import { PYTHON, REPO } from '../support/python.js';

const CASES = join(REPO, 'test', 'cases');
const PROJECTS = join(REPO, 'test', 'generate', 'projects');

/** Project folder and the folder holding its checked-in builtin output (if any). */
const projects: [string, string, string | null][] = [
  ['repo', REPO, join(REPO, 'generated')],
  ...readdirSync(CASES)
    .sort()
    .map((n): [string, string, string] => [
      `case ${n}`,
      join(CASES, n, 'project'),
      join(CASES, n, 'expected', 'generated'),
    ]),
  ...readdirSync(PROJECTS)
    .sort()
    .map((n): [string, string, null] => [`project ${n}`, join(PROJECTS, n), null]),
];

const helpers: PythonHelper[] = [];
afterAll(async () => {
  await Promise.all(helpers.map((h) => h.close()));
});

describe.each(projects)('builtin output of %s', (_label, root, expectedDir) => {
  it('passes the allow-list guard unchanged, fresh and as checked in', async () => {
    const loaded = loadConfig({ cwd: root, env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
    const config = { ...loaded.value, python: PYTHON };
    const helper = startPythonHelper({ python: PYTHON, root });
    helpers.push(helper);
    const inputs = readScenarioInputs(config);
    const catalog = await introspect(helper, config, modelModules(config, inputs));
    const { plans } = analyze(catalog, config, inputs);
    const byName = new Map(plans.map((p) => [p.name, p]));
    const pkg = packageName(config);
    const sessionFixture = config.session_fixture ?? 'db_session';
    let checkedIn = 0;
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) {
      const fresh = renderScenarioModule(plan, {
        catalog,
        packageName: pkg,
        sessionFixture,
        plans: byName,
        async: config.async === true,
      });
      const bodies = [fresh];
      const file = expectedDir && join(expectedDir, `${plan.name}.py`);
      if (file && existsSync(file)) {
        const parsed = readHeader(readFileSync(file, 'utf8'));
        expect(parsed, file).not.toBeNull();
        bodies.push(parsed!.body);
        checkedIn += 1;
      }
      for (const body of bodies) {
        const found = await guardCandidate(helper, {
          body,
          plan,
          catalog,
          packageName: pkg,
          sessionFixture,
          async: config.async === true,
          plans: byName,
        });
        expect(found, `${plan.name}:\n${body}`).toEqual([]);
      }
    }
    if (expectedDir && existsSync(expectedDir)) expect(checkedIn).toBeGreaterThan(0);
  });
});
