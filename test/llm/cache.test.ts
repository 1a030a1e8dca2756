import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { llmSchema } from '../../src/config/schema.js';
import type { LlmConfig } from '../../src/config/schema.js';
import { cacheKey, createAnswerCache, llmCacheKey } from '../../src/generate/llm/cache.js';
import type { ChatMessage } from '../../src/generate/llm/client/types.js';

const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'contract' },
  { role: 'user', content: 'scenario' },
];
const BASE: LlmConfig = llmSchema.parse({});
const KEY = llmCacheKey(BASE, MESSAGES);

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fixturegen-cache-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('cacheKey', () => {
  it('is a sha256 hex digest, stable across calls and key order', () => {
    expect(KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(llmCacheKey(llmSchema.parse({}), MESSAGES)).toBe(KEY);
    const a = cacheKey({
      messages: MESSAGES,
      model: 'm',
      params: { top_p: 0.8, temperature: 0.7 },
    });
    const b = cacheKey({
      messages: MESSAGES,
      model: 'm',
      params: { temperature: 0.7, top_p: 0.8 },
    });
    expect(a).toBe(b);
  });

  it('changes with the messages, the model and every sampling parameter', () => {
    const variants: Array<[string, string]> = [
      ['message', llmCacheKey(BASE, [MESSAGES[0]!, { role: 'user', content: 'scenario!' }])],
      ['role', llmCacheKey(BASE, [MESSAGES[0]!, { role: 'assistant', content: 'scenario' }])],
      ['extra turn', llmCacheKey(BASE, [...MESSAGES, { role: 'user', content: 'fix it' }])],
      ['model', llmCacheKey({ ...BASE, model: 'other' }, MESSAGES)],
      ['temperature', llmCacheKey({ ...BASE, temperature: 0.2 }, MESSAGES)],
      ['top_p', llmCacheKey({ ...BASE, top_p: 0.9 }, MESSAGES)],
      ['top_k', llmCacheKey({ ...BASE, top_k: 40 }, MESSAGES)],
      ['repetition_penalty', llmCacheKey({ ...BASE, repetition_penalty: 1.1 }, MESSAGES)],
      ['max_tokens', llmCacheKey({ ...BASE, max_tokens: 4096 }, MESSAGES)],
      ['extra_body', llmCacheKey({ ...BASE, extra_body: { seed: 1 } }, MESSAGES)],
      ['extra', llmCacheKey(BASE, MESSAGES, { contract: 2 })],
    ];
    for (const [what, key] of variants) expect(key, what).not.toBe(KEY);
    expect(new Set(variants.map(([, k]) => k)).size).toBe(variants.length);
  });

  it('ignores where the answer comes from and how the request is sent', () => {
    const same: LlmConfig = {
      ...BASE,
      base_url: 'http://127.0.0.1:9999/v1',
      api_key_env: 'SOME_OTHER_KEY',
      timeout_s: 5,
      concurrency: 16,
      max_repairs: 0,
    };
    expect(llmCacheKey(same, MESSAGES)).toBe(KEY);
  });
});

describe('createAnswerCache', () => {
  it('misses, then returns what was put', async () => {
    const cache = createAnswerCache(root);
    expect(await cache.get(KEY)).toBeNull();
    const entry = {
      code: 'import pytest\n',
      usage: { promptTokens: 10, completionTokens: 3 },
      createdAt: '2025-01-01T00:00:00.000Z',
    };
    await cache.put(KEY, entry);
    expect(await cache.get(KEY)).toEqual(entry);
    expect(await createAnswerCache(root).get(KEY)).toEqual(entry);
    expect(cache.dir).toBe(join(root, '.fixturegen', 'cache'));
    expect(await readdir(cache.dir)).toEqual([`${KEY}.json`]);
  });

  it('overwrites an entry and leaves no temporary files', async () => {
    const cache = createAnswerCache(root);
    const at = '2025-01-01T00:00:00.000Z';
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        cache.put(KEY, { code: `x = ${i}\n`, usage: null, createdAt: at }),
      ),
    );
    expect(await readdir(cache.dir)).toEqual([`${KEY}.json`]);
    expect((await cache.get(KEY))?.code).toMatch(/^x = \d\n$/);
  });

  it('treats a damaged or foreign file as a miss', async () => {
    const cache = createAnswerCache(root);
    await cache.put(KEY, { code: 'x = 1\n', usage: null, createdAt: 'now' });
    const file = join(cache.dir, `${KEY}.json`);
    await writeFile(file, '{"format": "fixturegen-llm-answer/1", "key": "', 'utf8');
    expect(await cache.get(KEY)).toBeNull();
    await writeFile(file, JSON.stringify({ code: 'x = 1\n' }), 'utf8');
    expect(await cache.get(KEY)).toBeNull();
  });

  it('refuses a key that is not a digest (no path tricks)', async () => {
    const cache = createAnswerCache(root);
    await expect(cache.get('../../etc/passwd')).rejects.toThrow(/not a cache key/);
    await expect(
      cache.put('../escape', { code: '', usage: null, createdAt: 'now' }),
    ).rejects.toThrow(/not a cache key/);
  });

  it('stores no API key or server address', async () => {
    const cache = createAnswerCache(root);
    const env = { FIXTUREGEN_API_KEY: 'sk-very-secret' };
    const cfg: LlmConfig = { ...BASE, base_url: 'http://127.0.0.1:8000/v1' };
    await cache.put(llmCacheKey(cfg, MESSAGES), {
      code: 'x = 1\n',
      usage: null,
      createdAt: 'now',
    });
    const text = await readFile(join(cache.dir, `${llmCacheKey(cfg, MESSAGES)}.json`), 'utf8');
    expect(text).not.toContain(env.FIXTUREGEN_API_KEY);
    expect(text).not.toContain('127.0.0.1');
    expect(Object.keys(JSON.parse(text) as object).sort()).toEqual([
      'code',
      'createdAt',
      'format',
      'key',
      'usage',
    ]);
  });
});
