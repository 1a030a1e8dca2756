/** Where a watch run's time went, and a helper wrapper that times each request for it. */
import type { ParamsArg, PythonHelper } from '../helper/client.js';
import type { Method, Result } from '../helper/protocol.js';

/** Where a run's time went, in milliseconds. */
export interface StageTimings {
  /** From the first change event of the batch to the run's start (debounce and queueing). */
  waitMs: number;
  config: number;
  inputs: number;
  introspect: number;
  compile: number;
  /** Waiting for files read half-written to settle. */
  settle: number;
  /** The whole `build` call: generate, guard, verify, write. */
  build: number;
  /**
   * Round trips to the helper, summed over the run (a `guardVerify` request: the helper's own
   * time for the guard is counted as guard, the rest of its round trip as verify).
   */
  guard: number;
  verify: number;
  /** What the helper's verification reported of its own stages (summed over the run). */
  verifyStages: Record<string, number>;
  /** CPU time of this (Node) process during the run: unlike wall times, load does not skew it. */
  nodeCpu: number;
}

export function emptyTimings(): StageTimings {
  return {
    waitMs: 0,
    config: 0,
    inputs: 0,
    introspect: 0,
    compile: 0,
    settle: 0,
    build: 0,
    guard: 0,
    verify: 0,
    verifyStages: {},
    nodeCpu: 0,
  };
}

/** A helper whose `guard` and `verify` round trips are added to `timings`. */
export function timedHelper(helper: PythonHelper, timings: () => StageTimings): PythonHelper {
  return {
    get pid() {
      return helper.pid;
    },
    close: () => helper.close(),
    async request<M extends Method>(method: M, ...params: ParamsArg<M>): Promise<Result<M>> {
      const started = performance.now();
      const result = await helper.request(method, ...params);
      const t = timings();
      const ms = performance.now() - started;
      const add = (stages: Record<string, number>) => {
        for (const [k, v] of Object.entries(stages))
          t.verifyStages[k] = (t.verifyStages[k] ?? 0) + v;
      };
      if (method === 'guard') t.guard += ms;
      if ('timings' in result) {
        t.verify += ms;
        add(result.timings);
      }
      if ('guardMs' in result) {
        // One round trip for both: the guard is the helper's own time for it, the rest verify.
        const guarded = result.verify === null ? ms : Math.min(ms, result.guardMs);
        t.guard += guarded;
        t.verify += ms - guarded;
        if (result.verify !== null) add(result.verify.timings);
      }
      return result;
    },
  };
}

/** Rounds every figure to a tenth of a millisecond for the report. */
export function roundTimings(t: StageTimings): StageTimings {
  const r = (n: number) => Math.round(n * 10) / 10;
  const out = emptyTimings();
  for (const key of Object.keys(t) as (keyof StageTimings)[]) {
    if (key === 'verifyStages') {
      for (const [k, v] of Object.entries(t.verifyStages)) out.verifyStages[k] = r(v);
    } else out[key] = r(t[key]);
  }
  return out;
}
