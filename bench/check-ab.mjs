// `check` of N current files with the state the previous check left (the build row "check, N
// current files, with state"), in two checkouts side by side (before and after a change): one
// N-scenario project each (scale-project.mjs), built and checked once by its own checkout; then
// ROUNDS rounds, each running both checks and, after each, the floor (Python importing the models
// and configuring the mappers, with the new checkout's .venv), the order flipping every round, so
// load on the shared machine hits both alike. Prints per checkout the median check, the median
// floor run next to it, their ratio and the median of the per-round ratios, and the load average,
// with the median start of a bare `node -e 0` (part of every check, not of the floor: Node parses
// the file NODE_EXTRA_CA_CERTS names at every start, about 100 ms on this machine).
// Both checkouts need `npm run build` (and a .venv). Not in the table (bench/run.mjs).
// Usage: node bench/check-ab.mjs OLD_CHECKOUT NEW_CHECKOUT [N=200] [ROUNDS=11]
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { median, timed } from './support/common.mjs';
import { writeScaleProject } from './support/scale-project.mjs';

const [A, B] = process.argv.slice(2, 4).map((d) => resolve(d));
if (!A || !B)
  throw new Error('usage: node bench/check-ab.mjs OLD_CHECKOUT NEW_CHECKOUT [N] [ROUNDS]');
const N = Number(process.argv[4] ?? 200);
const ROUNDS = Number(process.argv[5] ?? 11);
const PYTHON = join(B, '.venv/bin/python');
const IMPORT =
  'import scaleapp.models\nfrom sqlalchemy.orm import configure_mappers\nconfigure_mappers()\n';
const env = { ...process.env, NO_COLOR: '1', PYTHONDONTWRITEBYTECODE: '1' };

const sides = [];
const bare = [];
try {
  for (const [name, co] of [
    ['old', A],
    ['new', B],
  ]) {
    const dir = writeScaleProject({ scenarios: N, python: PYTHON, prefix: 'fixturegen-check-ab-' });
    const side = { name, co, dir, check: [], floor: [] };
    sides.push(side);
    for (const args of [['build'], ['check'], ['check']]) {
      const r = spawnSync(process.execPath, [join(co, 'bin/fixturegen.js'), ...args], {
        cwd: dir,
        env,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`${args[0]} in ${co} failed:\n${r.stdout}${r.stderr}`);
    }
  }
  const loads = [loadavg()[0]];
  for (let i = 0; i < ROUNDS; i += 1) {
    for (const s of i % 2 ? sides : [...sides].reverse()) {
      const c = timed(process.execPath, [join(s.co, 'bin/fixturegen.js'), 'check'], {
        cwd: s.dir,
        env,
      });
      if (c.status !== 0) throw new Error(`check in ${s.co} exited ${c.status}: ${c.stderr}`);
      s.check.push(c.ms);
      const f = timed(PYTHON, ['-c', IMPORT], { cwd: s.dir, env });
      if (f.status !== 0) throw new Error(`the floor exited ${f.status}: ${f.stderr}`);
      s.floor.push(f.ms);
    }
    bare.push(timed(process.execPath, ['-e', '0'], { env }).ms);
  }
  loads.push(loadavg()[0]);
  console.log(
    `check, ${N} current files, with state: ${ROUNDS} rounds; load average ${loads.map((l) => l.toFixed(1)).join(' → ')}`,
  );
  console.log(
    `node -e 0: ${median(bare).toFixed(0)} ms (NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'not set'})`,
  );
  for (const s of sides) {
    const ratios = s.check.map((c, k) => c / s.floor[k]);
    console.log(
      `${s.name} ${s.co}: check ${median(s.check).toFixed(0)} ms, floor ${median(s.floor).toFixed(0)} ms, ` +
        `ratio ${(median(s.check) / median(s.floor)).toFixed(2)}× (median of per-round ratios ${median(ratios).toFixed(2)}×)`,
    );
  }
  const [o, n] = sides;
  console.log(`new / old check: ${(median(n.check) / median(o.check)).toFixed(3)}`);
} finally {
  for (const s of sides) rmSync(s.dir, { recursive: true, force: true });
}
