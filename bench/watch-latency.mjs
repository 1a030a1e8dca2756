// Save-to-verified-write latency of `fixturegen watch` for one changed scenario (builtin
// generator, verify `run`), next to a cold `fixturegen build` of the same scenario in a copy of
// the project, run between the watcher's edits. A synthetic models package of --models mapped
// classes (default 36, in modules of 9, with relationships) is written to a temporary project;
// the scenario `hot` touches three of them. Plain JS driving the built CLI: run `npm run build`
// first, then `node bench/watch-latency.mjs [--models 36] [--edits 30] [--gap 300] [--cold 5]
// [--keep] [--quick] [--json] [--checkout DIR]`.
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  benchArgs,
  checkoutOf,
  median,
  quantile,
  report,
  requireBuilt,
  timed,
} from './support/common.mjs';
import { cls, writeProject } from './support/project.mjs';
import { builtRun, pause, startWatcher } from './support/watcher.mjs';

const values = benchArgs(
  {
    models: { type: 'string', default: '36' },
    edits: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    gap: { type: 'string', default: '300' },
    cold: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
  },
  { edits: '10', warmup: '2', cold: '3' },
);
const MODELS = Number(values.models);
const EDITS = Number(values.edits);
const WARMUP = Number(values.warmup);
const GAP_MS = Number(values.gap);
const COLD = Number(values.cold);
const PER_MODULE = 9;
const checkout = checkoutOf(values);
const out = report('watch-latency', values);
requireBuilt(checkout, out.log);
if (MODELS < 30) out.log(`note: ${MODELS} models; the acceptance figure is for at least 30`);
if (EDITS < 30) out.log(`note: ${EDITS} edits; the acceptance figure is for at least 30`);
const CLI = checkout.cli;
const groups = Math.ceil(MODELS / PER_MODULE);
const row = out.row({
  measure: `watch, ${MODELS} models: save → verified write`,
  baselineLabel: 'cold `fixturegen build hot`',
  target: { kind: 'ratio', max: 0.2 },
  note: `one scenario (3 models, 10 rows) saved ${EDITS} times (after ${WARMUP}); the cold builds run in a copy of the project between the saves`,
});

/** The edited scenario: one root, three children, six grandchildren (three models). */
const hot = (k) =>
  [
    `description: Edit number ${k}.`,
    'entities:',
    `  root: { model: ${cls(1, 0)}, values: { name: "Root ${k}" } }`,
    `  items: { model: ${cls(1, 1)}, count: 3, values: { name: "item {n}", parent: "@root" } }`,
    `  parts: { model: ${cls(1, 2)}, count: 6, values: { name: "part {n}", parent: "@items[i // 2]" } }`,
    '',
  ].join('\n');

const other = [
  'entities:',
  `  root: { model: ${cls(0, 0)}, values: { name: Other } }`,
  `  items: { model: ${cls(0, 1)}, count: 2, values: { name: "item {n}", parent: "@root" } }`,
  '',
].join('\n');

// Two copies of the project, a models package of MODELS classes in modules of PER_MODULE, every
// third with an optional partner in the next module (support/project.mjs): one watched, the other
// for the cold builds, which run between the watcher's edits (side by side, so load hits both).
const project = (prefix) =>
  writeProject({
    prefix,
    pkg: 'synthapp',
    models: MODELS,
    perModule: PER_MODULE,
    partners: true,
    python: checkout.python,
    scenarios: { other, hot: hot(0) },
  });
const dir = project('fixturegen-watch-bench-');
const coldDir = project('fixturegen-watch-bench-cold-');
let edit = 0;
const saveHot = (at = dir) => writeFileSync(join(at, 'scenarios', 'hot.yaml'), hot(++edit));
const OUTPUT = join(dir, 'generated', 'hot.py');
const env = { ...process.env, NO_COLOR: '1' };
const cleanUp = () => {
  if (values.keep) out.log(`projects kept in ${dir} and ${coldDir}`);
  else for (const d of [dir, coldDir]) rmSync(d, { recursive: true, force: true });
};
const fail = (message) => {
  out.fail(message.split('\n')[0]);
  out.log(message);
  out.emit();
  cleanUp();
  process.exit(1);
};

// First builds of both copies. A cold build is a new process after an edit of the cold copy, so
// each one really builds and writes.

for (const d of [dir, coldDir]) {
  const first = timed(process.execPath, [CLI, 'build'], { cwd: d, env });
  if (first.status !== 0) fail(`the first build failed:\n${first.stdout}${first.stderr}`);
}
const cold = [];
const coldBuild = () => {
  saveHot(coldDir);
  const r = timed(process.execPath, [CLI, 'build', 'hot'], { cwd: coldDir, env });
  if (r.status !== 0 || !/✓ built\s+hot/.test(r.stdout))
    fail(`cold build ${cold.length} did not build hot:\n${r.stdout}${r.stderr}`);
  cold.push(r.ms);
};
const coldEvery = Math.max(1, Math.ceil(EDITS / COLD));

// ---------------------------------------------------------------------------------------------
// The watcher.

