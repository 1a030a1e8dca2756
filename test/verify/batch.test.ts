/**
 * How a batch's answer is split per scenario: which scenarios are verified again alone, and when
 * the passes of a failed batch are trusted. The helper here answers as the real one does for each
 * set of scenarios it is sent (test/verify/batch-build.test.ts runs the same through real pytest).
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import type { ParamsArg, PythonHelper } from '../../src/helper/client.js';
import type { Method, Result } from '../../src/helper/protocol.js';
import type { Plan } from '../../src/plan/types.js';
import { MIN_PART, parallelSafe, splitParts, VerifyBatcher } from '../../src/verify/batch.js';
import type { BatchItem } from '../../src/verify/batch.js';
import type { VerifyResult } from '../../src/verify/verify.js';

const config = {
  verify: 'run',
  verifyDatabaseUrl: 'sqlite+pysqlite:///:memory:',
  session_fixture: null,
  verify_timeout_s: 60,
  models: ['crm.models'],
} as unknown as Config;

function plan(name: string): Plan {
  return {
    name,
    className: name,
    description: null,
    source: `scenarios/${name}.yaml`,
    extends: [],
    inherited: [],
    entities: [],
    models: [],
    expectCounts: {},
    edgeCases: null,
    canonical: '{}',
  };
}

function item(name: string, on: Config = config): BatchItem {
  return {
    config: on,
    packageName: 'generated',
    files: { [`generated/${name}.py`]: `# ${name}\n` },
    plans: [plan(name)],
    source: `scenarios/${name}.yaml`,
    output: `generated/${name}.py`,
    names: [name],
  };
}

const SMOKE = 'test_fixturegen_smoke.py';

/**
 * Answers like the helper for the fixtures sent: `broken` fails its own smoke test, `leaky`
 * leaves rows behind (the shared isolation test fails), `unimportable` fails to import as a
 * plugin (nothing runs; the entry names its file).
 */
function scriptedHelper(sent: string[][], together: string[][][] = []): PythonHelper {
  const answer = (params: { expectations: readonly { fixture: string }[] }): VerifyResult => {
    const fixtures = params.expectations.map((e) => e.fixture);
    sent.push(fixtures);
    const result: VerifyResult = {
      ok: true,
      exitCode: 0,
      timedOut: false,
      durationMs: 10,
      output: '',
      timings: {},
      tests: [],
    };
    if (fixtures.includes('unimportable')) {
      result.ok = false;
      result.exitCode = 3;
      result.tests.push({
        nodeid: 'generated/unimportable.py',
        outcome: 'error',
        message: 'ImportError: boom',
      });
      return result;
    }
    result.tests.push({
      nodeid: `${SMOKE}::test_fixturegen_baseline`,
      outcome: 'passed',
      message: null,
    });
    for (const f of fixtures) {
      const failed = f === 'broken';
      result.tests.push({
        nodeid: `${SMOKE}::test_fixturegen_scenario[${f}]`,
        outcome: failed ? 'failed' : 'passed',
        message: failed ? `${f}: expected 3 rows, found 2` : null,
        durationMs: 2,
      });
    }
    const leaky = fixtures.includes('leaky');
    result.tests.push({
      nodeid: `${SMOKE}::test_fixturegen_isolation`,
      outcome: leaky ? 'failed' : 'passed',
      message: leaky ? 'rows left behind' : null,
    });
    result.ok = result.tests.every((t) => t.outcome === 'passed');
    result.exitCode = result.ok ? 0 : 1;
    return result;
  };
  type Expecting = { expectations: readonly { fixture: string }[] };
  return {
    pid: undefined,
    close: () => Promise.resolve(),
    request: <M extends Method>(method: M, ...args: ParamsArg<M>): Promise<Result<M>> => {
      if (method === 'verify')
        return Promise.resolve(answer(args[0] as unknown as Expecting) as Result<M>);
      if (method !== 'verifyEach') throw new Error(`unexpected ${method}`);
      const { requests } = args[0] as unknown as { requests: readonly Expecting[] };
      together.push(requests.map((r) => r.expectations.map((e) => e.fixture)));
      return Promise.resolve({ results: requests.map(answer) } as Result<M>);
    },
  };
}

