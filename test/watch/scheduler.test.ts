import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createScheduler,
  DEFAULT_BURST_DEBOUNCE_MS,
  DEFAULT_BURST_SIZE,
  DEFAULT_DEBOUNCE_MS,
  DEFAULT_MAX_WAIT_MS,
} from '../../src/watch/scheduler.js';
import { deferred, type Deferred } from './helpers.js';

/** A run function that records batches and, when `hold` is on, blocks until released. */
function recordingRun() {
  const batches: string[][] = [];
  let active = 0;
  let maxActive = 0;
  let gate: Deferred<void> | undefined;
  let started = deferred<void>();
  return {
    batches,
    get maxActive() {
      return maxActive;
    },
    hold() {
      gate = deferred<void>();
    },
    release() {
      gate?.resolve();
      gate = undefined;
    },
    /** Resolves when the next run starts. */
    nextStart() {
      return started.promise;
    },
    run: async (batch: ReadonlySet<string>): Promise<void> => {
      batches.push([...batch].sort());
      active += 1;
      maxActive = Math.max(maxActive, active);
      started.resolve();
      started = deferred<void>();
      try {
        if (gate) await gate.promise;
      } finally {
        active -= 1;
      }
    },
  };
}

describe('scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs once, a debounce after the last add, with duplicates collapsed', async () => {
    const r = recordingRun();
    const s = createScheduler({ run: r.run });
    s.add('a');
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS - 5);
    s.add('b');
    s.add('a');
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS - 1);
    expect(r.batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.batches).toEqual([['a', 'b']]);
    expect(s.stats).toMatchObject({ runs: 1, added: 3, lastBatchSize: 2, failures: 0 });
  });

  it('turns a burst of 500 adds within a second into one or two runs', async () => {
    const r = recordingRun();
    const s = createScheduler({ run: r.run });
    for (let i = 0; i < 500; i++) {
      s.add(`f${i}`);
      await vi.advanceTimersByTimeAsync(2); // 500 adds over 1000 ms, never a 30 ms pause
    }
    await vi.advanceTimersByTimeAsync(DEFAULT_MAX_WAIT_MS);
    await s.idle();
    expect(r.batches.length).toBeGreaterThanOrEqual(1);
    expect(r.batches.length).toBeLessThanOrEqual(2);
    expect(new Set(r.batches.flat()).size).toBe(500);
  });

  it('waits longer once a burst is evident, so pauses inside a burst do not split it', async () => {
    const r = recordingRun();
    const s = createScheduler({ run: r.run });
    for (let i = 0; i < DEFAULT_BURST_SIZE; i++) s.add(`a${i}`);
    // A pause longer than the short debounce, shorter than the burst one (a loaded machine).
    await vi.advanceTimersByTimeAsync(DEFAULT_BURST_DEBOUNCE_MS - 1);
    expect(r.batches).toEqual([]);
    for (let i = 0; i < 5; i++) s.add(`b${i}`);
    await vi.advanceTimersByTimeAsync(DEFAULT_BURST_DEBOUNCE_MS);
    expect(r.batches).toHaveLength(1);
    expect(r.batches[0]).toHaveLength(DEFAULT_BURST_SIZE + 5);
  });

  it('keeps the short debounce for a save that is a few events', async () => {
    const r = recordingRun();
    const s = createScheduler({ run: r.run });
    for (let i = 0; i < DEFAULT_BURST_SIZE - 1; i++) s.add(`a${i}`);
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS);
    expect(r.batches).toHaveLength(1);
  });

  it('still runs during a stream that never pauses, once per max wait', async () => {
    const r = recordingRun();
    const s = createScheduler({ run: r.run, debounceMs: 30, maxWaitMs: 200 });
    for (let i = 0; i < 100; i++) {
      s.add(`f${i}`);
      await vi.advanceTimersByTimeAsync(10); // 1000 ms of events 10 ms apart
    }
    // Without the max wait nothing would have run yet.
    expect(r.batches.length).toBe(5);
    await vi.advanceTimersByTimeAsync(200);
    expect(new Set(r.batches.flat()).size).toBe(100);
  });

  it('runs one at a time; adds during a run make exactly one trailing run with all of them', async () => {
    const r = recordingRun();
    const s = createScheduler({ run: r.run });
    r.hold();
    s.add('first');
    const started = r.nextStart();
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS);
    await started;
    // Spread out so both the debounce and the max wait expire while the run is in flight.
    for (const item of ['x', 'y', 'z', 'x']) {
      s.add(item);
      await vi.advanceTimersByTimeAsync(DEFAULT_MAX_WAIT_MS / 2);
    }
    expect(r.batches).toEqual([['first']]);
    r.release();
    await s.idle();
    expect(r.batches).toEqual([['first'], ['x', 'y', 'z']]);
    expect(r.maxActive).toBe(1);
  });

  it('a burst still arriving when a run ends goes into one trailing run once it is quiet', async () => {
    const r = recordingRun();
    const s = createScheduler({ run: r.run });
    r.hold();
    s.add('head');
    const started = r.nextStart();
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS);
    await started;
    // The burst's first items wait out their quiet period during the run (the timer fires)...
    for (let i = 0; i < DEFAULT_BURST_SIZE; i++) s.add(`a${i}`);
    await vi.advanceTimersByTimeAsync(DEFAULT_BURST_DEBOUNCE_MS);
    // ...and more keep coming, 20 ms apart, from just before the run ends.
    for (let i = 0; i < 10; i++) {
      s.add(`b${i}`);
      if (i === 0) r.release();
      await vi.advanceTimersByTimeAsync(20);
    }
    await vi.advanceTimersByTimeAsync(DEFAULT_BURST_DEBOUNCE_MS);
    await s.idle();
    expect(r.batches).toHaveLength(2);
    expect(r.batches[1]).toHaveLength(DEFAULT_BURST_SIZE + 10);
  });

  it('waits out the quiet period for an add that lands just before a run ends', async () => {
    const r = recordingRun();
    const s = createScheduler({ run: r.run });
    r.hold();
    s.add('a');
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS);
    s.add('b');
    r.release();
    await vi.advanceTimersByTimeAsync(0);
    s.add('c'); // still within b's quiet period: joins the same trailing run
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS);
    await s.idle();
    expect(r.batches).toEqual([['a'], ['b', 'c']]);
  });

  it('reports a failing run and keeps going', async () => {
    const errors: [unknown, string[]][] = [];
    let calls = 0;
    const s = createScheduler<string>({
      // eslint-disable-next-line @typescript-eslint/require-await -- its throw must be a rejection
      run: async (batch) => {
        calls += 1;
        if (batch.has('bad')) throw new Error('boom');
      },
      onError: (error, batch) => errors.push([error, [...batch]]),
    });
    s.add('bad');
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS);
    await s.idle();
    s.add('good');
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS);
    await s.idle();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
    expect((errors[0]?.[0] as Error).message).toBe('boom');
    expect(errors[0]?.[1]).toEqual(['bad']);
    expect(s.stats).toMatchObject({ runs: 2, failures: 1 });
  });

  it('survives a run that throws synchronously and an onError that throws', async () => {
    let calls = 0;
    const s = createScheduler<string>({
      run: (batch) => {
        calls += 1;
        if (batch.has('bad')) throw new Error('sync boom');
        return Promise.resolve();
      },
      onError: () => {
        throw new Error('reporter broke');
      },
    });
    s.add('bad');
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS);
    await s.idle();
    s.add('good');
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS);
    await s.idle();
    expect(calls).toBe(2);
    expect(s.stats.failures).toBe(1);
  });

  it('sends failures to console.error when no onError is given', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const s = createScheduler<string>({ run: () => Promise.reject(new Error('loud')) });
      s.add('a');
      await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS);
      await s.idle();
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0]?.[1])).toContain('loud');
    } finally {
      spy.mockRestore();
    }
  });

  it('idle() resolves at once when idle, otherwise after the trailing run', async () => {
    const r = recordingRun();
    const s = createScheduler({ run: r.run });
    await s.idle();
    r.hold();
    s.add('a');
    let idle = false;
    void s.idle().then(() => (idle = true));
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS);
    s.add('b');
    r.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(idle).toBe(false); // 'b' is still waiting for its run
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS);
    expect(idle).toBe(true);
    expect(r.batches).toEqual([['a'], ['b']]);
  });

  it('close() awaits the run in flight, drops pending items and accepts no more', async () => {
    const r = recordingRun();
    const s = createScheduler({ run: r.run });
    r.hold();
    s.add('a');
    await vi.advanceTimersByTimeAsync(DEFAULT_DEBOUNCE_MS);
    s.add('pending');
    let closed = false;
    const closing = s.close().then(() => (closed = true));
    expect(s.close()).toBe(s.close()); // idempotent
    s.add('late');
    await vi.advanceTimersByTimeAsync(DEFAULT_MAX_WAIT_MS);
    expect(closed).toBe(false);
    r.release();
    await closing;
    expect(closed).toBe(true);
    await vi.advanceTimersByTimeAsync(DEFAULT_MAX_WAIT_MS);
    expect(r.batches).toEqual([['a']]);
    expect(s.stats).toMatchObject({ runs: 1, dropped: 2 });
    await s.idle();
  });

  it('close() with nothing running resolves and cancels the debounce', async () => {
    const r = recordingRun();
    const s = createScheduler({ run: r.run });
    s.add('a');
    await s.close();
    await vi.advanceTimersByTimeAsync(DEFAULT_MAX_WAIT_MS);
    expect(r.batches).toEqual([]);
  });
});
