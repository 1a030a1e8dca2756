/** Test helpers: promises resolved by events, each with a deadline, so no test sleeps. */

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects with `what` if `promise` has not settled within `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Records values and lets a test await the first one matching a predicate, with a deadline. */
export class Recorder<T> {
  readonly items: T[] = [];
  private waiters: { match: (item: T) => boolean; done: (item: T) => void }[] = [];

  push = (item: T): void => {
    this.items.push(item);
    for (const w of [...this.waiters]) {
      if (w.match(item)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.done(item);
      }
    }
  };

  /** The first recorded item (already seen or future) matching `match`. */
  next(match: (item: T) => boolean, ms: number, what: string): Promise<T> {
    const seen = this.items.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    const d = deferred<T>();
    this.waiters.push({ match, done: (item) => d.resolve(item) });
    return withDeadline(d.promise, ms, what);
  }
}

/**
 * Resolves once `check()` holds, looking every `everyMs`; rejects with `what` after `ms`. For
 * state with no event to wait on (another process's exit, a file written by a grandchild).
 */
export async function until(
  check: () => boolean,
  ms: number,
  what: string,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
