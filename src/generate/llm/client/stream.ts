import type OpenAI from 'openai';
import type { LlmConfig } from '../../../config/schema.js';
import { classify, rejectsStreamOptions, timeoutFailure } from './errors.js';
import type { Failure } from './errors.js';
import { requestBody } from './request.js';
import type { ChatMessage, LlmEvent, TokenUsage } from './types.js';

/** No tokenizer emits more than this per token; past it the server is not honouring max_tokens. */
const MAX_CHARS_PER_TOKEN = 32;

export interface StreamContext {
  readonly sdk: OpenAI;
  readonly config: LlmConfig;
  readonly params: Record<string, unknown>;
  readonly timeoutMs: number;
}

export type Outcome =
  | { kind: 'answer'; text: string; finishReason: string; usage: TokenUsage | null }
  | { kind: 'failure'; failure: Failure; cause: unknown }
  | { kind: 'stream-options-rejected' };

export async function attempt(
  ctx: StreamContext,
  messages: readonly ChatMessage[],
  maxTokens: number,
  attemptNo: number,
  withStreamOptions: boolean,
  signal: AbortSignal | undefined,
  emit: (event: LlmEvent) => void,
): Promise<Outcome> {
  const { sdk, config, params, timeoutMs } = ctx;
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
  const body = requestBody(config, params, messages, maxTokens, withStreamOptions);

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
    if (withStreamOptions && rejectsStreamOptions(err)) return { kind: 'stream-options-rejected' };
    return {
      kind: 'failure',
      failure: timedOut ? timeoutFailure(timeoutMs) : classify(err, config, timeoutMs),
      cause: err,
    };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) throw signal.reason;
  if (timedOut) return { kind: 'failure', failure: timeoutFailure(timeoutMs), cause: undefined };
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
