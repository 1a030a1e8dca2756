/**
 * A promise-aware debounce for the watch loop: items (changed paths) collect in a set, a quiet
 * period after the last one starts a run, and only one run is ever in flight. Whatever arrives
 * during a run is held and becomes exactly one trailing run once it ends, so a `git checkout`
 * touching hundreds of files costs one or two runs, never one per file.
 */

export interface SchedulerOptions<T> {
  /** Quiet period after the last `add` before a run starts. Default 30 ms. */
  readonly debounceMs?: number;
  /**
   * Quiet period once `burstSize` items are pending. A single save is one or two events and gets
   * the short debounce; a checkout or a formatter run shows itself by volume, and on a busy
   * machine its event stream has pauses longer than 30 ms that would otherwise split it into
   * several runs. Default 150 ms.
   */
  readonly burstDebounceMs?: number;
  /** Pending items from which `burstDebounceMs` applies. Default 10. */
  readonly burstSize?: number;
  /**
   * Upper bound on how long the first pending item waits, so a never-ending trickle of events
   * still gets built. Default 1000 ms. Never less than `debounceMs`.
   */
  readonly maxWaitMs?: number;
  readonly run: (batch: ReadonlySet<T>) => Promise<void>;
  /**
   * Called when a run throws or rejects; the scheduler keeps going. Without it the error goes to
   * `console.error`, because a watch loop that drops failures silently is worse than a noisy one.
   */
  readonly onError?: (error: unknown, batch: ReadonlySet<T>) => void;
}

export interface SchedulerStats {
  /** Runs started (including ones that failed). */
  readonly runs: number;
  readonly failures: number;
  /** Items accepted by `add` (duplicates of a pending item included). */
  readonly added: number;
  /** Items still pending when `close` was called, or added after it; never run. */
  readonly dropped: number;
  readonly lastBatchSize: number;
  readonly lastRunMs: number;
}

export interface Scheduler<T> {
  add(item: T): void;
  /** Resolves once nothing is pending, waiting or running. */
  idle(): Promise<void>;
  /** Stops accepting items, drops pending ones, and resolves after the run in flight ends. */
  close(): Promise<void>;
  /** A snapshot; each read returns a fresh object. */
  readonly stats: SchedulerStats;
}

export const DEFAULT_DEBOUNCE_MS = 30;
export const DEFAULT_BURST_DEBOUNCE_MS = 150;
export const DEFAULT_BURST_SIZE = 10;
export const DEFAULT_MAX_WAIT_MS = 1000;

export function createScheduler<T>(options: SchedulerOptions<T>): Scheduler<T> {
  const debounceMs = Math.max(0, options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  const burstDebounceMs = Math.max(
    debounceMs,
    options.burstDebounceMs ?? DEFAULT_BURST_DEBOUNCE_MS,
  );
  const burstSize = Math.max(1, options.burstSize ?? DEFAULT_BURST_SIZE);
  const maxWaitMs = Math.max(debounceMs, options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
  const reportError =
    options.onError ??
    ((error: unknown) => {
      console.error('fixturegen watch: run failed', error);
    });

  let pending = new Set<T>();
  /** When the oldest pending item arrived; undefined while nothing is pending. */
  let firstPendingAt: number | undefined;
  let lastAddAt = 0;
  let timer: NodeJS.Timeout | undefined;
  /** The timer fired while a run was in flight: flush as soon as it ends. */
  let due = false;
  let inFlight: Promise<void> | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
  let idleWaiters: (() => void)[] = [];
  const stats = { runs: 0, failures: 0, added: 0, dropped: 0, lastBatchSize: 0, lastRunMs: 0 };

  function isIdle(): boolean {
    return inFlight === undefined && timer === undefined && pending.size === 0;
  }

  function settleIdle(): void {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function clearTimer(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  /** (Re)arms the timer for whichever comes first: the quiet period or the max wait. */
  function arm(): void {
    clearTimer();
    if (pending.size === 0 || firstPendingAt === undefined) return;
    const now = Date.now();
    const quietAt = lastAddAt + (pending.size >= burstSize ? burstDebounceMs : debounceMs);
    const deadline = firstPendingAt + maxWaitMs;
    const delay = Math.max(0, Math.min(quietAt, deadline) - now);
    timer = setTimeout(onTimer, delay);
  }

  function onTimer(): void {
    timer = undefined;
    if (inFlight !== undefined) {
      due = true;
      return;
    }
    flush();
  }

  function flush(): void {
    if (closed || pending.size === 0) {
      settleIdle();
      return;
    }
    clearTimer();
    due = false;
    const batch: ReadonlySet<T> = pending;
    pending = new Set<T>();
    firstPendingAt = undefined;
    stats.runs += 1;
    stats.lastBatchSize = batch.size;
    const started = performance.now();
    inFlight = (async () => {
      try {
        await options.run(batch);
      } catch (error) {
        stats.failures += 1;
        try {
          reportError(error, batch);
        } catch {
          // A broken error reporter must not stop the loop either.
        }
      } finally {
        stats.lastRunMs = performance.now() - started;
      }
    })().then(afterRun);
  }

  function afterRun(): void {
    inFlight = undefined;
    if (closed) {
      settleIdle();
      return;
    }
    if (pending.size > 0) {
      // Everything that arrived during the run goes into one trailing run: now if the quiet
      // period or the max wait already passed, else when the armed timer fires.
      if (due || timer === undefined) flush();
    } else {
      due = false;
    }
    settleIdle();
  }

  return {
    add(item: T): void {
      if (closed) {
        stats.dropped += 1;
        return;
      }
      stats.added += 1;
      const now = Date.now();
      if (pending.size === 0) firstPendingAt = now;
      lastAddAt = now;
      pending.add(item);
      // Items still arriving during a run restart its quiet period (up to the max wait): a burst
      // that outlasts a run is taken in one trailing run, not in one per pause of the stream.
      due = false;
      arm();
    },

    idle(): Promise<void> {
      if (isIdle()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
      });
    },

    close(): Promise<void> {
      if (closing) return closing;
      closed = true;
      clearTimer();
      stats.dropped += pending.size;
      pending = new Set<T>();
      firstPendingAt = undefined;
      closing = (inFlight ?? Promise.resolve()).then(() => settleIdle());
      return closing;
    },

    get stats(): SchedulerStats {
      return { ...stats };
    },
  };
}
