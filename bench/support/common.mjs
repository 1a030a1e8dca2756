// What every benchmark shares: its command-line options (`--json`, `--quick`, `--checkout`), the
// checkout it measures, statistics, timed child processes, and the rows it reports (see table.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** This checkout (the one bench/ lives in). */
export const BENCH_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Parses the bench's options plus the common ones:
 *   --json            rows as one JSON object on stdout, everything else on stderr (run.mjs);
 *   --quick           fewer repetitions (each bench picks its own `quick` defaults);
 *   --checkout DIR    measure another checkout's bin/, dist/ and .venv (default: this one), e.g.
 *                     a branch's worktree; also FIXTUREGEN_BENCH_CHECKOUT.
 * `options` are parseArgs options; `quick` overrides defaults of string options under --quick.
 */
export function benchArgs(options, quick = {}) {
  const all = {
    ...options,
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    checkout: { type: 'string' },
  };
  // Parsed without defaults, so that an option given explicitly wins over its quick default.
  const bare = Object.fromEntries(
    Object.entries(all).map(([k, { default: _default, ...o }]) => [k, o]),
  );
  const { values } = parseArgs({ options: bare });
  for (const [k, o] of Object.entries(all)) {
    if (values[k] !== undefined) continue;
    if (values.quick && k in quick) values[k] = quick[k];
    else if (o.default !== undefined) values[k] = o.default;
  }
  return values;
}

/** The checkout measured: its root, CLI, Python and whether it is built. */
export function checkoutOf(values) {
  const root = resolve(values.checkout ?? process.env.FIXTUREGEN_BENCH_CHECKOUT ?? BENCH_ROOT);
  return {
    root,
    cli: join(root, 'bin', 'fixturegen.js'),
    python: join(root, '.venv', 'bin', 'python'),
    dist: join(root, 'dist'),
  };
}

/** Exits with a clear message when the checkout has no .venv or no dist/. */
export function requireBuilt(checkout, log = console.error) {
  if (!existsSync(checkout.python)) {
    log(`no .venv in ${checkout.root}: run \`npm run setup\` there first`);
    process.exit(2);
  }
  if (!existsSync(join(checkout.dist, 'cli', 'main.js'))) {
    log(`no dist/ in ${checkout.root}: run \`npm run build\` there first`);
    process.exit(2);
  }
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};

/** spawnSync with its wall time in `ms`. */
export function timed(cmd, args, options = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  return { ...r, ms: performance.now() - t0 };
}

/**
 * A bench's report. `log` prints human-readable lines (stdout, or stderr under --json so that
 * stdout holds only the rows). `row(...)` declares a row before it is measured and returns it,
 * to be filled with `fixturegen` and `baseline` medians; `emit()` prints the rows as JSON under
 * --json. `fail(reason)` marks every row not yet measured as failed (e.g. a checkout without the
 * feature the bench measures), so the table still shows what was asked for.
 */
export function report(group, values) {
  const rows = [];
  const log = values.json ? (...a) => console.error(...a) : (...a) => console.log(...a);
  return {
    log,
    rows,
    row({ measure, baselineLabel = null, target = null, unit = 'ms', note }) {
      const r = { group, measure, unit, fixturegen: null, baselineLabel, baseline: null, target };
      if (note) r.note = note;
      rows.push(r);
      return r;
    },
    fail(reason) {
      for (const r of rows) if (r.fixturegen === null && !r.error) r.error = reason;
    },
    emit() {
      if (values.json) process.stdout.write(`${JSON.stringify({ group, rows })}\n`);
    },
  };
}
