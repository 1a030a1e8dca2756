/**
 * Batched verification: the candidates that are ready at the same time are verified together,
 * in one pytest child (one smoke test per scenario, one baseline and one isolation test for all),
 * instead of one child each. A batch that passes passes every scenario in it. When it fails, the
 * scenarios whose own smoke test failed (or whose module the failure blames) are verified again
 * alone, so each gets exactly the diagnostics a verification of its own gives; the others are
 * accepted only when the batch's baseline and isolation tests passed, else they are batched again
 * without the failing ones (alone once no scenario can be blamed).
 *
 * Nothing about confinement changes: a batch is one ordinary verify request, and each candidate
 * in it was guarded on its own before it was queued.
 *
 * Both cores: when the machine has two or more and the verification database is an in-memory
 * SQLite (each child has its own; two children sharing a file or a server database would see each
 * other's tables), a large batch is split in two halves verified side by side, each in its own
 * confined child (one `verifyEach` request). Each half is read exactly as a batch of its own, so
 * every scenario's diagnostics are the same as when verified alone.
 */
import { availableParallelism } from 'node:os';
import type { PythonHelper } from '../helper/client.js';
import type { Params, Result } from '../helper/protocol.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { expectationsFor } from './expectations.js';
import type { VerifyRequest, VerifyResult } from './verify.js';
import {
  requestGuardVerify,
  requestVerify,
  requestVerifyEach,
  verifyDiagnostics,
} from './verify.js';

/**
 * One scenario's verification, as it would be sent alone. `files` may leave out the plugin list
 * (`BatcherOptions.initPath`): the batcher renders it for the names of what it sends, alone or
 * in a batch.
 */
export interface BatchItem extends VerifyRequest {
  /** The scenario's generated file (relative path), named by tracebacks that blame it. */
  readonly output: string;
  /** Scenario names whose modules `files` holds (its parents and itself), for the plugin list. */
  readonly names: readonly string[];
}

/** What one scenario's verification took, without the time it waited for its batch. */
export interface VerifyTiming {
  /** Its smoke test's own time in pytest plus its share of its batch's fixed cost. */
  readonly verifyMs: number;
  /** Waiting: for the batch to be sent, and for earlier requests of the helper. */
  readonly queueMs: number;
  /** How many scenarios the batch that decided its outcome held (1: verified alone). */
  readonly batch: number;
}

export interface BatchOutcome {
  readonly diagnostics: readonly Diagnostic[];
  readonly timing: VerifyTiming;
}

export interface BatcherOptions {
  /** The plugin list file (relative path) and its contents for a set of scenario names. */
  readonly initPath: string;
  readonly init: (names: readonly string[]) => string;
  /** Most scenarios in one batch. */
  readonly maxBatch?: number;
  /**
   * Most batches verified side by side (default: 2 when `os.availableParallelism()` is 2 or more,
   * else 1); only ever more than 1 on an in-memory SQLite database.
   */
  readonly lanes?: number;
  /**
   * Every scenario announced with `expect` comes without waiting on anything but this process
   * and the helper (the builtin generator renders; no model answer is awaited): a batch waits
   * for all of them (up to its size), not only while they keep arriving within `QUIET_MS`. On
   * a loaded machine a pause longer than that is common, and a batch sent then keeps the helper
   * busy while the rest wait for their guards, to go in a batch after it.
   */
  readonly waitForAll?: boolean;
}

/** Scenarios per batch: a failing batch costs a second run of the rest, so not unbounded. */
export const MAX_BATCH = 100;

/**
 * Fewest scenarios in each part of a batch split across children: a child's fixed cost (pytest's
 * start, the tables) is repaid only by enough scenarios beside it.
 */
export const MIN_PART = 20;

