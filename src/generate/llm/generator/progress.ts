import type { LlmEvent } from '../client/types.js';
import type { LlmGeneratorDeps, LlmStatus } from './types.js';

export function statusReporter(
  deps: Pick<LlmGeneratorDeps, 'onStatus'>,
): (name: string, s: LlmStatus) => void {
  return (name, s) => {
    try {
      deps.onStatus?.(name, s);
    } catch {
      // progress output must never break generation
    }
  };
}

export function eventStatus(round: number, e: LlmEvent): LlmStatus | null {
  switch (e.type) {
    case 'request':
      return { phase: 'sending', round, request: e.attempt };
    case 'first-chunk':
      return { phase: 'receiving', round };
    case 'retry':
      return { phase: 'retrying', round, reason: e.reason, delayMs: e.delayMs };
    case 'failover':
      return { phase: 'failover', round, from: e.from, reason: e.reason };
    // Neither changes what the user waits for: the request goes on under the same phase.
    case 'length-retry':
    case 'stream-options-dropped':
      return null;
  }
}
