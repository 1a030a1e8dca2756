import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { LlmConfig } from '../../../config/schema.js';
import { redact } from '../../../config/secrets.js';
import type { ChatMessage } from './types.js';

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

export function requestBody(
  config: LlmConfig,
  params: Record<string, unknown>,
  messages: readonly ChatMessage[],
  maxTokens: number,
  withStreamOptions: boolean,
): ChatCompletionCreateParamsStreaming {
  return {
    ...params,
    model: config.model,
    // The last line of defence for the repair prompt: a candidate's error text can hold anything.
    messages: messages.map((m) => ({ role: m.role, content: redact(m.content) })),
    max_tokens: maxTokens,
    stream: true,
    ...(withStreamOptions ? { stream_options: { include_usage: true } } : {}),
  };
}