const watcher = startWatcher({ cli: CLI, dir, env });
await watcher.next((e) => e.event === 'ready');
const samples = [];
for (let i = 0; i < WARMUP + EDITS; i += 1) {
  await pause(GAP_MS);
  const built = watcher.next(builtRun('hot'));
  const t0 = performance.timeOrigin + performance.now();
  saveHot();
  const { event, at } = await built;
  if (i < WARMUP) continue;
  samples.push({ t0, at, mtime: statSync(OUTPUT).mtimeMs, run: event });
  if ((i - WARMUP) % coldEvery === 0 && cold.length < COLD) coldBuild();
}
while (cold.length < COLD) coldBuild();
const exit = await watcher.stop();

// ---------------------------------------------------------------------------------------------
// Report.

const f1 = (x) => x.toFixed(1).padStart(8);

const write = samples.map((s) => s.mtime - s.t0);
const reported = samples.map((s) => s.at - s.t0);
const coldMedian = median(cold);
Object.assign(row, { fixturegen: median(write), baseline: coldMedian, runs: write.length });
out.log(
  `watch latency: ${MODELS} models in ${groups} modules; scenario \`hot\` touches 3 of them; ` +
    `${EDITS} edits after ${WARMUP} warm-up, ${GAP_MS} ms between saves; ` +
    `${cpus().length} cores, load average ${loadavg()[0].toFixed(2)}`,
);
out.log('                                     median       p95');
out.log(
  `save → verified write (output mtime) ${f1(median(write))}  ${f1(quantile(write, 0.95))} ms`,
);
out.log(
  `save → run event read                ${f1(median(reported))}  ${f1(quantile(reported, 0.95))} ms`,
);
out.log(
  `cold \`fixturegen build hot\`          ${f1(coldMedian)}  ${f1(quantile(cold, 0.95))} ms (${COLD} new processes, between the edits)`,
);
const ratio = median(write) / coldMedian;
out.log(
  `median / cold: ${ratio.toFixed(3)} (target < 0.2: ${ratio < 0.2 ? 'met' : 'NOT met'}); ` +
    `median < 150 ms: ${median(write) < 150 ? 'met' : 'NOT met'}; watcher exit code ${exit}`,
);

// Where the time goes, median per edit. The watcher's clock (run start) and this process's
// (the save) are both wall clocks; run.startedAt has millisecond resolution.
const stage = (fn) => median(samples.map(fn));
const t = (s) => s.run.timings;
/** The helper's stages of one verification, in order (see STAGES in verify/results.py). */
const VERIFY_STAGES = [
  ['prepareMs', 'write the candidate, hand it to the spare child'],
  ['childSetupMs', 'fork and child set-up (no spare)'],
  ['pytestStartupMs', 'pytest start-up (no spare)'],
  ['candidateImportMs', 'import the candidate (conftest, plugins)'],
  ['collectMs', 'fixture manager and collection'],
  ['runMs', 'run the 3 smoke tests (tables, rows)'],
  ['exitMs', 'pytest summary, exit, reap'],
  ['reportMs', 'read the results'],
];
const vs = (s, k) => t(s).verifyStages[k] ?? 0;
const rows = [
  ['save → watcher event', (s) => Date.parse(s.run.startedAt) - s.t0 - t(s).waitMs],
  ['debounce (event → run start)', (s) => t(s).waitMs],
  ['config + read scenarios', (s) => t(s).config + t(s).inputs],
  ['compile (all scenarios) + graph', (s) => t(s).compile],
  ['generate + hash + write', (s) => t(s).build - t(s).guard - t(s).verify],
  ['guard round trip', (s) => t(s).guard],
  ['verify round trip', (s) => t(s).verify],
  ...VERIFY_STAGES.map(([k, label]) => [`  ${label}`, (s) => vs(s, k)]),
  [
    '  protocol, JSON, helper wake-ups',
    (s) => t(s).verify - VERIFY_STAGES.reduce((n, [k]) => n + vs(s, k), 0),
  ],
  ['run end → event read', (s) => s.at - (Date.parse(s.run.startedAt) + s.run.durationMs)],
];
out.log('\nwhere the time goes (median per edit, wall ms):');
for (const [label, fn] of rows) out.log(`  ${label.padEnd(48)} ${f1(stage(fn))}`);
const spares = samples.filter((s) => vs(s, 'spare') === 1).length;
out.log(`  (verified by a warm spare child in ${spares} of ${samples.length} edits)`);
out.log('CPU time per edit (median ms; what load does not skew):');
out.log(`  ${'watch process (Node), whole run'.padEnd(48)} ${f1(stage((s) => t(s).nodeCpu))}`);
out.log(
  `  ${'verification child, candidate in place → done'.padEnd(48)} ${f1(stage((s) => vs(s, 'goToFinishedCpuMs')))}`,
);
out.log(
  `  ${'verification child, all (spare start-up too)'.padEnd(48)} ${f1(stage((s) => vs(s, 'childCpuMs')))}`,
);

cleanUp();
if (exit !== 0) {
  row.error = `the watcher exited ${exit}`;
  process.exitCode = 1;
}
out.emit();
