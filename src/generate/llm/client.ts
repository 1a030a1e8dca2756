import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { LlmConfig } from '../../config/schema.js';

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface Completion {
  readonly text: string;
  readonly finishReason: string;
  /** From the server's usage chunk; null when it sent none. */
  readonly usage: TokenUsage | null;
  /** Wall time of the whole call, retries and backoff included. */
  readonly latencyMs: number;
  /** HTTP requests made, the successful one included. */
  readonly attempts: number;
}

export type LlmEvent =
  | { readonly type: 'request'; readonly attempt: number; readonly maxTokens: number }
  | { readonly type: 'first-chunk'; readonly attempt: number }
  | {
      readonly type: 'retry';
      readonly attempt: number;
      readonly reason: string;
      readonly delayMs: number;
    }
  | { readonly type: 'length-retry'; readonly attempt: number; readonly maxTokens: number }
  | { readonly type: 'stream-options-dropped'; readonly attempt: number };

export interface CompleteOptions {
  /** Defaults to `config.max_tokens`. */
  readonly maxTokens?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: LlmEvent) => void;
}

export interface LlmClient {
  complete(messages: readonly ChatMessage[], opts?: CompleteOptions): Promise<Completion>;
}

/**
 * Transient failures (connection refused or reset, silence past the timeout, 408, 409, 429, 5xx,
 * a stream that ends without a finish reason) are retried `maxRetries` times. The k-th retry waits
 * `min(maxDelayMs, baseDelayMs × 2^(k−1))`, or the server's Retry-After capped at `retryAfterCapMs`.
 * No jitter: with a handful of clients against one self-hosted server, predictable waits are worth more.
 */
export interface RetryPolicy {
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly retryAfterCapMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  retryAfterCapMs: 60_000,
};

export interface LlmClientOptions {
  readonly retry?: Partial<RetryPolicy>;
  /** Overrides `config.timeout_s`: the longest silence (before the headers or between chunks). */
  readonly timeoutMs?: number;
}

/** No tokenizer emits more than this per token; past it the server is not honouring max_tokens. */
const MAX_CHARS_PER_TOKEN = 32;

type UnavailableReason = 'connection' | 'timeout' | 'status' | 'auth' | 'not-found' | 'truncated';

export class LlmError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
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

/** The request fields that shape the answer, as sent; the cache key is built from the same object. */
export function samplingParams(config: LlmConfig): Record<string, unknown> {
  const params: Record<string, unknown> = {
    temperature: config.temperature,
    top_p: config.top_p,
    top_k: config.top_k,
    repetition_penalty: config.repetition_penalty,
    ...config.extra_body,
  };
  // `null` in extra_body removes a field (Ollama rejects top_k and repetition_penalty).
  for (const [key, value] of Object.entries(params)) if (value === null) delete params[key];
  return params;
}

/** A failed attempt, classified: retry it (after `delayMs` when the server asked) or give up with `error`. */
type Failure =
  | { retry: true; kind: UnavailableReason; reason: string; retryAfterMs?: number }
  | { retry: false; error: (attempts: number) => LlmError };

