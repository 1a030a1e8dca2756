import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../../canonical-json.js';
import type { LlmConfig } from '../../config/schema.js';
import { redact } from '../../config/secrets.js';
import { samplingParams } from './client/request.js';
import type { ChatMessage, TokenUsage } from './client/types.js';

/**
 * Accepted answers, one JSON file per key under `<root>/.fixturegen/cache/`. The key covers what
 * shapes the answer (messages, model, sampling parameters), never where it came from or with which
 * credentials: the base URL, the key's variable name and the key itself are not part of it, and no
 * entry holds them.
 */
export interface CacheEntry {
  readonly code: string;
  readonly usage: TokenUsage | null;
  /** ISO 8601. */
  readonly createdAt: string;
}

export interface CacheKeyInput {
  readonly messages: readonly ChatMessage[];
  readonly model: string;
  /** Sampling parameters as sent (see `samplingParams`), plus max_tokens. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Anything else the caller wants the key to depend on (e.g. a contract version). */
  readonly extra?: unknown;
}

export interface AnswerCache {
  readonly dir: string;
  get(key: string): Promise<CacheEntry | null>;
  put(key: string, entry: CacheEntry): Promise<void>;
}

const FORMAT = 'fixturegen-llm-answer/1';
const KEY = /^[0-9a-f]{64}$/;

export function cacheKey(input: CacheKeyInput): string {
  const canonical = canonicalJson({
    format: FORMAT,
    messages: input.messages.map((m) => ({ role: m.role, content: m.content })),
    model: input.model,
    params: input.params,
    extra: input.extra ?? null,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** The key for a prompt sent with this configuration. */
export function llmCacheKey(
  config: LlmConfig,
  messages: readonly ChatMessage[],
  extra?: unknown,
): string {
  return cacheKey({
    messages,
    model: config.model,
    params: { ...samplingParams(config), max_tokens: config.max_tokens },
    extra,
  });
}

export function createAnswerCache(root: string): AnswerCache {
  const dir = join(root, '.fixturegen', 'cache');
  const fileOf = (key: string): string => {
    if (!KEY.test(key)) throw new Error(`not a cache key: ${JSON.stringify(key)}`);
    return join(dir, `${key}.json`);
  };

  return {
    dir,
    async get(key) {
      let text: string;
      try {
        text = await readFile(fileOf(key), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      // A damaged or foreign entry is a miss: the answer is asked for again and rewritten.
      try {
        const data = JSON.parse(text) as Record<string, unknown>;
        if (data['format'] !== FORMAT || data['key'] !== key || typeof data['code'] !== 'string') {
          return null;
        }
        return {
          code: data['code'],
          usage: isUsage(data['usage']) ? data['usage'] : null,
          createdAt: typeof data['createdAt'] === 'string' ? data['createdAt'] : '',
        };
      } catch {
        return null;
      }
    },
    async put(key, entry) {
      const file = fileOf(key);
      // An answer that holds a secret is not kept: asking again costs less than storing it.
      if (redact(entry.code) !== entry.code) return;
      await mkdir(dir, { recursive: true });
      const record = {
        format: FORMAT,
        key,
        code: entry.code,
        usage: entry.usage,
        createdAt: entry.createdAt,
      };
      // Same folder as the target so the rename is atomic; concurrent writers each use their own temp.
      const temp = join(dir, `.${key}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, 'utf8');
        await rename(temp, file);
      } catch (err) {
        await unlink(temp).catch(() => undefined);
        throw err;
      }
    },
  };
}

function isUsage(value: unknown): value is TokenUsage {
  if (typeof value !== 'object' || value === null) return false;
  const u = value as Record<string, unknown>;
  return typeof u['promptTokens'] === 'number' && typeof u['completionTokens'] === 'number';
}
