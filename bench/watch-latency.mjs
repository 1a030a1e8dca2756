// Save-to-verified-write latency of `fixturegen watch` for one changed scenario (builtin
// generator, verify `run`), next to a cold `fixturegen build` of the same scenario in the same run.
// A synthetic models package of --models mapped classes (default 36, in modules of 9, with
// relationships) is written to a temporary project; the scenario `hot` touches three of them.
// Plain JS driving the built CLI: run `npm run build` first, then
// `node bench/watch-latency.mjs [--models 36] [--edits 30] [--gap 300] [--cold 5] [--keep]`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chainModelLines } from './support/synthetic-models.mjs';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: '36' },
    edits: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    gap: { type: 'string', default: '300' },
    cold: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
  },
});
const MODELS = Number(values.models);
const EDITS = Number(values.edits);
const WARMUP = Number(values.warmup);
const GAP_MS = Number(values.gap);
const COLD = Number(values.cold);
const PER_MODULE = 9;
if (MODELS < 30) console.warn(`note: ${MODELS} models; the acceptance figure is for at least 30`);
if (EDITS < 30) console.warn(`note: ${EDITS} edits; the acceptance figure is for at least 30`);

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'bin', 'fixturegen.js');
const PYTHON = join(REPO, '.venv', 'bin', 'python');
if (!existsSync(PYTHON)) {
  console.error('no .venv with SQLAlchemy: run `npm run setup` first');
  process.exit(2);
}
if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) {
  console.error('no dist/: run `npm run build` first');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// The project: synthapp/models/ (a package: base.py and one module per group of PER_MODULE
// models). In a group, model k > 0 belongs to model k − 1 (NOT NULL foreign key, back-populated
// one-to-many); every third model has an optional partner in the next group's first model.

const cls = (g, k) => `G${g}M${k}`;
const table = (g, k) => `g${g}_m${k}`;
const groups = Math.ceil(MODELS / PER_MODULE);
const sizeOf = (g) => Math.min(PER_MODULE, MODELS - g * PER_MODULE);

function groupModule(g) {
  const out = [
    'from __future__ import annotations',
    '',
    'import datetime',
    'from decimal import Decimal',
    'from typing import Optional',
    '',
    'from sqlalchemy import Date, Enum, ForeignKey, Numeric, String, UniqueConstraint',
    'from sqlalchemy.orm import Mapped, mapped_column, relationship',
    '',
    'from synthapp.models.base import Base, Status',
  ];
  const next = (g + 1) % groups;
  for (let k = 0; k < sizeOf(g); k += 1) {
    const c = cls(g, k);
    out.push(
      '',
      '',
      ...chainModelLines({
        cls: c,
        table: table(g, k),
        parent: k > 0 ? { cls: cls(g, k - 1), table: table(g, k - 1) } : null,
        child: k < sizeOf(g) - 1 ? { cls: cls(g, k + 1), table: table(g, k + 1) } : null,
      }),
    );
    if (k % 3 === 2)
      out.push(
        `    partner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("${table(next, 0)}.id"))`,
        `    partner: Mapped[Optional["${cls(next, 0)}"]] = relationship()`,
      );
  }
  return `${out.join('\n')}\n`;
}

const BASE = `import enum

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Status(enum.Enum):
    draft = "draft"
    active = "active"
    archived = "archived"
`;

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

const dir = mkdtempSync(join(tmpdir(), 'fixturegen-watch-bench-'));
mkdirSync(join(dir, 'synthapp', 'models'), { recursive: true });
mkdirSync(join(dir, 'scenarios'));
writeFileSync(join(dir, 'synthapp', '__init__.py'), '');
writeFileSync(join(dir, 'synthapp', 'models', '__init__.py'), '');
writeFileSync(join(dir, 'synthapp', 'models', 'base.py'), BASE);
for (let g = 0; g < groups; g += 1)
  writeFileSync(join(dir, 'synthapp', 'models', `group_${g}.py`), groupModule(g));
writeFileSync(
  join(dir, 'fixturegen.yaml'),
  [
    'models: synthapp.models',
    'scenarios: scenarios',
    'output: generated',
    `python: ${PYTHON}`,
    'database_url: "sqlite+pysqlite:///:memory:"',
    'generator: builtin',
    'verify: run',
    '',
  ].join('\n'),
);
writeFileSync(join(dir, 'scenarios', 'other.yaml'), other);
let edit = 0;
const saveHot = () => writeFileSync(join(dir, 'scenarios', 'hot.yaml'), hot(++edit));
saveHot();
const OUTPUT = join(dir, 'generated', 'hot.py');
const env = { ...process.env, NO_COLOR: '1' };

// ---------------------------------------------------------------------------------------------
// Cold builds: a new process each time, after an edit, so each one really builds and writes.

const first = spawnSync(process.execPath, [CLI, 'build'], { cwd: dir, env, encoding: 'utf8' });
if (first.status !== 0) {
  console.error(`the first build failed:\n${first.stdout}${first.stderr}`);
  process.exit(1);
}
const cold = [];
for (let i = 0; i < COLD; i += 1) {
  saveHot();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'build', 'hot'], { cwd: dir, env, encoding: 'utf8' });
  cold.push(performance.now() - t0);
  if (r.status !== 0 || !/✓ built\s+hot/.test(r.stdout)) {
    console.error(`cold build ${i} did not build hot:\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------------------------
// The watcher.

const watcher = spawn(process.execPath, [CLI, 'watch', '--json'], {
  cwd: dir,
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let stderr = '';
watcher.stderr.setEncoding('utf8');
watcher.stderr.on('data', (c) => (stderr += c));
const waiting = [];
createInterface({ input: watcher.stdout }).on('line', (line) => {
  const event = JSON.parse(line);
  const at = performance.timeOrigin + performance.now();
  for (const w of [...waiting]) {
    if (w.match(event)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve({ event, at });
    }
  }
});
function next(match, ms = 60_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no event in ${ms} ms:\n${stderr}`)), ms);
    waiting.push({
      match,
      resolve: (v) => {
        clearTimeout(timer);
        resolve(v);
      },
    });
  });
}
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

