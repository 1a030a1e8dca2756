// `build --force` and `check` of a generated project of --scenarios (default 200) scenarios, next
// to their floors, measured side by side in the same loop (medians of --runs, default 5):
//   build --force         vs one pytest process requesting every scenario's fixture (the floor
//                           of verifying them all);
//   check (all current)   vs Python importing the models and configuring the mappers: with the
//                           state the previous check left in .fixturegen/state/ (the usual case
//                           on a developer's machine and in a pre-commit hook), and without it
//                           (a fresh clone in CI: every file parsed, compiled and rendered);
//   validate              vs the same floor, with and without that state.
// Targets (issue 13): build ≤ 1.5× its floor; check ≤ 1.2× its floor.
// Run `npm run build` first. Usage:
//   node bench/build-scale.mjs [--scenarios 200] [--runs 5] [--only build|check] [--keep]
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, scenarioName, writeScaleProject } from './support/scale-project.mjs';

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: '200' },
    runs: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const measure = (what) => values.only === undefined || values.only === what;
const N = Number(values.scenarios);
const RUNS = Number(values.runs);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'bin', 'fixturegen.js');
const PYTHON = join(REPO, '.venv', 'bin', 'python');
if (!existsSync(PYTHON) || !existsSync(join(REPO, 'dist', 'cli', 'main.js'))) {
  console.error('run `npm run setup` and `npm run build` first');
  process.exit(2);
}

const dir = writeScaleProject({ scenarios: N, python: PYTHON, prefix: 'fixturegen-build-bench-' });
const env = { ...process.env, NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1' };
const run = (cmd, args) => {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  return { ...r, ms };
};

const first = run(process.execPath, [CLI, 'build', '--json']);
if (first.status !== 0) {
  console.error(`the first build failed:\n${first.stdout.slice(-3000)}${first.stderr}`);
  process.exit(1);
}
// The floor's test module: one test per scenario, each requesting that scenario's fixture, in one
// pytest process (the generated package is the plugin, as in a user's conftest).
writeFileSync(join(dir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
const names = Array.from({ length: N }, (_, k) => scenarioName(k));
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
const IMPORT =
  'import scaleapp.models\nfrom sqlalchemy.orm import configure_mappers\nconfigure_mappers()\n';

const FLOOR = 'python: import models + configure_mappers';
const rows = {
  build: {
    label: `build --force, ${N} scenarios`,
    xs: [],
    base: 'one pytest process, all fixtures',
    bs: [],
    target: 1.5,
  },
  check: { label: `check, ${N} current files`, xs: [], base: FLOOR, bs: [], target: 1.2 },
  checkCold: { label: '  same, no .fixturegen/state', xs: [], base: FLOOR, bs: [], target: null },
  validate: { label: `validate, ${N} scenarios`, xs: [], base: FLOOR, bs: [], target: null },
  validateCold: {
    label: '  same, no .fixturegen/state',
    xs: [],
    base: FLOOR,
    bs: [],
    target: null,
  },
};
const STATE = join(dir, '.fixturegen', 'state');
/** One CLI run next to one floor run: the pair shares the machine's load. */
const pair = (row, args, fresh) => {
  if (fresh) rmSync(STATE, { recursive: true, force: true });
  const c = run(process.execPath, [CLI, ...args]);
  if (c.status !== 0) throw new Error(`${args[0]} exited ${c.status}: ${c.stdout.slice(-2000)}`);
  rows[row].xs.push(c.ms);
  const p = run(PYTHON, ['-c', IMPORT]);
  if (p.status !== 0) throw new Error(`python import exited ${p.status}: ${p.stderr}`);
  rows[row].bs.push(p.ms);
};
let stages = [];
// A check that leaves its state, so that the timed ones find it (as every check after the first).
if (measure('check')) run(process.execPath, [CLI, 'check']);
for (let i = 0; i < RUNS; i += 1) {
  if (measure('build')) {
    const b = run(process.execPath, [CLI, 'build', '--force', '--json']);
    if (b.status !== 0) throw new Error(`build exited ${b.status}: ${b.stderr}`);
    rows.build.xs.push(b.ms);
    stages.push(JSON.parse(b.stdout).timings);
    const f = run(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'test_floor.py']);
    if (f.status !== 0)
      throw new Error(`floor pytest exited ${f.status}: ${f.stdout.slice(-2000)}`);
    rows.build.bs.push(f.ms);
  }
  if (measure('check')) {
    pair('checkCold', ['check'], true);
    pair('check', ['check'], false);
    pair('validateCold', ['validate'], true);
    pair('validate', ['validate'], false);
  }
}

console.log(
  `build and check at scale: ${N} scenarios; medians of ${RUNS}; ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)}`,
);
console.log(
  `${'measure'.padEnd(30)} ${'median'.padStart(8)}  ${'floor'.padEnd(42)} ${'median'.padStart(8)}  ratio  target`,
);
for (const r of Object.values(rows)) {
  if (r.xs.length === 0) continue;
  const m = median(r.xs);
  const b = median(r.bs);
  const ratio = m / b;
  console.log(
    `${r.label.padEnd(30)} ${m.toFixed(0).padStart(6)} ms  ${r.base.padEnd(42)} ${b.toFixed(0).padStart(6)} ms  ${ratio.toFixed(2).padStart(5)}  ${r.target === null ? '' : `≤${r.target} ${ratio <= r.target ? 'holds' : 'MISSED'}`}`,
  );
}
if (stages.length > 0)
  console.log(
    '\nbuild --force, where the time goes (median wall ms; see `timings` in `build --json`):',
  );
for (const key of Object.keys(stages[0] ?? {})) {
  console.log(
    `  ${key.padEnd(20)} ${median(stages.map((s) => s[key]))
      .toFixed(0)
      .padStart(8)}`,
  );
}
if (values.keep) console.log(`\nproject kept in ${dir}`);
else rmSync(dir, { recursive: true, force: true });
