/**
 * What a backend's server says about itself beyond the OpenAI API: the models it lists (and, for
 * vLLM, each one's `max_model_len`), llama.cpp's context (`GET /props`), and the exact token count
 * of a prompt through the server's own tokenizer (vLLM `POST /tokenize` with the chat messages;
 * llama.cpp `POST /apply-template`, then `POST /tokenize`). Servers without these (Ollama, most
 * hosted APIs) answer 404, and the callers fall back to the estimate, labelled as one.
 */
import type { LlmConfig } from '../../../config/schema.js';
import { redact } from '../../../config/secrets.js';
import type { ChatMessage } from '../client/types.js';

export type TokenizerKind = 'vllm' | 'llama.cpp';

export interface PromptCount {
  readonly tokens: number;
  readonly source: TokenizerKind;
  /** The context the tokenizer's server reports, when it does (vLLM). */
  readonly contextLength: number | null;
}

export type Probe<T> =
  | { readonly ok: true; readonly value: T; readonly ms: number }
  | { readonly ok: false; readonly error: string };

/** `http://host:8000/v1` → `http://host:8000`: where vLLM and llama.cpp serve their own routes. */
export function serverOrigin(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

function headers(config: LlmConfig, env: NodeJS.ProcessEnv): Record<string, string> {
  const key = env[config.api_key_env];
  return {
    'content-type': 'application/json',
    ...(key ? { authorization: `Bearer ${key}` } : {}),
  };
}

async function call(
  config: LlmConfig,
  env: NodeJS.ProcessEnv,
  url: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<Probe<unknown>> {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: headers(config, env),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) return { ok: false, error: redact(`HTTP ${res.status} ${text.slice(0, 200)}`) };
    return { ok: true, value: JSON.parse(text) as unknown, ms: performance.now() - started };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: redact(cause ? `${message} (${cause})` : message) };
  }
}

export interface ModelList {
  readonly ids: readonly string[];
  /** `max_model_len` of the configured model's entry (vLLM), else null. */
  readonly contextLength: number | null;
}

export async function listModels(
  config: LlmConfig,
  env: NodeJS.ProcessEnv,
): Promise<Probe<ModelList>> {
  const r = await call(config, env, `${config.base_url.replace(/\/+$/, '')}/models`);
  if (!r.ok) return r;
  const data = (r.value as { data?: unknown }).data;
  if (!Array.isArray(data))
    return { ok: false, error: 'GET /models answered without a `data` list' };
  const entries = data as { id?: unknown; max_model_len?: unknown }[];
  const ids = entries.map((e) => String(e.id));
  const mine = entries.find((e) => e.id === config.model);
  const context = typeof mine?.max_model_len === 'number' ? mine.max_model_len : null;
  return { ok: true, value: { ids, contextLength: context }, ms: r.ms };
}

/** llama.cpp's context per slot, from `GET /props`; null when the server has no such route. */
export async function llamaContext(
  config: LlmConfig,
  env: NodeJS.ProcessEnv,
): Promise<number | null> {
  const r = await call(config, env, `${serverOrigin(config.base_url)}/props`);
  if (!r.ok) return null;
  const n = (r.value as { default_generation_settings?: { n_ctx?: unknown } })
    .default_generation_settings?.n_ctx;
  return typeof n === 'number' ? n : null;
}

/**
 * Counts a chat prompt with the server's tokenizer. `kind` is what an earlier call found (each
 * server is probed once); null when neither route exists.
 */
export async function countPromptTokens(
  config: LlmConfig,
  env: NodeJS.ProcessEnv,
  messages: readonly ChatMessage[],
  kind?: TokenizerKind | null,
): Promise<PromptCount | null> {
  const origin = serverOrigin(config.base_url);
  const plain = messages.map((m) => ({ role: m.role, content: m.content }));
  if (kind === undefined || kind === 'vllm') {
    const r = await call(config, env, `${origin}/tokenize`, {
      model: config.model,
      messages: plain,
      add_generation_prompt: true,
    });
    const v = r.ok ? (r.value as { count?: unknown; max_model_len?: unknown }) : null;
    if (v && typeof v.count === 'number') {
      return {
        tokens: v.count,
        source: 'vllm',
        contextLength: typeof v.max_model_len === 'number' ? v.max_model_len : null,
      };
    }
    if (kind === 'vllm') return null;
  }
  const applied = await call(config, env, `${origin}/apply-template`, { messages: plain });
  const prompt = applied.ok ? (applied.value as { prompt?: unknown }).prompt : undefined;
  if (typeof prompt !== 'string') return null;
  const r = await call(config, env, `${origin}/tokenize`, { content: prompt, add_special: true });
  const tokens = r.ok ? (r.value as { tokens?: unknown }).tokens : undefined;
  if (!Array.isArray(tokens)) return null;
  return { tokens: tokens.length, source: 'llama.cpp', contextLength: null };
}