await next((e) => e.event === 'ready');
const samples = [];
for (let i = 0; i < WARMUP + EDITS; i += 1) {
  await pause(GAP_MS);
  const built = next(
    (e) => e.event === 'run' && e.scenarios.some((o) => o.name === 'hot' && o.status === 'built'),
  );
  const t0 = performance.timeOrigin + performance.now();
  saveHot();
  const { event, at } = await built;
  if (i < WARMUP) continue;
  samples.push({ t0, at, mtime: statSync(OUTPUT).mtimeMs, run: event });
}
watcher.kill('SIGTERM');
const exit = await new Promise((resolve) => watcher.once('exit', (code) => resolve(code)));

// ---------------------------------------------------------------------------------------------
// Report.

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const f1 = (x) => x.toFixed(1).padStart(8);

const write = samples.map((s) => s.mtime - s.t0);
const reported = samples.map((s) => s.at - s.t0);
const coldMedian = median(cold);
console.log(
  `watch latency: ${MODELS} models in ${groups} modules; scenario \`hot\` touches 3 of them; ` +
    `${EDITS} edits after ${WARMUP} warm-up, ${GAP_MS} ms between saves; ` +
    `${cpus().length} cores, load average ${loadavg()[0].toFixed(2)}`,
);
console.log('                                     median       p95');
console.log(
  `save → verified write (output mtime) ${f1(median(write))}  ${f1(quantile(write, 0.95))} ms`,
);
console.log(
  `save → run event read                ${f1(median(reported))}  ${f1(quantile(reported, 0.95))} ms`,
);
console.log(
  `cold \`fixturegen build hot\`          ${f1(coldMedian)}  ${f1(quantile(cold, 0.95))} ms (${COLD} new processes)`,
);
const ratio = median(write) / coldMedian;
console.log(
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
console.log('\nwhere the time goes (median per edit, wall ms):');
for (const [label, fn] of rows) console.log(`  ${label.padEnd(48)} ${f1(stage(fn))}`);
const spares = samples.filter((s) => vs(s, 'spare') === 1).length;
console.log(`  (verified by a warm spare child in ${spares} of ${samples.length} edits)`);
console.log('CPU time per edit (median ms; what load does not skew):');
console.log(`  ${'watch process (Node), whole run'.padEnd(48)} ${f1(stage((s) => t(s).nodeCpu))}`);
console.log(
  `  ${'verification child, candidate in place → done'.padEnd(48)} ${f1(stage((s) => vs(s, 'goToFinishedCpuMs')))}`,
);
console.log(
  `  ${'verification child, all (spare start-up too)'.padEnd(48)} ${f1(stage((s) => vs(s, 'childCpuMs')))}`,
);

if (values.keep) console.log(`\nproject kept in ${dir}`);
else rmSync(dir, { recursive: true, force: true });
process.exitCode = exit === 0 ? 0 : 1;
