// Save → verified write of `fixturegen watch` in projects of 200 and 1,000 scenarios (builtin
// generator, verify `run`), side by side: both projects are built, both watchers run, and the
// saves alternate between them (one scenario edited --edits times in each, after --warmup edits),
// so load on the machine hits both alike. Reported: the median time from a save to its output's
// new mtime. Target (issue 13): median ≤ 150 ms at 1,000 scenarios. Run `npm run build` first.
// With --profile, the median of every stage the run events report (where the time goes).
// Usage: node bench/watch-scale.mjs [--sizes 200,1000] [--edits 9] [--warmup 2] [--gap 300]
//        [--keep] [--quick] [--json] [--checkout DIR] [--profile]
//        [--cpu-prof DIR (a V8 CPU profile of each watch process)]
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchArgs, checkoutOf, median, report, requireBuilt, timed } from './support/common.mjs';
import { scenarioName, scenarioText, writeScaleProject } from './support/scale-project.mjs';
import { builtRun, pause, startWatcher } from './support/watcher.mjs';

const values = benchArgs(
  {
    sizes: { type: 'string', default: '200,1000' },
    edits: { type: 'string', default: '9' },
    warmup: { type: 'string', default: '2' },
    gap: { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
  { edits: '5', warmup: '1' },
);
const checkout = checkoutOf(values);
const out = report('watch', values);
requireBuilt(checkout, out.log);
const env = { ...process.env, NO_COLOR: '1' };
const sizes = values.sizes.split(',').map(Number);
const EDITS = Number(values.edits);
const WARMUP = Number(values.warmup);
const n1 = (n) => n.toLocaleString('en-US');

// Rows: the largest size against the smallest (does a save's cost grow with the project?).
const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
const note = `median save → output's new mtime over ${EDITS} edits of one scenario per project (after ${WARMUP}); both projects are watched at once and the saves alternate between them`;
const rowOf = new Map();
rowOf.set(
  large,
  out.row({
    measure: `watch, ${n1(large)} scenarios: save → verified write`,
    baselineLabel: small === large ? null : `same, ${n1(small)} scenarios`,
    target: large >= 1000 ? { kind: 'value', max: 150 } : null,
    note,
  }),
);
if (small !== large)
  rowOf.set(
    small,
    out.row({ measure: `watch, ${n1(small)} scenarios: save → verified write`, note }),
  );

const K = 1; // a scenario without parents (see scale-project.mjs)

/** --profile: per stage of each measured run, the run's own timings and the edited scenario's. */
function addStages(stages, event, t0) {
  const add = (name, v) => {
    if (typeof v !== 'number' || Number.isNaN(v)) return;
    if (!stages.has(name)) stages.set(name, []);
    stages.get(name).push(v);
  };
  const t = event.timings ?? {};
  // From the save to the run's start: the watcher's event and the debounce.
  add('detect (save → run start)', Date.parse(event.startedAt) - t0);
  add('run (durationMs)', event.durationMs);
  for (const key of ['waitMs', 'inputs', 'compile', 'build', 'guard', 'verify', 'nodeCpu'])
    add(`run.${key}`, t[key]);
  for (const [key, v] of Object.entries(t.verifyStages ?? {})) add(`verify.${key}`, v);
  const own = event.scenarios.find((o) => o.name === scenarioName(K));
  for (const [key, v] of Object.entries(own?.timings ?? {})) add(`scenario.${key}`, v);
}
const projects = [];
try {
  for (const n of sizes) {
    const dir = writeScaleProject({
      scenarios: n,
      python: checkout.python,
      prefix: 'fixturegen-watch-scale-',
    });
    projects.push({ n, dir, samples: [], compile: [], stages: new Map() });
    const first = timed(process.execPath, [checkout.cli, 'build'], { cwd: dir, env });
    if (first.status !== 0)
      throw new Error(
        `the first build (${n} scenarios) failed:\n${first.stdout.slice(-2000)}${first.stderr}`,
      );
  }
  for (const p of projects) {
    const nodeArgs = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
    p.watcher = startWatcher({ cli: checkout.cli, dir: p.dir, env, nodeArgs });
    await p.watcher.next((e) => e.event === 'ready');
  }
  for (let i = 0; i < WARMUP + EDITS; i += 1) {
    for (const p of projects) {
      await pause(Number(values.gap));
      const built = p.watcher.next(builtRun(scenarioName(K)));
      const t0 = performance.timeOrigin + performance.now();
      writeFileSync(join(p.dir, 'scenarios', `${scenarioName(K)}.yaml`), scenarioText(K, i + 1));
      const { event } = await built;
      if (i < WARMUP) continue;
      p.samples.push(statSync(join(p.dir, 'generated', `${scenarioName(K)}.py`)).mtimeMs - t0);
      p.compile.push(event.timings?.compile ?? NaN);
      if (values.profile) addStages(p.stages, event, t0);
    }
  }
  out.log(
    `watch at scale: save → verified write, median of ${EDITS} edits each (after ${WARMUP}), saves alternating between the projects; ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)}`,
  );
  for (const p of projects) {
    const m = median(p.samples);
    out.log(
      `${String(p.n).padStart(5)} scenarios: save → verified write ${m.toFixed(0).padStart(6)} ms (compile of all scenarios ${median(p.compile).toFixed(0)} ms)`,
    );
    if (values.profile)
      for (const [name, v] of p.stages)
        out.log(`        ${name.padEnd(32)} ${median(v).toFixed(1).padStart(8)} ms`);
    const row = rowOf.get(p.n);
    if (row) {
      row.fixturegen = m;
      row.runs = p.samples.length;
    }
  }
  const big = rowOf.get(large);
  if (small !== large) big.baseline = median(projects.find((p) => p.n === small).samples);
} catch (err) {
  out.fail(String(err.message ?? err).split('\n')[0]);
  out.log(String(err.stack ?? err));
  process.exitCode = 1;
} finally {
  for (const p of projects) {
    const code = await p.watcher?.stop();
    if (code !== undefined && code !== 0 && code !== null)
      out.log(`watcher (${p.n}) exited ${code}`);
    if (values.keep) out.log(`project kept in ${p.dir}`);
    else rmSync(p.dir, { recursive: true, force: true });
  }
}
out.emit();
