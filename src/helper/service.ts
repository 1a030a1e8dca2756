/**
 * The helper serves one request at a time, in the order they were sent: a request's own time is
 * from when it was answered back to the later of its sending and the previous answer. The rest of
 * its round trip it waited in the helper's queue. This wrapper tells each caller both, through the
 * async context the caller runs in (`ServiceClock.within`), so concurrent callers each get theirs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ParamsArg, PythonHelper } from './client.js';
import type { Method, Result } from './protocol.js';

/** What a caller's requests spent, by method: served, and waiting in the queue. */
export interface ServiceTally {
  readonly served: Partial<Record<Method, number>>;
  readonly waited: Partial<Record<Method, number>>;
}

export function emptyTally(): ServiceTally {
  return { served: {}, waited: {} };
}

export class ServiceClock {
  private lastAnswer = 0;
  private readonly context = new AsyncLocalStorage<ServiceTally>();

  /** Runs `fn` with its helper requests counted in `tally`. */
  within<T>(tally: ServiceTally, fn: () => Promise<T>): Promise<T> {
    return this.context.run(tally, fn);
  }

  wrap(helper: PythonHelper): PythonHelper {
    return {
      get pid() {
        return helper.pid;
      },
      close: () => helper.close(),
      request: async <M extends Method>(method: M, ...params: ParamsArg<M>): Promise<Result<M>> => {
        const tally = this.context.getStore();
        const sent = performance.now();
        try {
          return await helper.request(method, ...params);
        } finally {
          const now = performance.now();
          const begun = Math.max(sent, this.lastAnswer);
          this.lastAnswer = now;
          if (tally) {
            tally.served[method] = (tally.served[method] ?? 0) + (now - begun);
            tally.waited[method] = (tally.waited[method] ?? 0) + (begun - sent);
          }
        }
      },
    };
  }
}
