import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ParamsArg, PythonHelper } from '../../src/helper/client.js';
import type { Method, Result } from '../../src/helper/protocol.js';
import type { Config } from '../../src/config/schema.js';
import { verifyCandidate, type VerifyResult } from '../../src/verify/verify.js';

/**
 * How the helper's verify answer becomes diagnostics. The answers are the helper's own (their
 * shapes come from python/tests/test_confine_processes.py, which runs the hostile candidates for
 * real); here only the mapping is under test.
 */
const config = {
  verify: 'run',
  verifyDatabaseUrl: 'sqlite+pysqlite:///:memory:',
  session_fixture: null,
  verify_timeout_s: 60,
  models: ['crm.models'],
} as unknown as Config;

function helperAnswering(result: VerifyResult): PythonHelper {
  return {
    request: <M extends Method>(method: M, ..._params: ParamsArg<M>): Promise<Result<M>> => {
      if (method !== 'verify') throw new Error(`unexpected ${method}`);
      return Promise.resolve(result as Result<M>);
    },
    close: () => Promise.resolve(),
    pid: undefined,
  };
}

const base: VerifyResult = {
  ok: true,
  exitCode: 0,
  timedOut: false,
  durationMs: 1,
  tests: [],
  output: '',
  timings: {},
};

async function verify(result: VerifyResult) {
  return verifyCandidate(helperAnswering(result), {
    config,
    packageName: 'generated',
    files: {},
    plans: [],
    source: 'scenarios/x.yaml',
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('verify results', () => {
  it('a pass pytest reported but the smoke test did not confirm is FG499', async () => {
    const message =
      "pytest reported passed, but fixturegen's smoke test did not confirm it: the test did not run to its end";
    const diagnostics = await verify({
      ...base,
      ok: false,
      tests: [
        {
          nodeid: 'test_fixturegen_smoke.py::test_fixturegen_baseline',
          outcome: 'passed',
          message: null,
        },
        {
          nodeid: 'test_fixturegen_smoke.py::test_fixturegen_scenario[x]',
          outcome: 'unconfirmed',
          message,
        },
      ],
    });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: 'FG499',
      severity: 'error',
      file: 'scenarios/x.yaml',
      line: 1,
      column: 1,
    });
    expect(diagnostics[0]!.message).toBe(
      `smoke test not confirmed: test_fixturegen_scenario[x]: ${message}`,
    );
    expect(diagnostics[0]!.hint).toMatch(/must not define pytest hooks/);
  });

  it('each failed check of one smoke test is a diagnostic of its own: the factory call is FG415', async () => {
    const nodeid = 'test_fixturegen_smoke.py::test_fixturegen_scenario[x__solo]';
    const diagnostics = await verify({
      ...base,
      ok: false,
      exitCode: 1,
      tests: [
        {
          nodeid,
          outcome: 'failed',
          message: 'fixture x__solo did not create what its scenario says:',
        },
        { nodeid, outcome: 'failed', message: 'make_x("solo") did not …', check: 'call' },
      ],
    });
    expect(diagnostics.map((d) => [d.code, d.message, d.file, d.line, d.column])).toEqual([
      [
        'FG411',
        'smoke test failed: test_fixturegen_scenario[x__solo]: fixture x__solo did not create what its scenario says:',
        'scenarios/x.yaml',
        1,
        1,
      ],
      [
        'FG415',
        'the scenario\'s factory failed: test_fixturegen_scenario[x__solo] (factory call): make_x("solo") did not …',
        'scenarios/x.yaml',
        1,
        1,
      ],
    ]);
  });

  it('says once what the machine could not confine, and the verification still counts', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const warning = 'verification is not fully confined on this machine: missing Landlock (test)';
    expect(await verify({ ...base, warning })).toEqual([]);
    expect(await verify({ ...base, warning })).toEqual([]);
    expect(written.join('')).toBe(
      `warning FG699: ${warning}\n  hint: verification still runs; candidate code is confined only as far as this machine allows\n`,
    );
  });
});
