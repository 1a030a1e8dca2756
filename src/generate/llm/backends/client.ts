/**
 * A client over `llm.backends`: each request goes to the first backend not known to be unusable,
 * and moves to the next when it is (connection refused, 5xx or timeouts after the retries, model
 * not found) or when the prompt does not fit its context. Bad credentials stop at once: they are a
 * configuration error, not an outage. A backend found unusable is skipped for `DOWN_MS` (one build,
 * usually), so a dead server costs its retries once; when every backend is down the next request
 * tries them all again (watch mode keeps the client across builds).
 */
import type { LlmConfig } from '../../../config/schema.js';
import { createLlmClient } from '../client/create.js';
import type { LlmClientOptions } from '../client/create.js';
import { LlmAnswerError, LlmUnavailableError } from '../client/errors.js';
import type { ChatMessage, CompleteOptions, Completion, LlmClient } from '../client/types.js';
import type { Backend } from './list.js';
import { backendsOf } from './list.js';
import { countPromptTokens, listModels, llamaContext } from './server-info.js';
import type { TokenizerKind } from './server-info.js';

/** How long a backend found unusable is skipped. */
export const DOWN_MS = 5 * 60_000;

export interface BackendClient extends LlmClient {
  readonly backends: readonly Backend[];
  /** The answering backend's index, for a completion this client returned. */
  backendOf(completion: Completion): number;
}

export interface BackendClientOptions extends LlmClientOptions {
  /** Makes the client of one backend (tests pass scripted ones); default `createLlmClient`. */
  readonly clientFor?: (backend: Backend) => LlmClient;
  /**
   * Count each prompt with the backend's tokenizer endpoint (where it has one) before sending it,
   * and skip a backend whose context cannot hold it plus max_tokens. Default true.
   */
  readonly precheck?: boolean;
}

/** What a backend's server said about its tokenizer and context (probed once). */
interface ServerFacts {
  kind: TokenizerKind | null;
  context: number | null;
}

/** A server's way of saying the prompt plus max_tokens exceeds its context (vLLM, llama.cpp, OpenAI). */
export function isContextError(err: unknown): boolean {
  return (
    err instanceof LlmAnswerError &&
    err.reason === 'rejected' &&
    /context length|context size|context window|maximum context|context_length_exceeded|exceeds the available context|too many tokens|more than the context/i.test(
      err.message,
    )
  );
}

export function createBackendClient(
  llm: LlmConfig,
  env: NodeJS.ProcessEnv,
  options: BackendClientOptions = {},
): BackendClient {
  const backends = backendsOf(llm);
  const clients = new Map<number, LlmClient>();
  /** Backends found unusable, with the reason and when. */
  const down = new Map<number, { why: string; at: number }>();
  const answered = new WeakMap<Completion, number>();
  let lastUnavailable: LlmUnavailableError | null = null;
  const facts = new Map<number, ServerFacts>();

  /**
   * The prompt's exact size by the server's tokenizer, checked against its context: an error
   * when prompt + max_tokens does not fit; null when it fits or the server cannot tell.
   */
  async function precheck(
    b: Backend,
    messages: readonly ChatMessage[],
    maxTokens: number,
  ): Promise<LlmAnswerError | null> {
    if (options.precheck === false) return null;
    let f = facts.get(b.index);
    if (f?.kind === null) return null;
    const counted = await countPromptTokens(b.config, env, messages, f?.kind);
    if (!f) {
      f = { kind: counted?.source ?? null, context: counted?.contextLength ?? null };
      if (f.kind !== null && f.context === null) {
        const listed = await listModels(b.config, env);
        f.context =
          (listed.ok ? listed.value.contextLength : null) ?? (await llamaContext(b.config, env));
      }
      facts.set(b.index, f);
    }
    if (!counted) return null;
    const context = counted.contextLength ?? f.context;
    if (context === null || counted.tokens + maxTokens <= context) return null;
    return new LlmAnswerError(
      `the prompt is ${counted.tokens} tokens (counted by the server's ${counted.source} tokenizer) and ` +
        `max_tokens is ${maxTokens}: together more than the context of ${context} tokens of ${b.label}`,
      'rejected',
      0,
    );
  }

  const clientOf = (b: Backend): LlmClient => {
    let c = clients.get(b.index);
    if (!c) {
      c = options.clientFor ? options.clientFor(b) : createLlmClient(b.config, env, options);
      clients.set(b.index, c);
    }
    return c;
  };

  async function complete(
    messages: readonly ChatMessage[],
    opts: CompleteOptions = {},
  ): Promise<Completion> {
    let attempts = 0;
    const skipped: string[] = [];
    let contextError: LlmAnswerError | null = null;
    const now = performance.now();
    for (const [index, d] of down) if (now - d.at > DOWN_MS) down.delete(index);
    if (down.size === backends.length) down.clear();
    for (const b of backends) {
      const d = down.get(b.index);
      if (d !== undefined) {
        skipped.push(`${b.label}: ${d.why}`);
        continue;
      }
      try {
        const tooBig = await precheck(b, messages, opts.maxTokens ?? b.config.max_tokens);
        if (tooBig) throw tooBig;
        const c = await clientOf(b).complete(messages, opts);
        const out: Completion = {
          ...c,
          attempts: c.attempts + attempts,
          ...(backends.length > 1 ? { backend: b.label } : {}),
        };
        answered.set(out, b.index);
        return out;
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        if (err instanceof LlmUnavailableError && err.reason !== 'auth') {
          attempts += err.attempts;
          down.set(b.index, { why: err.message, at: performance.now() });
          lastUnavailable = err;
          skipped.push(`${b.label}: ${err.message}`);
          if (backends.length > 1)
            opts.onEvent?.({ type: 'failover', from: b.label, reason: err.reason });
          continue;
        }
        if (isContextError(err) && backends.length > 1) {
          attempts += (err as LlmAnswerError).attempts;
          contextError = err as LlmAnswerError;
          skipped.push(`${b.label}: ${contextError.message}`);
          opts.onEvent?.({ type: 'failover', from: b.label, reason: 'context' });
          continue;
        }
        throw err;
      }
    }
    if (contextError && lastUnavailable === null) throw contextError;
    if (backends.length === 1 && lastUnavailable) throw lastUnavailable;
    const last = lastUnavailable;
    throw new LlmUnavailableError(
      `no model backend is usable (${backends.length} tried in order):\n${skipped.map((s) => `  - ${s}`).join('\n')}`,
      last?.reason ?? 'connection',
      last?.status,
      attempts,
      { cause: last ?? contextError ?? undefined },
    );
  }

  return {
    backends,
    complete,
    backendOf: (completion) => answered.get(completion) ?? 0,
  };
}
