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
import { VerifyBatcher } from '../../src/verify/batch.js';
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

function item(name: string): BatchItem {
  return {
    config,
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
function scriptedHelper(sent: string[][]): PythonHelper {
  return {
    pid: undefined,
    close: () => Promise.resolve(),
    request: <M extends Method>(method: M, ...args: ParamsArg<M>): Promise<Result<M>> => {
      if (method !== 'verify') throw new Error(`unexpected ${method}`);
      const params = args[0] as unknown as { expectations: readonly { fixture: string }[] };
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
        return Promise.resolve(result as Result<M>);
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
      return Promise.resolve(result as Result<M>);
    },
  };
}

async function verifyAll(names: string[]) {
  const sent: string[][] = [];
  const batcher = new VerifyBatcher(scriptedHelper(sent), {
    initPath: 'generated/__init__.py',
    init: (n) => `# ${n.join(',')}\n`,
  });
  const outcomes = await Promise.all(names.map((n) => batcher.verify(item(n))));
  return { sent, byName: new Map(names.map((n, i) => [n, outcomes[i]!])) };
}

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
});
