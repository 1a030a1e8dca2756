import { describe, expect, it } from 'vitest';
import { createLlmClient } from '../../src/generate/llm/client/create.js';
import { LlmAnswerError, LlmUnavailableError } from '../../src/generate/llm/client/errors.js';
import type { LlmEvent } from '../../src/generate/llm/client/types.js';
import { config, FAST, MESSAGES, MODULE, server } from './helpers.js';

describe('a good answer', () => {
  it('streams the text and reports usage', async () => {
    const s = await server();
    s.script({ content: MODULE, usage: { prompt_tokens: 321, completion_tokens: 45 } });
    const client = createLlmClient(config(s.url), {}, FAST);

    const done = await client.complete(MESSAGES);

    expect(done.text).toBe(MODULE);
    expect(done.finishReason).toBe('stop');
    expect(done.usage).toEqual({ promptTokens: 321, completionTokens: 45 });
    expect(done.attempts).toBe(1);
    expect(done.latencyMs).toBeGreaterThan(0);
    const body = s.requests[0]!.body;
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(body.messages).toEqual(MESSAGES);
  });

  it('sends the sampling parameters, top_k and repetition_penalty, and extra_body', async () => {
    const s = await server();
    s.script({ content: MODULE });
    const cfg = config(s.url, {
      extra_body: { chat_template_kwargs: { enable_thinking: false }, seed: 7 },
    });
    await createLlmClient(cfg, {}, FAST).complete(MESSAGES);

    expect(s.requests[0]?.body).toMatchObject({
      model: 'test-model',
      temperature: 0.7,
      top_p: 0.8,
      top_k: 20,
      repetition_penalty: 1.05,
      max_tokens: 8192,
      chat_template_kwargs: { enable_thinking: false },
      seed: 7,
    });
  });

  it('leaves out a field set to null in extra_body (Ollama rejects top_k)', async () => {
    const s = await server();
    s.script({ content: MODULE });
    const cfg = config(s.url, { extra_body: { top_k: null, repetition_penalty: null } });
    await createLlmClient(cfg, {}, FAST).complete(MESSAGES, { maxTokens: 100 });

    const body = s.requests[0]!.body;
    expect(body).not.toHaveProperty('top_k');
    expect(body).not.toHaveProperty('repetition_penalty');
    expect(body.max_tokens).toBe(100);
  });
});

describe('the API key', () => {
  it('comes from the configured environment variable', async () => {
    const s = await server({ apiKey: 'sk-secret-123' });
    s.script({ content: MODULE });
    const cfg = config(s.url, { api_key_env: 'MY_LLM_KEY' });
    await createLlmClient(cfg, { MY_LLM_KEY: 'sk-secret-123' }, FAST).complete(MESSAGES);
    expect(s.requests[0]?.authorization).toBe('Bearer sk-secret-123');
  });

  it('is a dummy when the variable is unset or empty', async () => {
    const s = await server();
    s.script({ content: MODULE }, { content: MODULE });
    await createLlmClient(config(s.url), {}, FAST).complete(MESSAGES);
    await createLlmClient(config(s.url), { FIXTUREGEN_API_KEY: '' }, FAST).complete(MESSAGES);
    expect(s.requests.map((r) => r.authorization)).toEqual([
      'Bearer sk-no-key',
      'Bearer sk-no-key',
    ]);
  });

  it('refused by the server is an unavailable server, not retried, and not quoted', async () => {
    const s = await server({ apiKey: 'the-right-one' });
    const events: LlmEvent[] = [];
    const client = createLlmClient(config(s.url), { FIXTUREGEN_API_KEY: 'sk-wrong-key' }, FAST);

    const err = await client
      .complete(MESSAGES, { onEvent: (e) => events.push(e) })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err).toMatchObject({ reason: 'auth', status: 401, attempts: 1 });
    expect(s.requests).toHaveLength(1);
    expect((err as Error).message).toContain('FIXTUREGEN_API_KEY');
    expect(JSON.stringify([String(err), (err as Error).stack, events])).not.toContain('sk-wrong');
  });
});