/** Whether two verification children can share `url`: an in-memory SQLite, one per process. */
export function parallelSafe(url: string | null): boolean {
  const u = (url ?? '').trim();
  if (u === '') return true; // the helper's default: in-memory SQLite
  if (!/^sqlite(\+[^:]*)?:/i.test(u)) return false;
  const [path, query = ''] = u.replace(/^[^:]*:\/\/\/?/, '').split('?', 2) as [string, string?];
  return path === '' || path === ':memory:' || /(^|&)mode=memory(&|$)/.test(query);
}

/**
 * `items` in up to `lanes` contiguous parts of at least `MIN_PART` each, as even as they come
 * (one part when there are too few): the same items always split the same way.
 */
export function splitParts<T>(items: readonly T[], lanes: number): T[][] {
  const n = Math.max(1, Math.min(lanes, Math.floor(items.length / MIN_PART)));
  const parts: T[][] = [];
  let from = 0;
  for (let k = 0; k < n; k += 1) {
    const to = from + Math.ceil((items.length - from) / (n - k));
    parts.push(items.slice(from, to));
    from = to;
  }
  return parts;
}

/**
 * How long a batch waits for more scenarios announced with `expect` once none has arrived: long
 * enough for the next builtin candidate to be generated and guarded, short next to a verification.
 */
const QUIET_MS = 30;

interface Queued {
  readonly item: BatchItem;
  readonly queuedAt: number;
  readonly resolve: (outcome: BatchOutcome) => void;
  readonly reject: (err: unknown) => void;
}

const PASSED = new Set(['passed', 'collected']);

/**
 * The smoke tests of an item's scenario: its fixture's and each variant's (each also checks the
 * factory call, see python/fixturegen_helper/verify/smoke.py).
 */
function itemTests(item: BatchItem): string[] {
  return expectationsFor(item.plans[0]!).map((e) => `test_fixturegen_scenario[${e.fixture}]`);
}

function testName(nodeid: string): string {
  return nodeid.split('::').pop() ?? nodeid;
}

/**
 * Reads a failed batch: which items failed on their own, which passed, and whether the passes
 * can be trusted (the shared baseline and isolation tests passed, nothing failed that no item can
 * be blamed for, no timeout).
 */
export function splitBatch(
  result: VerifyResult,
  items: readonly BatchItem[],
): { failing: BatchItem[]; passed: BatchItem[]; rest: BatchItem[]; sound: boolean } {
  const byTest = new Map(items.flatMap((i) => itemTests(i).map((name) => [name, i] as const)));
  const byFile = new Map(items.map((i) => [i.output, i]));
  const failing = new Set<BatchItem>();
  const passed = new Set<BatchItem>();
  let blameless = false;
  let shared = 0;
  for (const t of result.tests) {
    const name = testName(t.nodeid);
    const item = byTest.get(name) ?? byFile.get(t.nodeid);
    const ok = PASSED.has(t.outcome) || t.outcome === 'skipped';
    if (item) {
      if (ok && byTest.has(name)) passed.add(item);
      else if (!ok) failing.add(item);
    } else if (name === 'test_fixturegen_baseline' || name === 'test_fixturegen_isolation') {
      if (ok) shared += 1;
      else blameless = true;
    } else if (!ok) {
      blameless = true;
    }
  }
  for (const f of failing) passed.delete(f);
  const sound = !blameless && !result.timedOut && shared === 2;
  return {
    failing: items.filter((i) => failing.has(i)),
    passed: items.filter((i) => passed.has(i)),
    rest: items.filter((i) => !failing.has(i) && !passed.has(i)),
    sound,
  };
}

/**
 * Queues verifications and sends them in batches: one batch in flight at a time (the helper
 * serves one request at a time anyway); what arrives meanwhile waits and goes in the next one.
 */
export class VerifyBatcher {
  private queue: Queued[] = [];
  private busy = false;
  private scheduled = false;
  /** Scenarios on their way to `verify` (generating, guarding): a batch waits for them. */
  private coming = 0;
  /** No announced scenario arrived for `QUIET_MS`: the next batch goes without them. */
  private impatient = false;
  private quiet: NodeJS.Timeout | undefined;
  private readonly maxBatch: number;
  private readonly lanes: number;
  /**
   * Verifications run (one pytest child each), the scenarios they held in all (a scenario
   * verified again counts again), and how many of them ran beside another.
   */
  readonly stats = { requests: 0, scenarios: 0, parallel: 0 };

