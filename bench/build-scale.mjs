// `build --force`, `check` and `validate` of a generated project of --scenarios (default 200)
// scenarios, next to their floors, measured side by side in the same loop (medians of --runs,
// default 5):
//   build --force         vs one pytest process requesting every scenario's fixture (the floor
//                           of verifying them all);
//   check (all current)   vs Python importing the models and configuring the mappers: with the
//                           state the previous check left in .fixturegen/state/ (the usual case
//                           on a developer's machine and in a pre-commit hook), and without it
//                           (a fresh clone in CI: every file parsed, compiled and rendered);
//   validate              vs the same floor, with and without that state.
// Each CLI run is paired with a floor run right after it, so both see the same load.
// Targets (issue 13): build ≤ 1.5× its floor; check (with its state) ≤ 1.2× its floor; the other
// check and validate rows are shown for context.
// Run `npm run build` first. Usage: node bench/build-scale.mjs [--scenarios 200] [--runs 5]
//   [--only build|check] [--keep] [--quick] [--json] [--checkout DIR]  (support/common.mjs)
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { benchArgs, checkoutOf, median, report, requireBuilt, timed } from './support/common.mjs';
import { writeFloorTests, writeScaleProject } from './support/scale-project.mjs';

const values = benchArgs(
  {
    scenarios: { type: 'string', default: '200' },
    runs: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
  { runs: '3' },
);
if (values.only !== undefined && !['build', 'check'].includes(values.only)) {
  console.error(`--only takes build or check, not ${JSON.stringify(values.only)}`);
  process.exit(2);
}
const measure = (what) => values.only === undefined || values.only === what;
const N = Number(values.scenarios);
const RUNS = Number(values.runs);
const checkout = checkoutOf(values);
const out = report('build', values);
requireBuilt(checkout, out.log);
const CLI = checkout.cli;
const PYTHON = checkout.python;
const PROJECT = `a project of ${N} scenarios over 24 chained models (one in four extends another), verify run; medians of ${RUNS} rounds`;
const FLOOR = 'python: import models + configure_mappers';
/** The rows measured (only those of --only), each with its samples and its floor's, paired. */
const rows = {};
if (measure('build'))
  rows.build = out.row({
    measure: `build --force, ${N} scenarios`,
    baselineLabel: `one pytest process, all ${N} fixtures`,
    target: { kind: 'ratio', max: 1.5 },
    note: `${PROJECT}, each running build and its floor once`,
  });
if (measure('check')) {
  const note = `${PROJECT}; every check or validate run is followed by a floor run; "with state": the .fixturegen/state/ the previous run left (every run after the first), "no state": removed first (a fresh clone)`;
  rows.check = out.row({
    measure: `check, ${N} current files, with state`,
    baselineLabel: FLOOR,
    target: { kind: 'ratio', max: 1.2 },
    note,
  });
  rows.checkCold = out.row({
    measure: `check, ${N} current files, no state`,
    baselineLabel: FLOOR,
  });
  rows.validate = out.row({
    measure: `validate, ${N} scenarios, with state`,
    baselineLabel: FLOOR,
  });
  rows.validateCold = out.row({
    measure: `validate, ${N} scenarios, no state`,
    baselineLabel: FLOOR,
  });
}
const xs = Object.fromEntries(Object.keys(rows).map((k) => [k, { fg: [], base: [] }]));

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
writeFloorTests(dir, N);
const IMPORT =
  'import scaleapp.models\nfrom sqlalchemy.orm import configure_mappers\nconfigure_mappers()\n';

const STATE = join(dir, '.fixturegen', 'state');
/** One CLI run next to one floor run: the pair shares the machine's load. */
const pair = (key, args, fresh) => {
  if (fresh) rmSync(STATE, { recursive: true, force: true });
  const c = run(process.execPath, [CLI, ...args]);
  if (c.status !== 0) fail(`${args[0]} exited ${c.status}: ${c.stdout.slice(-2000)}${c.stderr}`);
  xs[key].fg.push(c.ms);
  const p = run(PYTHON, ['-c', IMPORT]);
  if (p.status !== 0) fail(`python import exited ${p.status}: ${p.stderr}`);
  xs[key].base.push(p.ms);
};
const stages = [];
// A first check, not timed: it warms the file cache and leaves the state the warm rows read.
if (measure('check')) {
  const c = run(process.execPath, [CLI, 'check']);
  if (c.status !== 0) fail(`check exited ${c.status}: ${c.stdout.slice(-2000)}${c.stderr}`);
}
// Side by side: each round runs every measure and its floor once, so load hits them alike.
for (let i = 0; i < RUNS; i += 1) {
  if (measure('build')) {
    const b = run(process.execPath, [CLI, 'build', '--force', '--json']);
    if (b.status !== 0) fail(`build exited ${b.status}: ${b.stderr}`);
    xs.build.fg.push(b.ms);
    stages.push(JSON.parse(b.stdout).timings);
    const f = run(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'test_floor.py']);
    if (f.status !== 0) fail(`floor pytest exited ${f.status}: ${f.stdout.slice(-2000)}`);
    xs.build.base.push(f.ms);
  }
  if (measure('check')) {
    // The cold runs first: each warm run then finds the state the cold one before it left.
    pair('checkCold', ['check'], true);
    pair('check', ['check'], false);
    pair('validateCold', ['validate'], true);
    pair('validate', ['validate'], false);
  }
}
for (const [key, row] of Object.entries(rows)) {
  row.fixturegen = median(xs[key].fg);
  row.baseline = median(xs[key].base);
  row.runs = xs[key].fg.length;
}

out.log(
  `build, check and validate at scale: ${N} scenarios; medians of ${RUNS}; ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)}`,
);
out.log(
  `${'measure'.padEnd(38)} ${'median'.padStart(8)}  ${'floor'.padEnd(42)} ${'median'.padStart(8)}  ratio  target`,
);
for (const r of Object.values(rows)) {
  const ratio = r.fixturegen / r.baseline;
  out.log(
    `${r.measure.padEnd(38)} ${r.fixturegen.toFixed(0).padStart(6)} ms  ${r.baselineLabel.padEnd(42)} ${r.baseline.toFixed(0).padStart(6)} ms  ${ratio.toFixed(2).padStart(5)}  ${r.target ? `≤${r.target.max} ${ratio <= r.target.max ? 'holds' : 'MISSED'}` : ''}`.trimEnd(),
  );
}
if (stages.length > 0)
  out.log(
    '\nbuild --force, where the time goes (median wall ms; see `timings` in `build --json`):',
  );
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
