// Wall time of N completions at concurrency C against the scripted server with a fixed latency L,
// as a ratio to the ideal ceil(N/C) × L. Plain JS importing the built client: run `npm run build`
// first, then `node bench/llm-concurrency.mjs [--n 12] [--latency 200] [--c 1,2,4] [--batches 5]`
// (wall: the median of the batches), and the common --quick, --json, --checkout (support/common.mjs).
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

import { benchArgs, checkoutOf, median, report } from './support/common.mjs';

const values = benchArgs(
  {
    n: { type: 'string', default: '12' },
    latency: { type: 'string', default: '200' },
    c: { type: 'string', default: '1,2,4' },
    batches: { type: 'string', default: '5' },
  },
  { batches: '3' },
);
const BATCHES = Number(values.batches);
const checkout = checkoutOf(values);
const out = report('llm', values);
const N = Number(values.n);
const L = Number(values.latency);
const levels = values.c.split(',').map(Number);

let client, limiter;
try {
  const dist = (p) => pathToFileURL(join(checkout.dist, p)).href;
  client = await import(dist('generate/llm/client/create.js'));
  limiter = await import(dist('generate/llm/limiter.js'));
} catch (err) {
  out.log(`cannot load dist/generate/llm (run \`npm run build\` first): ${err.message}`);
  process.exit(2);
}

const MODULE = [
  'import pytest',
  '',
  '',
  '@pytest.fixture',
  'def scenario(session):',
  '    return []',
  '',
].join('\n');
const messages = [
  { role: 'system', content: 'You write pytest fixtures for SQLAlchemy models.' },
  { role: 'user', content: 'Scenario: two users with one order each.' },
];

/** The scripted server on its own thread; `stats()` asks it for its counters. */
async function startServerThread(options) {
  const worker = new Worker(new URL('./support/server-thread.mjs', import.meta.url), {
    workerData: options,
  });
  const [ready] = await once(worker, 'message');
  return {
    url: ready.url,
    async stats() {
      worker.postMessage('stats');
      const [stats] = await once(worker, 'message');
      return stats;
    },
    async close() {
      worker.postMessage('close');
      await once(worker, 'exit');
    },
  };
}

const rows = [];
for (const C of levels) {
  const server = await startServerThread({ fallback: { content: MODULE, latencyMs: L } });
  try {
    const config = {
      base_url: server.url,
      model: 'test-model',
      api_key_env: 'FIXTUREGEN_API_KEY',
      temperature: 0.7,
      top_p: 0.8,
      top_k: 20,
      repetition_penalty: 1.05,
      max_tokens: 8192,
      concurrency: C,
      timeout_s: 30,
      max_repairs: 2,
      extra_body: {},
    };
    const llm = client.createLlmClient(config, {}, { retry: { maxRetries: 0 } });
    // One warm-up request: module loading and the first connection are not what is measured.
    await llm.complete(messages);
    const warm = (await server.stats()).requests;
    const limit = limiter.createLimiter(C);
    const walls = [];
    for (let b = 0; b < BATCHES; b += 1) {
      const started = performance.now();
      const done = await Promise.all(
        Array.from({ length: N }, () => limit.run(() => llm.complete(messages))),
      );
      walls.push(performance.now() - started);
      if (done.some((d) => d.text !== MODULE)) throw new Error('unexpected answer');
    }
    const wall = median(walls);
    const rounds = Math.ceil(N / C);
    const ideal = rounds * L;
    const stats = await server.stats();
    rows.push({
      C,
      requests: (stats.requests - warm) / BATCHES,
      maxInFlight: stats.maxInFlight,
      wall,
      ideal,
      ratio: wall / ideal,
      perRound: (wall - ideal) / rounds,
    });
  } finally {
    await server.close();
  }
}

out.log(
  `llm concurrency: N=${N} completions, server latency L=${L} ms; wall: median of ${BATCHES} batches`,
);
out.log('   C  requests  max in flight   wall ms  ideal ms   ratio  overhead/round ms  within 10%');
for (const r of rows) {
  out.log(
    [
      String(r.C).padStart(4),
      String(r.requests).padStart(9),
      String(r.maxInFlight).padStart(14),
      r.wall.toFixed(0).padStart(9),
      String(r.ideal).padStart(9),
      r.ratio.toFixed(3).padStart(7),
      r.perRound.toFixed(1).padStart(18),
      (r.ratio <= 1.1 ? 'yes' : 'NO').padStart(11),
    ].join(' '),
  );
}
for (const r of rows)
  Object.assign(
    out.row({
      measure: `LLM client, ${N} completions at concurrency ${r.C}`,
      baselineLabel: `ideal: ceil(N/C) × ${L} ms`,
      target: { kind: 'ratio', max: 1.1 },
      note: `the scripted server answers each completion after ${L} ms; median of ${BATCHES} batches per level`,
    }),
    { fixturegen: r.wall, baseline: r.ideal, runs: BATCHES },
  );
out.emit();
