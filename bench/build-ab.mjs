// `build --force` of an N-scenario project (scale-project.mjs) in two checkouts side by side
// (before and after a change), each next to its floor (one pytest process requesting every
// scenario's fixture, as in build-scale.mjs): one project per checkout, built once by it, then
// ROUNDS rounds, each running both checkouts' build and floor, the order flipping every round,
// so load on the shared machine hits both alike. Prints per checkout the medians of the build
// and of the floor, their ratio (and the median of the per-round ratios), every sample, the
// medians of `build --json`'s timings, and the load average over the run. Both checkouts need
// `npm run build` (and a .venv).
// Usage: node bench/build-ab.mjs OLD_CHECKOUT NEW_CHECKOUT [N=200] [ROUNDS=5]
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { median, timed } from './support/common.mjs';
import { writeFloorTests, writeScaleProject } from './support/scale-project.mjs';

const [A, B] = process.argv.slice(2, 4).map((d) => resolve(d));
if (!A || !B)
  throw new Error('usage: node bench/build-ab.mjs OLD_CHECKOUT NEW_CHECKOUT [N] [ROUNDS]');
const N = Number(process.argv[4] ?? 200);
const ROUNDS = Number(process.argv[5] ?? 5);
const env = { ...process.env, NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1' };

const sides = [];
try {
  for (const co of [A, B]) {
    const python = join(co, '.venv/bin/python');
    const dir = writeScaleProject({ scenarios: N, python, prefix: 'fixturegen-build-ab-' });
    const side = { co, dir, python, cli: join(co, 'bin/fixturegen.js'), build: [], floor: [] };
    side.timings = [];
    sides.push(side);
    const first = timed(process.execPath, [side.cli, 'build', '--json'], { cwd: dir, env });
    if (first.status !== 0) throw new Error(`build in ${co} failed:\n${first.stderr}`);
    writeFloorTests(dir, N);
  }
  const loads = [loadavg()[0]];
  for (let i = 0; i < ROUNDS; i += 1) {
    for (const s of i % 2 ? [...sides].reverse() : sides) {
      const b = timed(process.execPath, [s.cli, 'build', '--force', '--json'], {
        cwd: s.dir,
        env,
      });
      if (b.status !== 0) throw new Error(`build in ${s.co} exited ${b.status}:\n${b.stderr}`);
      s.build.push(b.ms);
      s.timings.push(JSON.parse(b.stdout).timings);
      const f = timed(s.python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'test_floor.py'], {
        cwd: s.dir,
        env,
      });
      if (f.status !== 0) throw new Error(`floor in ${s.co} exited ${f.status}:\n${f.stdout}`);
      s.floor.push(f.ms);
    }
    loads.push(loadavg()[0]);
  }
  console.log(
    `build --force, ${N} scenarios, ${ROUNDS} rounds; load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
  );
  for (const s of sides) {
    const ratios = s.build.map((ms, k) => ms / s.floor[k]);
    console.log(
      `${s.co}\n  build ${median(s.build).toFixed(0)} ms, floor ${median(s.floor).toFixed(0)} ms: ` +
        `${(median(s.build) / median(s.floor)).toFixed(2)}× (median of the rounds' ratios ${median(ratios).toFixed(2)}×)`,
    );
    console.log(`  build ms: ${s.build.map((x) => x.toFixed(0)).join(' ')}`);
    console.log(`  floor ms: ${s.floor.map((x) => x.toFixed(0)).join(' ')}`);
    const keys = Object.keys(s.timings[0] ?? {});
    console.log(
      `  timings: ${keys.map((k) => `${k} ${median(s.timings.map((t) => t[k]))}`).join(', ')}`,
    );
  }
} finally {
  for (const s of sides) rmSync(s.dir, { recursive: true, force: true });
}