async function verifyAll(names: string[], options: { lanes?: number; on?: Config } = {}) {
  const sent: string[][] = [];
  const together: string[][][] = [];
  const batcher = new VerifyBatcher(scriptedHelper(sent, together), {
    initPath: 'generated/__init__.py',
    init: (n) => `# ${n.join(',')}\n`,
    ...(options.lanes === undefined ? {} : { lanes: options.lanes }),
  });
  const outcomes = await Promise.all(names.map((n) => batcher.verify(item(n, options.on))));
  return {
    sent,
    together,
    stats: batcher.stats,
    byName: new Map(names.map((n, i) => [n, outcomes[i]!])),
  };
}

const many = (n: number, odd: Record<number, string> = {}) =>
  Array.from({ length: n }, (_, k) => odd[k] ?? `s${String(k).padStart(3, '0')}`);

describe('verify batches', () => {
  it('sends the scenarios ready together in one request, and a pass passes them all', async () => {
    const { sent, byName } = await verifyAll(['a', 'b', 'c']);
    expect(sent).toEqual([['a', 'b', 'c']]);
    for (const o of byName.values()) {
      expect(o.diagnostics).toEqual([]);
      expect(o.timing.batch).toBe(3);
    }
  });

  it('verifies a scenario whose own test failed again alone; the others pass with the batch', async () => {
    const { sent, byName } = await verifyAll(['a', 'broken', 'c']);
    expect(sent).toEqual([['a', 'broken', 'c'], ['broken']]);
    expect(byName.get('a')!.diagnostics).toEqual([]);
    expect(byName.get('c')!.diagnostics).toEqual([]);
    expect(byName.get('broken')!.diagnostics).toEqual([
      expect.objectContaining({ code: 'FG411', file: 'scenarios/broken.yaml' }),
    ]);
    expect(byName.get('broken')!.diagnostics[0]!.message).toContain('expected 3 rows, found 2');
    expect(byName.get('broken')!.timing.batch).toBe(1);
  });

  it('trusts no pass of a batch whose isolation test failed: each scenario is verified alone', async () => {
    const { sent, byName } = await verifyAll(['a', 'leaky', 'c']);
    expect(sent[0]).toEqual(['a', 'leaky', 'c']);
    expect(sent.slice(1).sort()).toEqual([['a'], ['c'], ['leaky']]);
    expect(byName.get('a')!.diagnostics).toEqual([]);
    expect(byName.get('c')!.diagnostics).toEqual([]);
    expect(byName.get('leaky')!.diagnostics).toEqual([expect.objectContaining({ code: 'FG411' })]);
    expect(byName.get('leaky')!.diagnostics[0]!.message).toContain('rows left behind');
  });

  it('isolates a module that does not import, then verifies the rest as a batch again', async () => {
    const { sent, byName } = await verifyAll(['a', 'unimportable', 'broken', 'c']);
    expect(sent[0]).toEqual(['a', 'unimportable', 'broken', 'c']);
    expect(sent.slice(1)).toContainEqual(['unimportable']);
    expect(sent.slice(1)).toContainEqual(['a', 'broken', 'c']);
    expect(sent.slice(1)).toContainEqual(['broken']);
    expect(sent).toHaveLength(4);
    expect(byName.get('unimportable')!.diagnostics).toEqual([
      expect.objectContaining({ file: 'scenarios/unimportable.yaml' }),
    ]);
    expect(byName.get('unimportable')!.diagnostics[0]!.message).toContain('ImportError: boom');
    expect(byName.get('broken')!.diagnostics).toHaveLength(1);
    expect(byName.get('a')!.diagnostics).toEqual([]);
    expect(byName.get('c')!.diagnostics).toEqual([]);
  });

  it('never puts two scenarios whose files disagree in one batch', async () => {
    const sent: string[][] = [];
    const batcher = new VerifyBatcher(scriptedHelper(sent), {
      initPath: 'generated/__init__.py',
      init: () => '',
    });
    const a = item('a');
    const b = { ...item('b'), files: { ...item('b').files, 'generated/a.py': '# another a\n' } };
    await Promise.all([batcher.verify(a), batcher.verify(b)]);
    expect(sent).toEqual([['a'], ['b']]);
  });

  it('splits a large batch in two halves verified side by side, each read as a batch of its own', async () => {
    const names = many(50, { 7: 'broken', 30: 'leaky' });
    const { sent, together, byName, stats } = await verifyAll(names, { lanes: 2 });
    // One verifyEach request with both halves, in queue order; then what each half sends again.
    expect(together).toEqual([[names.slice(0, 25), names.slice(25)]]);
    expect(sent.slice(0, 2)).toEqual([names.slice(0, 25), names.slice(25)]);
    expect(stats.parallel).toBe(2);
    // The first half's failure is verified alone, its passes accepted with the half; the second
    // half's isolation test failed: each of its scenarios is verified alone.
    expect(sent.slice(2)).toContainEqual(['broken']);
    for (const n of names.slice(25)) expect(sent.slice(2)).toContainEqual([n]);
    expect(sent).toHaveLength(2 + 1 + 25);
    for (const n of names) {
      const o = byName.get(n)!;
      const failing = n === 'broken' || n === 'leaky';
      expect(o.diagnostics.length, n).toBe(failing ? 1 : 0);
      expect(o.timing.batch, n).toBe(failing || names.indexOf(n) >= 25 ? 1 : 25);
    }
    // The same diagnostics as when verified alone (a batch of one).
    const alone = await verifyAll(['broken']);
    expect(byName.get('broken')!.diagnostics).toEqual(alone.byName.get('broken')!.diagnostics);
  });

  it('keeps a batch whole when its halves would be small, on one core, or on a shared database', async () => {
    expect((await verifyAll(many(39), { lanes: 2 })).together).toEqual([]);
    expect((await verifyAll(many(50), { lanes: 1 })).together).toEqual([]);
    const postgres = {
      ...config,
      verifyDatabaseUrl: 'postgresql+psycopg://localhost/test',
    } as unknown as Config;
    const shared = await verifyAll(many(50), { lanes: 2, on: postgres });
    expect(shared.together).toEqual([]);
    expect(shared.sent).toEqual([many(50)]);
  });
});

