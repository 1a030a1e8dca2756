import { describe, expect, it } from 'vitest';
import { MODULE, server } from './helpers.js';

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify(body),
  });
}

describe('the scripted test server', () => {
  it('lists its model', async () => {
    const s = await server({ model: 'Qwen/Qwen3-Coder-30B-A3B-Instruct' });
    const res = await fetch(`${s.url}/models`);
    expect(await res.json()).toMatchObject({
      object: 'list',
      data: [{ id: 'Qwen/Qwen3-Coder-30B-A3B-Instruct', object: 'model' }],
    });
  });

  it('answers without streaming, with usage', async () => {
    const s = await server();
    s.script({ content: MODULE, usage: { prompt_tokens: 5, completion_tokens: 7 } });
    const res = await post(s.url, { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant', content: MODULE }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    });
    expect(s.requests[0]?.authorization).toBe('Bearer sk-test');
  });

  it('streams SSE chunks, a finish chunk, a usage chunk on request, then [DONE]', async () => {
    const s = await server();
    s.script({ content: MODULE });
    const res = await post(s.url, {
      model: 'm',
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    type Chunk = {
      choices: { delta?: { content?: string }; finish_reason?: string | null }[];
      usage?: unknown;
    };
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')) as Chunk);
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe(MODULE);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { completion_tokens: expect.any(Number) as unknown },
    });
  });

  it('sends no usage chunk unless asked', async () => {
    const s = await server();
    s.script({ content: 'x = 1\n' });
    const res = await post(s.url, { model: 'm', messages: [], stream: true });
    expect(await res.text()).not.toContain('"usage"');
  });

  it('answers 500 when nothing is scripted, and counts requests in flight', async () => {
    const s = await server();
    s.script({ content: 'x', latencyMs: 30 }, { content: 'y', latencyMs: 30 });
    await Promise.all([post(s.url, { messages: [] }), post(s.url, { messages: [] })]);
    expect(s.maxInFlight).toBe(2);
    expect(s.inFlight).toBe(0);
    const res = await post(s.url, { messages: [] });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('no scripted answer left');
  });

  it('waits for requests with a deadline', async () => {
    const s = await server();
    await expect(s.waitForRequests(1, 20)).rejects.toThrow(
      'expected 1 requests within 20 ms, saw 0',
    );
  });
});