export function createLlmClient(
  config: LlmConfig,
  env: NodeJS.ProcessEnv,
  options: LlmClientOptions = {},
): LlmClient {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? config.timeout_s * 1000;
  // The key lives only inside the SDK instance: never in messages, events, errors or the cache.
  const sdk = new OpenAI({
    baseURL: config.base_url,
    apiKey: env[config.api_key_env] || 'sk-no-key',
    organization: null,
    project: null,
    timeout: timeoutMs,
    maxRetries: 0, // retries are ours: deterministic, and they also cover broken streams
    logLevel: 'off',
  });
  const params = samplingParams(config);
  let sendStreamOptions = true;

  async function complete(
    messages: readonly ChatMessage[],
    opts: CompleteOptions = {},
  ): Promise<Completion> {
    const started = performance.now();
    const emit = (event: LlmEvent): void => {
      try {
        opts.onEvent?.(event);
      } catch {
        // a progress display must not break a request
      }
    };
    let maxTokens = opts.maxTokens ?? config.max_tokens;
    let attempts = 0;
    let retries = 0;
    let lengthRetried = false;

    for (;;) {
      attempts += 1;
      emit({ type: 'request', attempt: attempts, maxTokens });
      const outcome = await attempt(messages, maxTokens, attempts, opts.signal, emit);
      if (outcome.kind === 'stream-options-rejected') {
        sendStreamOptions = false;
        emit({ type: 'stream-options-dropped', attempt: attempts });
        continue;
      }
      if (outcome.kind === 'failure') {
        const failure = outcome.failure;
        if (!failure.retry) throw failure.error(attempts);
        if (retries >= policy.maxRetries) {
          throw new LlmUnavailableError(
            `the model server at ${config.base_url} is unusable after ${attempts} ` +
              `attempt${attempts === 1 ? '' : 's'}: ${failure.reason}`,
            failure.kind,
            outcome.cause instanceof APIError ? outcome.cause.status : undefined,
            attempts,
            { cause: outcome.cause },
          );
        }
        retries += 1;
        const delayMs =
          failure.retryAfterMs !== undefined
            ? Math.min(failure.retryAfterMs, policy.retryAfterCapMs)
            : Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retries - 1));
        emit({ type: 'retry', attempt: attempts, reason: failure.reason, delayMs });
        await sleep(delayMs, opts.signal);
        continue;
      }
      const { text, finishReason, usage } = outcome;
      if (finishReason === 'length') {
        if (lengthRetried) {
          throw new LlmAnswerError(
            `the answer was cut off at max_tokens=${maxTokens} twice (finish_reason "length"); ` +
              'the model may be repeating itself, or max_tokens is too small',
            'length',
            attempts,
          );
        }
        lengthRetried = true;
        maxTokens *= 2;
        emit({ type: 'length-retry', attempt: attempts, maxTokens });
        continue;
      }
      if (text.trim() === '') {
        throw new LlmAnswerError(
          `the server sent an empty answer (finish_reason "${finishReason}")`,
          'empty',
          attempts,
        );
      }
      return { text, finishReason, usage, latencyMs: performance.now() - started, attempts };
    }
  }

  type Outcome =
    | { kind: 'answer'; text: string; finishReason: string; usage: TokenUsage | null }
    | { kind: 'failure'; failure: Failure; cause: unknown }
    | { kind: 'stream-options-rejected' };

  async function attempt(
    messages: readonly ChatMessage[],
    maxTokens: number,
    attemptNo: number,
    signal: AbortSignal | undefined,
    emit: (event: LlmEvent) => void,
  ): Promise<Outcome> {
    signal?.throwIfAborted();
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
    };
    const withStreamOptions = sendStreamOptions;
    const body = {
      ...params,
      model: config.model,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      max_tokens: maxTokens,
      stream: true,
      ...(withStreamOptions ? { stream_options: { include_usage: true } } : {}),
    } as ChatCompletionCreateParamsStreaming;

    let text = '';
    let finishReason: string | null = null;
    let usage: TokenUsage | null = null;
    try {
      arm();
      const stream = await sdk.chat.completions.create(body, { signal: controller.signal });
      let first = true;
      // The SDK ends the iteration quietly when its controller aborts, so the flags are checked below.
      for await (const chunk of stream) {
        arm();
        if (first) {
          first = false;
          emit({ type: 'first-chunk', attempt: attemptNo });
        }
        const choice = chunk.choices[0];
        if (choice?.delta?.content) text += choice.delta.content;
        if (text.length > maxTokens * MAX_CHARS_PER_TOKEN) {
          // A server that ignores max_tokens: stop reading (the SDK aborts the request on break).
          finishReason = 'length';
          break;
        }
        if (choice?.finish_reason) finishReason = choice.finish_reason;
        if (chunk.usage) {
          usage = {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
          };
        }
      }
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (withStreamOptions && rejectsStreamOptions(err))
        return { kind: 'stream-options-rejected' };
      return { kind: 'failure', failure: timedOut ? timeoutFailure() : classify(err), cause: err };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) throw signal.reason;
    if (timedOut) return { kind: 'failure', failure: timeoutFailure(), cause: undefined };
    if (finishReason === null) {
      return {
        kind: 'failure',
        failure: {
          retry: true,
          kind: 'truncated',
          reason: 'the stream ended without a finish reason',
        },
        cause: undefined,
      };
    }
    return { kind: 'answer', text, finishReason, usage };
  }

  function timeoutFailure(): Failure {
    return { retry: true, kind: 'timeout', reason: `no data for ${timeoutMs} ms (timeout)` };
  }

  function classify(err: unknown): Failure {
    if (err instanceof APIConnectionTimeoutError) return timeoutFailure();
    if (err instanceof APIConnectionError) {
      return {
        retry: true,
        kind: 'connection',
        reason: `cannot connect to ${config.base_url}${causeText(err)}`,
      };
    }
    if (err instanceof APIError && err.status !== undefined) {
      const status = err.status;
      if (status === 408 || status === 409 || status === 429 || status >= 500) {
        return {
          retry: true,
          kind: 'status',
          reason: `HTTP ${err.message}`,
          retryAfterMs: retryAfter(err.headers),
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
                `(HTTP ${err.message})`,
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
            `the server rejected the request: HTTP ${err.message}`,
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
      reason: `the stream broke: ${message}${causeText(err)}`,
    };
  }

  return { complete };
}

function rejectsStreamOptions(err: unknown): boolean {
  return (
    err instanceof APIError &&
    (err.status === 400 || err.status === 422) &&
    (err.param === 'stream_options' || /stream_options/i.test(err.message))
  );
}

function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function causeText(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (!(cause instanceof Error)) return '';
  const inner = cause.cause instanceof Error ? cause.cause : cause;
  const code = (inner as NodeJS.ErrnoException).code;
  return ` (${code ?? inner.message})`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