describe('parallelSafe and splitParts', () => {
  it('allows side by side only on a database each process has its own of', () => {
    for (const url of [
      '',
      'sqlite://',
      'sqlite+pysqlite:///:memory:',
      'sqlite+aiosqlite:///:memory:',
      'sqlite:///file:mem1?mode=memory&uri=true',
    ])
      expect(parallelSafe(url), url).toBe(true);
    for (const url of [
      'sqlite:///fixtures.db',
      'sqlite+pysqlite:////tmp/x.db',
      'postgresql+psycopg://localhost/test',
      'mysql://localhost/test',
    ])
      expect(parallelSafe(url), url).toBe(false);
  });

  it('splits into even contiguous parts of at least MIN_PART, always the same way', () => {
    const xs = Array.from({ length: 2 * MIN_PART + 1 }, (_, k) => k);
    expect(splitParts(xs, 2)).toEqual([xs.slice(0, MIN_PART + 1), xs.slice(MIN_PART + 1)]);
    expect(splitParts(xs.slice(0, 2 * MIN_PART - 1), 2)).toEqual([xs.slice(0, 2 * MIN_PART - 1)]);
    expect(splitParts(xs, 1)).toEqual([xs]);
    expect(splitParts(xs, 4)).toHaveLength(2);
  });
});
