// `build --force` and `check` of a generated project of --scenarios (default 200) scenarios, next
// to their floors, measured side by side in the same loop (medians of --runs, default 5):
//   build --force         vs one pytest process requesting every scenario's fixture (the floor
//                           of verifying them all);
//   check (all current)   vs Python importing the models and configuring the mappers.
// Targets (issue 13): build ≤ 1.5× its floor; check ≤ 1.2× its floor.
// Run `npm run build` first. Usage: node bench/build-scale.mjs [--scenarios 200] [--runs 5] [--keep]
//   [--quick] [--json] [--checkout DIR]  (support/common.mjs)
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchArgs, checkoutOf, median, report, requireBuilt, timed } from './support/common.mjs';
import { scenarioName, writeScaleProject } from './support/scale-project.mjs';

const values = benchArgs(
  {
    scenarios: { type: 'string', default: '200' },
    runs: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
  },
  { runs: '3' },
);
const N = Number(values.scenarios);
const RUNS = Number(values.runs);
const checkout = checkoutOf(values);
const out = report('build', values);
requireBuilt(checkout, out.log);
const CLI = checkout.cli;
const PYTHON = checkout.python;
const rows = {
  build: out.row({
    measure: `build --force, ${N} scenarios`,
    baselineLabel: `one pytest process, all ${N} fixtures`,
    target: { kind: 'ratio', max: 1.5 },
    note: `a project of ${N} scenarios over 24 chained models (one in four extends another), verify run; medians of ${RUNS} rounds, each running build, its floor, check and its floor once`,
  }),
  check: out.row({
    measure: `check, ${N} current files`,
    baselineLabel: 'python: import models + configure_mappers',
    target: { kind: 'ratio', max: 1.2 },
    note: `a project of ${N} scenarios over 24 chained models (one in four extends another), verify run; medians of ${RUNS} rounds, each running build, its floor, check and its floor once`,
  }),
};

const dir = writeScaleProject({ scenarios: N, python: PYTHON, prefix: 'fixturegen-build-bench-' });
const env = { ...process.env, NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1' };
const run = (cmd, args) => timed(cmd, args, { cwd: dir, env });
const fail = (message) => {
  out.fail(message.split('\n')[0]);
  out.log(message);
  out.emit();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
  process.exit(1);
};

const first = run(process.execPath, [CLI, 'build', '--json']);
if (first.status !== 0)
  fail(
    `the first build failed (exit ${first.status}):\n${first.stdout.slice(-3000)}${first.stderr}`,
  );
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

const xs = { build: [], floor: [], check: [], import: [] };
let stages = [];
// Side by side: each round runs all four once, so load on the machine hits them alike.
for (let i = 0; i < RUNS; i += 1) {
  const b = run(process.execPath, [CLI, 'build', '--force', '--json']);
  if (b.status !== 0) fail(`build exited ${b.status}: ${b.stderr}`);
  xs.build.push(b.ms);
  stages.push(JSON.parse(b.stdout).timings);
  const f = run(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'test_floor.py']);
  if (f.status !== 0) fail(`floor pytest exited ${f.status}: ${f.stdout.slice(-2000)}`);
  xs.floor.push(f.ms);
  const c = run(process.execPath, [CLI, 'check']);
  if (c.status !== 0) fail(`check exited ${c.status}: ${c.stdout.slice(-2000)}`);
  xs.check.push(c.ms);
  const p = run(PYTHON, ['-c', IMPORT]);
  if (p.status !== 0) fail(`python import exited ${p.status}: ${p.stderr}`);
  xs.import.push(p.ms);
}
for (const [row, fg, base] of [
  [rows.build, xs.build, xs.floor],
  [rows.check, xs.check, xs.import],
]) {
  row.fixturegen = median(fg);
  row.baseline = median(base);
  row.runs = fg.length;
}

out.log(
  `build and check at scale: ${N} scenarios; medians of ${RUNS}; ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)}`,
);
out.log(
  `${'measure'.padEnd(30)} ${'median'.padStart(8)}  ${'floor'.padEnd(42)} ${'median'.padStart(8)}  ratio  target`,
);
for (const r of Object.values(rows)) {
  const ratio = r.fixturegen / r.baseline;
  out.log(
    `${r.measure.padEnd(30)} ${r.fixturegen.toFixed(0).padStart(6)} ms  ${r.baselineLabel.padEnd(42)} ${r.baseline.toFixed(0).padStart(6)} ms  ${ratio.toFixed(2).padStart(5)}  ≤${r.target.max} ${ratio <= r.target.max ? 'holds' : 'MISSED'}`,
  );
}
out.log('\nbuild --force, where the time goes (median wall ms; see `timings` in `build --json`):');
for (const key of Object.keys(stages[0] ?? {})) {
  out.log(
    `  ${key.padEnd(20)} ${median(stages.map((s) => s[key]))
      .toFixed(0)
      .padStart(8)}`,
  );
}
if (values.keep) out.log(`\nproject kept in ${dir}`);
else rmSync(dir, { recursive: true, force: true });
out.emit();
