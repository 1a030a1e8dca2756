// Save → verified write of `fixturegen watch` in projects of 200 and 1,000 scenarios (builtin
// generator, verify `run`): one scenario is edited --edits times (after --warmup edits), and the
// median time from the save to its output's new mtime is reported. Target (issue 13): median
// ≤ 150 ms at 1,000 scenarios. Run `npm run build` first.
// With --profile, the median of every stage the run events report (where the time goes).
// Usage: node bench/watch-scale.mjs [--sizes 200,1000] [--edits 9] [--warmup 2] [--gap 300] [--keep]
//        [--profile] [--cpu-prof DIR (a V8 CPU profile of each watch process)]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, scenarioName, scenarioText, writeScaleProject } from './support/scale-project.mjs';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '200,1000' },
    edits: { type: 'string', default: '9' },
    warmup: { type: 'string', default: '2' },
    gap: { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});
const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'bin', 'fixturegen.js');
const PYTHON = join(REPO, '.venv', 'bin', 'python');
if (!existsSync(PYTHON) || !existsSync(join(REPO, 'dist', 'cli', 'main.js'))) {
  console.error('run `npm run setup` and `npm run build` first');
  process.exit(2);
}
const env = { ...process.env, NO_COLOR: '1' };
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(n) {
  const dir = writeScaleProject({
    scenarios: n,
    python: PYTHON,
    prefix: 'fixturegen-watch-scale-',
  });
  const first = spawnSync(process.execPath, [CLI, 'build'], {
    cwd: dir,
    env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (first.status !== 0) throw new Error(`the first build failed:\n${first.stderr}`);
  const k = 1; // a scenario without parents; s0007 extends it, and is rebuilt after the measured write
  const file = join(dir, 'scenarios', `${scenarioName(k)}.yaml`);
  const output = join(dir, 'generated', `${scenarioName(k)}.py`);
  const prof = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
  const watcher = spawn(process.execPath, [...prof, CLI, 'watch', '--json'], {
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
    for (const w of [...waiting]) {
      if (!w.match(event)) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(event);
    }
  });
  const next = (match, ms = 120_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no event in ${ms} ms:\n${stderr}`)), ms);
      waiting.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  await next((e) => e.event === 'ready');
  const samples = [];
  const compile = [];
  /** Per stage of each measured run: the run's own timings and the edited scenario's. */
  const stages = new Map();
  const add = (name, v) => {
    if (typeof v !== 'number' || Number.isNaN(v)) return;
    if (!stages.has(name)) stages.set(name, []);
    stages.get(name).push(v);
  };
  const edits = Number(values.edits);
  const warmup = Number(values.warmup);
  for (let i = 0; i < warmup + edits; i += 1) {
    await pause(Number(values.gap));
    const built = next(
      (e) =>
        e.event === 'run' &&
        e.scenarios.some((o) => o.name === scenarioName(k) && o.status === 'built'),
    );
    const t0 = performance.timeOrigin + performance.now();
    writeFileSync(file, scenarioText(k, i + 1));
    const event = await built;
    if (i < warmup) continue;
    const save = statSync(output).mtimeMs - t0;
    samples.push(save);
    compile.push(event.timings?.compile ?? NaN);
    const t = event.timings ?? {};
    // From the save to the run's start: the watcher's event and the debounce.
    add('detect (save → run start)', Date.parse(event.startedAt) - t0);
    add('run (durationMs)', event.durationMs);
    for (const key of ['waitMs', 'inputs', 'compile', 'build', 'guard', 'verify', 'nodeCpu'])
      add(`run.${key}`, t[key]);
    for (const [key, v] of Object.entries(t.verifyStages ?? {})) add(`verify.${key}`, v);
    const own = event.scenarios.find((o) => o.name === scenarioName(k));
    for (const [key, v] of Object.entries(own?.timings ?? {})) add(`scenario.${key}`, v);
  }
  watcher.kill('SIGTERM');
  await new Promise((resolve) => watcher.once('exit', resolve));
  if (values.keep) console.log(`project kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  return { n, save: median(samples), compile: median(compile), stages };
}

console.log(
  `watch at scale: save → verified write, median of ${values.edits} edits; ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)}`,
);
for (const n of values.sizes.split(',').map(Number)) {
  const r = await measure(n);
  const target = n >= 1000 ? `  target ≤150 ms: ${r.save <= 150 ? 'holds' : 'MISSED'}` : '';
  console.log(
    `${String(n).padStart(5)} scenarios: save → verified write ${r.save.toFixed(0).padStart(6)} ms (compile ${r.compile.toFixed(0)} ms)${target}`,
  );
  if (values.profile)
    for (const [name, v] of r.stages)
      console.log(`        ${name.padEnd(32)} ${median(v).toFixed(1).padStart(8)} ms`);
}