  constructor(
    private readonly helper: PythonHelper,
    private readonly options: BatcherOptions,
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? MAX_BATCH);
    this.lanes = Math.max(1, options.lanes ?? (availableParallelism() >= 2 ? 2 : 1));
  }

  /** Verifies one scenario (within a batch when others are ready at the same time). */
  verify(item: BatchItem): Promise<BatchOutcome> {
    if (item.config.verify === 'none')
      return Promise.resolve({ diagnostics: [], timing: { verifyMs: 0, queueMs: 0, batch: 1 } });
    return new Promise((resolve, reject) => {
      this.queue.push({ item, queuedAt: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  /**
   * Guards a scenario's candidate and verifies it. When it would be verified alone anyway (no
   * batch in flight, nothing queued, no other scenario announced: a save in `watch`), both go in
   * one `guardVerify` request, one round trip instead of two; otherwise the guard goes now and
   * the verification through the batches. Either way the answers are the same: the guard's
   * diagnostics (then nothing was verified), else the verification's. `guardMs` is the helper's
   * own time for the guard when it went with the verification, else undefined (then the caller's
   * `guard` measured it).
   */
  async guardThenVerify(
    item: BatchItem,
    guard: {
      /** The `guard` request. */
      readonly params: Params<'guard'>;
      /** Its answer's diagnostics. */
      readonly diagnostics: (result: Result<'guard'>) => readonly Diagnostic[];
      /** The guard on its own (when the verification goes through the batches). */
      readonly separately: () => Promise<readonly Diagnostic[]>;
      /**
       * The `arrived` of the scenario's `expect`: called once it is queued, or refused by the
       * guard (a batch waiting for it may then go).
       */
      readonly arrive: () => void;
      /**
       * Called once the candidate passed its guard and is queued to be verified in a batch (not
       * when the guard and the verification go in one request).
       */
      readonly queued?: () => void;
    },
  ): Promise<
    | { readonly guarded: readonly Diagnostic[] }
    | { readonly guarded: null; readonly outcome: BatchOutcome; readonly guardMs?: number }
  > {
    const alone =
      item.config.verify !== 'none' &&
      !this.busy &&
      !this.scheduled &&
      this.queue.length === 0 &&
      this.coming <= 1;
    if (!alone) {
      const guarded = await guard.separately();
      if (guarded.length > 0) {
        guard.arrive();
        return { guarded };
      }
      const verifying = this.verify(item);
      guard.queued?.();
      guard.arrive();
      return { guarded: null, outcome: await verifying };
    }
    this.busy = true;
    // Nothing flushes while this request is in flight; what queues meanwhile goes after it.
    guard.arrive();
    try {
      const started = performance.now();
      const answer = await requestGuardVerify(this.helper, guard.params, this.withInit(item));
      const result = answer.verify;
      // Refused: nothing was verified.
      if (result === null) return { guarded: guard.diagnostics(answer.guard) };
      this.stats.requests += 1;
      this.stats.scenarios += 1;
      const waited = Math.max(0, performance.now() - started - answer.guardMs - result.durationMs);
      return {
        guarded: null,
        guardMs: answer.guardMs,
        outcome: {
          diagnostics: verifyDiagnostics(result, item),
          timing: { verifyMs: result.durationMs, queueMs: Math.round(waited), batch: 1 },
        },
      };
    } finally {
      this.busy = false;
      this.schedule();
    }
  }

  /**
   * A scenario will (probably) ask to be verified soon: the next batch waits for it, as long as
   * scenarios keep arriving (see `QUIET_MS`). Each `expect` is matched by one `arrived`.
   */
  expect(): void {
    this.coming += 1;
  }

  /** A scenario `expect` announced asked to be verified, or will not (it failed before). */
  arrived(): void {
    this.coming = Math.max(0, this.coming - 1);
    this.schedule();
  }

  private schedule(): void {
    if (this.busy || this.scheduled || this.queue.length === 0) return;
    // Others are on their way, and the batch has room for them.
    const others =
      this.coming > 0 && this.queue.length < this.maxBatch * this.lanesFor(this.queue[0]);
    if (others && this.options.waitForAll === true) return; // the last to arrive schedules it
    if (others && !this.impatient) {
      // Others are on their way: wait while they keep arriving, not for a slow one (a model's answer).
      clearTimeout(this.quiet);
      this.quiet = setTimeout(() => {
        this.quiet = undefined;
        this.impatient = true;
        this.schedule();
      }, QUIET_MS);
      return;
    }
    clearTimeout(this.quiet);
    this.quiet = undefined;
    this.impatient = false;
    this.scheduled = true;
    // After the current turn of the event loop: candidates that become ready together go together.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.busy || this.queue.length === 0) return;
    const taken = this.take();
    this.busy = true;
    try {
      await this.run(taken);
    } finally {
      this.busy = false;
      this.schedule();
    }
  }

  /** How many batches may go side by side now (see the module's comment). */
  private lanesFor(first: Queued | undefined): number {
    return first !== undefined && parallelSafe(first.item.config.verifyDatabaseUrl)
      ? this.lanes
      : 1;
  }

  /** The next batch: up to maxBatch items (per lane) whose files agree on every shared path. */
  private take(): Queued[] {
    const most = this.maxBatch * this.lanesFor(this.queue[0]);
    const files = new Map<string, string>();
    const taken: Queued[] = [];
    const left: Queued[] = [];
    for (const q of this.queue) {
      const own = Object.entries(q.item.files);
      const fits =
        taken.length < most &&
        own.every(
          ([path, text]) => path === this.options.initPath || (files.get(path) ?? text) === text,
        );
      if (!fits) {
        left.push(q);
        continue;
      }
      for (const [path, text] of own) files.set(path, text);
      taken.push(q);
    }
    this.queue = left;
    return taken;
  }

  private async run(batch: readonly Queued[]): Promise<void> {
    const sent = performance.now();
    const items = batch.map((q) => q.item);
    const parts = splitParts(items, this.lanesFor(batch[0]));
    try {
      const outcomes =
        parts.length > 1 ? await this.verifyParts(parts) : await this.verifyAll(items);
      for (const q of batch) {
        const o = outcomes.get(q.item)!;
        q.resolve({
          diagnostics: o.diagnostics,
          timing: { ...o.timing, queueMs: Math.round(sent - q.queuedAt + o.timing.queueMs) },
        });
      }
    } catch (err) {
      for (const q of batch) q.reject(err);
    }
  }

  /** Verifies `items` together, splitting on failure as the module's comment says. */
  private async verifyAll(items: readonly BatchItem[]): Promise<Map<BatchItem, BatchOutcome>> {
    if (items.length === 1) return new Map([[items[0]!, await this.alone(items[0]!)]]);
    const started = performance.now();
    const result = await requestVerify(this.helper, this.batchRequest(items));
    return this.settle(items, result, performance.now() - started);
  }

  /** Verifies each part as a batch of its own, all side by side in one `verifyEach` request. */
  private async verifyParts(
    parts: readonly (readonly BatchItem[])[],
  ): Promise<Map<BatchItem, BatchOutcome>> {
    const started = performance.now();
    const results = await requestVerifyEach(
      this.helper,
      parts.map((p) => this.batchRequest(p)),
    );
    this.stats.parallel += parts.length;
    const wall = performance.now() - started;
    const settled = await Promise.all(parts.map((p, k) => this.settle(p, results[k]!, wall)));
    return new Map(settled.flatMap((m) => [...m]));
  }

  /** `item` as sent alone: with the plugin list of its names when its files leave it out. */
  private withInit(item: BatchItem): BatchItem {
    const path = this.options.initPath;
    if (Object.hasOwn(item.files, path)) return item;
    return { ...item, files: { ...item.files, [path]: this.options.init(item.names) } };
  }

  /** One verify request for a batch: every item's files, and the plugin list of all of them. */
  private batchRequest(items: readonly BatchItem[]): VerifyRequest {
    const first = items[0]!;
    const files: Record<string, string> = {};
    for (const i of items) Object.assign(files, i.files);
    files[this.options.initPath] = this.options.init([...new Set(items.flatMap((i) => i.names))]);
    this.stats.requests += 1;
    this.stats.scenarios += items.length;
    return {
      config: first.config,
      packageName: first.packageName,
      files,
      plans: items.map((i) => i.plans[0]!),
      source: first.source,
    };
  }

  /**
   * A batch's answer read per item: all pass with it, or the failing ones are verified again
   * alone and the rest again together (see the module's comment). `wall` is the round trip.
   */
  private async settle(
    items: readonly BatchItem[],
    result: VerifyResult,
    wall: number,
  ): Promise<Map<BatchItem, BatchOutcome>> {
    const helperWait = Math.round(Math.max(0, wall - result.durationMs));
    const timing = (item: BatchItem, waited: number): VerifyTiming => {
      const names = new Set(itemTests(item));
      const ownMs = result.tests
        .filter((t) => names.has(testName(t.nodeid)))
        .reduce((n, t) => n + (t.durationMs ?? 0), 0);
      const testsMs = result.tests.reduce((n, t) => n + (t.durationMs ?? 0), 0);
      const fixed = Math.max(0, result.durationMs - testsMs) / items.length;
      return {
        verifyMs: Math.round(ownMs + fixed),
        queueMs: waited,
        batch: items.length,
      };
    };
    if (result.ok)
      return new Map(items.map((i) => [i, { diagnostics: [], timing: timing(i, helperWait) }]));
    const { failing, passed, rest, sound } = splitBatch(result, items);
    const out = new Map<BatchItem, BatchOutcome>();
    // Whatever is verified again waited for this batch first.
    const again = async (item: BatchItem, outcome: Promise<BatchOutcome>) => {
      const o = await outcome;
      out.set(item, {
        ...o,
        timing: { ...o.timing, queueMs: o.timing.queueMs + Math.round(wall) },
      });
    };
    const work: Promise<void>[] = failing.map((i) => again(i, this.alone(i)));
    if (sound) {
      for (const i of passed) out.set(i, { diagnostics: [], timing: timing(i, helperWait) });
      if (rest.length > 0) work.push(this.again(rest, again));
    } else {
      const unsure = [...passed, ...rest];
      if (failing.length > 0 && unsure.length > 0) work.push(this.again(unsure, again));
      else for (const i of unsure) work.push(again(i, this.alone(i)));
    }
    await Promise.all(work);
    return out;
  }

  private async again(
    items: readonly BatchItem[],
    record: (item: BatchItem, outcome: Promise<BatchOutcome>) => Promise<void>,
  ): Promise<void> {
    const results = await this.verifyAll(items);
    await Promise.all(items.map((i) => record(i, Promise.resolve(results.get(i)!))));
  }

  /** One scenario on its own: exactly the verification an unbatched build runs. */
  private async alone(item: BatchItem): Promise<BatchOutcome> {
    const started = performance.now();
    this.stats.requests += 1;
    this.stats.scenarios += 1;
    const result = await requestVerify(this.helper, this.withInit(item));
    // The helper's own time for the request; the rest of the round trip waited in its queue.
    const waited = Math.max(0, performance.now() - started - result.durationMs);
    return {
      diagnostics: verifyDiagnostics(result, item),
      timing: { verifyMs: result.durationMs, queueMs: Math.round(waited), batch: 1 },
    };
  }
}
