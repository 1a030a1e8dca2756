// Save → verified write of `fixturegen watch` in two checkouts side by side (before and after a
// change): one N-scenario project each (scale-project.mjs), built by its own checkout and watched
// by its own `watch --json`; scenario s0001 is saved EDITS times in each (after 2 warm-up saves,
// 300 ms apart), alternating between the two (the order flips every round), so load on the shared
// machine hits both alike. Prints per checkout the median from the save to s0001's output's new
// mtime, every sample, the medians of s0001's own timings, of the run's compile and Node CPU and
// of its verification children's CPU, and the load average over the run. Both checkouts need
// `npm run build` (and a .venv).
// Usage: node bench/watch-ab.mjs OLD_CHECKOUT NEW_CHECKOUT [N=1000] [EDITS=9]
import { spawnSync } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { scenarioName, scenarioText, writeScaleProject } from './support/scale-project.mjs';
import { builtRun, pause, startWatcher } from './support/watcher.mjs';

const [A, B] = process.argv.slice(2, 4).map((d) => resolve(d));
if (!A || !B)
  throw new Error('usage: node bench/watch-ab.mjs OLD_CHECKOUT NEW_CHECKOUT [N] [EDITS]');
const N = Number(process.argv[4] ?? 1000);
const EDITS = Number(process.argv[5] ?? 9);
const WARMUP = 2;
const K = 1; // s0001: no parents; s0007 extends it
const env = { ...process.env, NO_COLOR: '1' };
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const sides = [];
try {
  for (const co of [A, B]) {
    const dir = writeScaleProject({
      scenarios: N,
      python: join(co, '.venv/bin/python'),
      prefix: 'fixturegen-watch-ab-',
    });
    sides.push({ co, dir, samples: [], stages: new Map() });
    const built = spawnSync(process.execPath, [join(co, 'bin/fixturegen.js'), 'build'], {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    if (built.status !== 0)
      throw new Error(`build in ${co} failed:\n${built.stdout}${built.stderr}`);
  }
  for (const s of sides) {
    s.watcher = startWatcher({ cli: join(s.co, 'bin/fixturegen.js'), dir: s.dir, env });
    await s.watcher.next((e) => e.event === 'ready');
  }
  const loads = [loadavg()[0]];
  const add = (s, name, v) => {
    if (typeof v !== 'number') return;
    if (!s.stages.has(name)) s.stages.set(name, []);
    s.stages.get(name).push(v);
  };
  for (let i = 0; i < WARMUP + EDITS; i += 1) {
    for (const s of i % 2 ? sides : [...sides].reverse()) {
      await pause(300);
      const built = s.watcher.next(builtRun(scenarioName(K)));
      const t0 = performance.timeOrigin + performance.now();
      writeFileSync(join(s.dir, 'scenarios', `${scenarioName(K)}.yaml`), scenarioText(K, i + 1));
      const { event } = await built;
      if (i < WARMUP) continue;
      s.samples.push(statSync(join(s.dir, 'generated', `${scenarioName(K)}.py`)).mtimeMs - t0);
      const own = event.scenarios.find((o) => o.name === scenarioName(K));
      for (const [k, v] of Object.entries(own?.timings ?? {})) add(s, `${scenarioName(K)}.${k}`, v);
      add(s, 'detect (save → run start)', Date.parse(event.startedAt) - t0);
      for (const k of ['compile', 'nodeCpu']) add(s, `run.${k}`, event.timings?.[k]);
      // CPU of the run's verification children (s0001's and its extender's, summed): what load
      // skews least, so the figure to compare a change of the children's work by.
      for (const k of ['goToFinishedCpuMs', 'childCpuMs'])
        add(s, `run.verify.${k}`, event.timings?.verifyStages?.[k]);
    }
    loads.push(loadavg()[0]);
  }
  console.log(
    `watch, ${N} scenarios, ${EDITS} saves each, alternating; load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
  );
  for (const s of sides) {
    console.log(
      `${s.co}: median ${median(s.samples).toFixed(0)} ms (${s.samples.map((x) => x.toFixed(0)).join(', ')})`,
    );
    for (const [k, v] of s.stages)
      console.log(`    ${k.padEnd(28)} ${median(v).toFixed(1).padStart(8)}`);
  }
} finally {
  for (const s of sides) {
    await s.watcher?.stop();
    rmSync(s.dir, { recursive: true, force: true });
  }
}
