// The project of the scale benchmarks (build, check, watch at scale): N scenarios over 6 modules of
// 4 chained models (project.mjs). Scenario k uses group k mod 6: a root, two children and, for one
// in four, an `extends` of the previous scenario of its group, so the dependency graph has depth
// as a real project's does.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cls, writeProject } from './project.mjs';

const PER_MODULE = 4;
const GROUPS = 6;

export const scenarioName = (k) => `s${String(k).padStart(4, '0')}`;

/** Scenario k's text; `edit` changes a value (the watch benchmark's save). */
export function scenarioText(k, edit = 0) {
  const g = k % GROUPS;
  const lines = [`description: Scenario ${k}, edit ${edit}.`];
  const parent = k - GROUPS;
  if (k % 4 === 3 && parent >= 0) lines.push(`extends: [${scenarioName(parent)}]`);
  lines.push(
    'entities:',
    `  root${k}: { model: ${cls(g, 0)}, values: { name: "Root ${k} ${edit}", code: "r${k}" } }`,
    `  items${k}: { model: ${cls(g, 1)}, count: 2, values: { name: "item {n}", code: "i{n}", parent: "@root${k}" } }`,
    '',
  );
  return lines.join('\n');
}

/** Writes the project of `scenarios` scenarios; returns its folder. */
export function writeScaleProject({ scenarios, python, prefix = 'fixturegen-scale-' }) {
  return writeProject({
    prefix,
    pkg: 'scaleapp',
    models: GROUPS * PER_MODULE,
    perModule: PER_MODULE,
    python,
    scenarios: Object.fromEntries(
      Array.from({ length: scenarios }, (_, k) => [scenarioName(k), scenarioText(k)]),
    ),
  });
}

/**
 * The build's floor in `dir`: one test per scenario, each requesting that scenario's fixture, run
 * by one pytest process (the generated package is the plugin, as in a user's conftest).
 */
export function writeFloorTests(dir, scenarios) {
  writeFileSync(join(dir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
  const names = Array.from({ length: scenarios }, (_, k) => scenarioName(k));
  writeFileSync(
    join(dir, 'test_floor.py'),
    [
      'import pytest',
      '',
      `NAMES = ${JSON.stringify(names)}`,
      '',
      '',
      '@pytest.mark.parametrize("name", NAMES)',
      'def test_fixture(request, name):',
      '    assert request.getfixturevalue(name) is not None',
      '',
    ].join('\n'),
  );
}