describe('retries', () => {
  it('waits for Retry-After on 429, then succeeds', async () => {
    const s = await server();
    s.script({ fault: { status: 429, retryAfter: 1 } }, { content: MODULE });
    const events: LlmEvent[] = [];

    const done = await createLlmClient(config(s.url), {}, FAST).complete(MESSAGES, {
      onEvent: (e) => events.push(e),
    });

    expect(done.attempts).toBe(2);
    const [first, second] = s.requests;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1000);
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      {
        type: 'retry',
        attempt: 1,
        reason: expect.stringContaining('429') as unknown,
        delayMs: 1000,
      },
    ]);
  });

  it('caps a long Retry-After', async () => {
    const s = await server();
    s.script({ fault: { status: 429, retryAfter: 3600 } }, { content: MODULE });
    const events: LlmEvent[] = [];
    const client = createLlmClient(config(s.url), {}, { retry: { retryAfterCapMs: 30 } });
    await client.complete(MESSAGES, { onEvent: (e) => events.push(e) });
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ delayMs: 30 });
  });

  it('retries 500 and 503 with exponential backoff, then succeeds', async () => {
    const s = await server();
    s.script({ fault: { status: 500 } }, { fault: { status: 503 } }, { content: MODULE });
    const delays: number[] = [];

    const done = await createLlmClient(config(s.url), {}, FAST).complete(MESSAGES, {
      onEvent: (e) => e.type === 'retry' && delays.push(e.delayMs),
    });

    expect(done.text).toBe(MODULE);
    expect(done.attempts).toBe(3);
    expect(delays).toEqual([10, 20]);
  });

  it('gives up on a persistent 503 as an unavailable server', async () => {
    const s = await server();
    s.script(() => ({ fault: { status: 503, message: 'overloaded' } }));
    const err = await createLlmClient(config(s.url), {}, FAST)
      .complete(MESSAGES)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err).toMatchObject({ reason: 'status', status: 503, attempts: 3 });
    expect((err as Error).message).toMatch(/unusable after 3 attempts: HTTP 503 overloaded/);
    expect(s.requests).toHaveLength(3);
  });

  it('retries a stream reset midway and keeps only the complete answer', async () => {
    const s = await server();
    const partial = 'import pytest\n' + '# filler line of the broken answer\n'.repeat(10);
    s.script({ content: partial, fault: 'reset' }, { content: MODULE });
    const events: LlmEvent[] = [];

    const done = await createLlmClient(config(s.url), {}, FAST).complete(MESSAGES, {
      onEvent: (e) => events.push(e),
    });

    expect(done.text).toBe(MODULE);
    expect(done.attempts).toBe(2);
    // The first answer had started streaming before the socket broke.
    expect(events.map((e) => e.type)).toEqual([
      'request',
      'first-chunk',
      'retry',
      'request',
      'first-chunk',
    ]);
    expect(events[2]).toMatchObject({
      reason: expect.stringMatching(/^the stream broke/) as unknown,
    });
  });

  it('retries a stream that ends without a finish reason', async () => {
    const s = await server();
    s.script({ content: 'import pytest\n', fault: 'truncate' }, { content: MODULE });
    const reasons: string[] = [];

    const done = await createLlmClient(config(s.url), {}, FAST).complete(MESSAGES, {
      onEvent: (e) => e.type === 'retry' && reasons.push(e.reason),
    });

    expect(done.text).toBe(MODULE);
    expect(reasons).toEqual(['the stream ended without a finish reason']);
  });

  it('reports a refused connection as unavailable after the configured retries', async () => {
    const s = await server();
    const url = s.url;
    await s.close();
    const delays: number[] = [];

    const err = await createLlmClient(config(url), {}, FAST)
      .complete(MESSAGES, { onEvent: (e) => e.type === 'retry' && delays.push(e.delayMs) })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err).toMatchObject({ reason: 'connection', attempts: 3 });
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect(delays).toEqual([10, 20]);
  });

  it('times out a server that never answers', async () => {
    const s = await server();
    s.script({ fault: 'hang' }, { fault: 'hang' });
    const client = createLlmClient(
      config(s.url),
      {},
      { retry: { maxRetries: 1, baseDelayMs: 1 }, timeoutMs: 150 },
    );
    const started = performance.now();

    const err = await client.complete(MESSAGES).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err).toMatchObject({ reason: 'timeout', attempts: 2 });
    expect(s.requests).toHaveLength(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('times out a stream that goes silent, then succeeds on the retry', async () => {
    const s = await server();
    s.script(
      { content: 'import pytest\n' + 'x = 1\n'.repeat(20), chunkDelayMs: 60_000 },
      { content: MODULE },
    );
    const client = createLlmClient(config(s.url), {}, { ...FAST, timeoutMs: 150 });
    const done = await client.complete(MESSAGES);
    expect(done.text).toBe(MODULE);
    expect(done.attempts).toBe(2);
  });

  it('uses the configured timeout_s when no override is given', async () => {
    const s = await server();
    s.script({ fault: 'hang' });
    const client = createLlmClient(
      config(s.url, { timeout_s: 0.1 }),
      {},
      { retry: { maxRetries: 0 } },
    );
    await expect(client.complete(MESSAGES)).rejects.toMatchObject({
      reason: 'timeout',
      attempts: 1,
    });
  });

  it('stops at once when the caller aborts', async () => {
    const s = await server();
    s.script({ fault: 'hang' });
    const controller = new AbortController();
    const pending = createLlmClient(config(s.url), {}, FAST).complete(MESSAGES, {
      signal: controller.signal,
    });
    await s.waitForRequests(1);
    controller.abort(new Error('user cancelled'));
    await expect(pending).rejects.toThrow('user cancelled');
    expect(s.requests).toHaveLength(1);
  });
});

