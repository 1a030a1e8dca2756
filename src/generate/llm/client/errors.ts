import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { LlmConfig } from '../../../config/schema.js';
import { redact } from '../../../config/secrets.js';
import { retryAfter } from './retry.js';

export type UnavailableReason =
  'connection' | 'timeout' | 'status' | 'auth' | 'not-found' | 'truncated';

export class LlmError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    // A server's error body is quoted in the message, and servers echo what they were sent.
    super(redact(message), options);
    this.name = new.target.name;
  }
}

/** The server cannot be used (after retries where retrying made sense): the CLI exits with 3. */
export class LlmUnavailableError extends LlmError {
  constructor(
    message: string,
    readonly reason: UnavailableReason,
    readonly status: number | undefined,
    attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, attempts, options);
  }
}

/** The server worked but gave nothing usable for this request: the scenario fails. */
export class LlmAnswerError extends LlmError {
  constructor(
    message: string,
    readonly reason: 'length' | 'empty' | 'rejected',
    attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, attempts, options);
  }
}

/** A failed attempt, classified: retry it (after `delayMs` when the server asked) or give up with `error`. */
export type Failure =
  | { retry: true; kind: UnavailableReason; reason: string; retryAfterMs?: number }
  | { retry: false; error: (attempts: number) => LlmError };

export function timeoutFailure(timeoutMs: number): Failure {
  return { retry: true, kind: 'timeout', reason: `no data for ${timeoutMs} ms (timeout)` };
}

export function classify(err: unknown, config: LlmConfig, timeoutMs: number): Failure {
  if (err instanceof APIConnectionTimeoutError) return timeoutFailure(timeoutMs);
  if (err instanceof APIConnectionError) {
    return {
      retry: true,
      kind: 'connection',
      reason: redact(`cannot connect to ${config.base_url}${causeText(err)}`),
    };
  }
  const api = asApiError(err);
  if (api !== null && api.status !== undefined) {
    const status = api.status;
    if (status === 408 || status === 409 || status === 429 || status >= 500) {
      return {
        retry: true,
        kind: 'status',
        reason: redact(`HTTP ${api.message}`),
        retryAfterMs: retryAfter(api.headers),
      };
    }
    if (status === 401 || status === 403) {
      return {
        retry: false,
        error: (attempts) =>
          new LlmUnavailableError(
            `${config.base_url} refused the credentials (HTTP ${status}); ` +
              `set ${config.api_key_env} to the server's API key`,
            'auth',
            status,
            attempts,
            { cause: err },
          ),
      };
    }
    if (status === 404) {
      return {
        retry: false,
        error: (attempts) =>
          new LlmUnavailableError(
            `${config.base_url} has no chat completions for model "${config.model}" ` +
              `(HTTP ${api.message})`,
            'not-found',
            status,
            attempts,
            { cause: err },
          ),
      };
    }
    return {
      retry: false,
      error: (attempts) =>
        new LlmAnswerError(
          `the server rejected the request: HTTP ${api.message}`,
          'rejected',
          attempts,
          {
            cause: err,
          },
        ),
    };
  }
  // An error event inside the stream, a reset socket ("terminated"), or unparsable data.
  const message = err instanceof Error ? err.message : String(err);
  return {
    retry: true,
    kind: 'connection',
    reason: redact(`the stream broke: ${message}${causeText(err)}`),
  };
}

/** `instanceof` on the generic class types the error `APIError<any, any, any>`; this keeps its own defaults. */
export function asApiError(err: unknown): APIError | null {
  return err instanceof APIError ? (err as APIError) : null;
}

export function rejectsStreamOptions(err: unknown): boolean {
  return (
    err instanceof APIError &&
    (err.status === 400 || err.status === 422) &&
    (err.param === 'stream_options' || /stream_options/i.test(err.message))
  );
}

function causeText(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (!(cause instanceof Error)) return '';
  const inner = cause.cause instanceof Error ? cause.cause : cause;
  const code = (inner as NodeJS.ErrnoException).code;
  return ` (${code ?? inner.message})`;
}
