import OpenAI from 'openai';
import type { LlmConfig } from '../../../config/schema.js';
import { rememberSecrets } from '../../../config/secrets.js';
import { asApiError, LlmAnswerError, LlmUnavailableError } from './errors.js';
import { DEFAULT_RETRY_POLICY, retryDelay, sleep } from './retry.js';
import type { RetryPolicy } from './retry.js';
import { samplingParams } from './request.js';
import { attempt } from './stream.js';
import type { StreamContext } from './stream.js';
import type { ChatMessage, CompleteOptions, Completion, LlmClient, LlmEvent } from './types.js';

export interface LlmClientOptions {
  readonly retry?: Partial<RetryPolicy>;
  /** Overrides `config.timeout_s`: the longest silence (before the headers or between chunks). */
  readonly timeoutMs?: number;
}

export function createLlmClient(
  config: LlmConfig,
  env: NodeJS.ProcessEnv,
  options: LlmClientOptions = {},
): LlmClient {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? config.timeout_s * 1000;
  // The key lives only inside the SDK instance: never in messages, events, errors or the cache,
  // which all pass through `redact` (it masks the key wherever a server or a candidate echoes it).
  rememberSecrets([env[config.api_key_env]]);
  const sdk = new OpenAI({
    baseURL: config.base_url,
    apiKey: env[config.api_key_env] || 'sk-no-key',
    organization: null,
    project: null,
    timeout: timeoutMs,
    maxRetries: 0, // retries are ours: deterministic, and they also cover broken streams
    logLevel: 'off',
  });
  const ctx: StreamContext = { sdk, config, params: samplingParams(config), timeoutMs };
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
      const outcome = await attempt(
        ctx,
        messages,
        maxTokens,
        attempts,
        sendStreamOptions,
        opts.signal,
        emit,
      );
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
            asApiError(outcome.cause)?.status,
            attempts,
            { cause: outcome.cause },
          );
        }
        retries += 1;
        const delayMs = retryDelay(policy, retries, failure.retryAfterMs);
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

  return { complete };
}