describe('finish_reason "length"', () => {
  it('retries once with twice the max_tokens', async () => {
    const s = await server();
    s.script({ content: 'import pytest\n', fault: 'length' }, { content: MODULE });
    const client = createLlmClient(config(s.url, { max_tokens: 1000 }), {}, FAST);

    const done = await client.complete(MESSAGES);

    expect(done.text).toBe(MODULE);
    expect(done.attempts).toBe(2);
    expect(s.requests.map((r) => r.body.max_tokens)).toEqual([1000, 2000]);
  });

  it('fails with an answer error when the second answer is cut off too', async () => {
    const s = await server();
    s.script({ content: 'a', fault: 'length' }, { content: 'a', finishReason: 'length' });
    const client = createLlmClient(config(s.url, { max_tokens: 1000 }), {}, FAST);

    const err = await client.complete(MESSAGES).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LlmAnswerError);
    expect(err).toMatchObject({ reason: 'length', attempts: 2 });
    expect((err as Error).message).toContain('max_tokens=2000');
    expect(s.requests).toHaveLength(2);
  });
});

describe('other answers and refusals', () => {
  it('stops reading a server that ignores max_tokens and treats it as cut off', async () => {
    const s = await server();
    const endless = 'x = 1\n'.repeat(200); // 1,200 characters
    s.script({ content: endless }, { content: endless });
    const client = createLlmClient(config(s.url, { max_tokens: 10 }), {}, FAST);

    const err = await client.complete(MESSAGES).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LlmAnswerError);
    expect(err).toMatchObject({ reason: 'length', attempts: 2 });
    expect(s.requests.map((r) => r.body.max_tokens)).toEqual([10, 20]);
  });

  it('fails on an empty answer without retrying', async () => {
    const s = await server();
    s.script({ content: '' });
    const err = await createLlmClient(config(s.url), {}, FAST)
      .complete(MESSAGES)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmAnswerError);
    expect(err).toMatchObject({ reason: 'empty', attempts: 1 });
  });

  it('reports an unknown model as an unavailable server', async () => {
    const s = await server({ model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct' });
    const err = await createLlmClient(config(s.url, { model: 'qwen3-coder' }), {}, FAST)
      .complete(MESSAGES)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect(err).toMatchObject({ reason: 'not-found', status: 404, attempts: 1 });
    expect((err as Error).message).toContain('qwen3-coder');
  });

  it('fails a request the server rejects (400) without retrying', async () => {
    const s = await server();
    s.script({ fault: { status: 400, message: 'prompt is longer than the context' } });
    const err = await createLlmClient(config(s.url), {}, FAST)
      .complete(MESSAGES)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmAnswerError);
    expect(err).toMatchObject({ reason: 'rejected', attempts: 1 });
    expect((err as Error).message).toContain('prompt is longer than the context');
  });

  it('drops stream_options for a server that rejects it, and remembers', async () => {
    const s = await server({ rejectStreamOptions: true });
    s.script({ content: MODULE }, { content: MODULE });
    const events: LlmEvent[] = [];
    const client = createLlmClient(config(s.url), {}, FAST);

    const first = await client.complete(MESSAGES, { onEvent: (e) => events.push(e) });
    const second = await client.complete(MESSAGES);

    expect(first.text).toBe(MODULE);
    expect(first.usage).toBeNull();
    expect(second.attempts).toBe(1);
    expect(s.requests.map((r) => 'stream_options' in r.body)).toEqual([true, false, false]);
    expect(events.map((e) => e.type)).toContain('stream-options-dropped');
  });
});
