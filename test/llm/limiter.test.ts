import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../src/generate/llm/limiter.js';
import { createLlmClient } from '../../src/generate/llm/client/create.js';
import { config, FAST, MESSAGES, MODULE, server } from './helpers.js';

/** A promise with its resolve exposed, so tests decide when a task ends. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('createLimiter', () => {
  it('runs at most n at a time and starts waiting tasks in order', async () => {
    const limiter = createLimiter(2);
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const results = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        await g.promise;
        return i * 10;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.active).toBe(2);
    expect(limiter.pending).toBe(3);

    gates[1]!.open();
    await results[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    await results[0];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.open();
    expect(await Promise.all(results)).toEqual([0, 10, 20, 30, 40]);
    expect(limiter.active).toBe(0);
    expect(limiter.pending).toBe(0);
  });

  it('frees the slot when a task fails or throws synchronously', async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      limiter.run(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(await limiter.run(() => 'ok')).toBe('ok');
    expect(limiter.active).toBe(0);
  });

  it('rejects a concurrency below one', () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
    expect(() => createLimiter(1.5)).toThrow(RangeError);
  });

  it('never lets more than n requests reach the server at once', async () => {
    const s = await server({ fallback: { content: MODULE, latencyMs: 40 } });
    const client = createLlmClient(config(s.url), {}, FAST);
    const limiter = createLimiter(3);

    const done = await Promise.all(
      Array.from({ length: 10 }, () => limiter.run(() => client.complete(MESSAGES))),
    );

    expect(done.every((c) => c.text === MODULE)).toBe(true);
    expect(s.requests).toHaveLength(10);
    expect(s.maxInFlight).toBe(3);
  });
});
