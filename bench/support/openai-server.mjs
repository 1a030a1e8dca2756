// A scripted OpenAI-compatible chat-completions server for tests and benchmarks.
// Plain ESM JavaScript so `bench/*.mjs` can import it without a build; the types are in
// openai-server.d.mts and `test/support/openai-server.ts` re-exports it.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { EventEmitter } from 'node:events';
import { setTimeout, clearTimeout } from 'node:timers';

const CHUNK_CHARS = 24;

/** The scripted tokenizer: one token per 4 characters of text, rounded up. */
export function textTokens(text) {
  return Math.ceil(text.length / 4);
}

/** llama.cpp-style rendering of chat messages with a ChatML-like template. */
export function renderTemplate(messages) {
  return (
    messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') +
    '<|im_start|>assistant\n'
  );
}

/** Tokens of chat messages as the scripted servers count them (the rendered template's). */
export function promptTokens(messages) {
  return textTokens(renderTemplate(messages));
}

/** @param {import('./openai-server.d.mts').ServerOptions} [options] */
export async function startOpenAiServer(options = {}) {
  /** @type {import('./openai-server.d.mts').ScriptedAnswer[]} */
  const queue = [];
  /** @type {import('./openai-server.d.mts').AnswerFn | null} */
  let answerFn = null;
  /** @type {import('./openai-server.d.mts').RecordedRequest[]} */
  const requests = [];
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let inFlight = 0;
  let maxInFlight = 0;
  let sequence = 0;
  const pendingTimers = new Set();
  /** Bodies of tokenizer requests, in order. */
  const tokenizeCalls = [];

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'GET' && url.pathname === '/v1/models') {
        const entry = {
          id: options.model ?? 'test-model',
          object: 'model',
          owned_by: 'fixturegen-test',
        };
        // vLLM lists each model's context; llama.cpp and Ollama do not.
        if (options.contextLength !== undefined && options.tokenizer !== 'llamacpp')
          entry.max_model_len = options.contextLength;
        sendJson(res, 200, { object: 'list', data: [entry] });
        return;
      }
      if (tokenizerRoute(req.method, url.pathname, raw, res)) return;
      if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') {
        sendJson(res, 404, { error: { message: `no route ${req.method} ${url.pathname}` } });
        return;
      }
      let body;
      try {
        body = JSON.parse(raw);
      } catch {
        sendJson(res, 400, {
          error: { message: 'body is not JSON', type: 'invalid_request_error' },
        });
        return;
      }
      const record = {
        index: requests.length,
        method: req.method,
        path: url.pathname,
        authorization: req.headers.authorization ?? null,
        headers: { ...req.headers },
        body,
        receivedAt: Date.now(),
      };
      requests.push(record);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.on('close', () => {
        inFlight -= 1;
        events.emit('closed', record);
      });
      events.emit('request', record);
      void handleCompletion(record, body, res).catch((err) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: String(err) } });
        else res.destroy();
      });
    });
  });

  async function handleCompletion(record, body, res) {
    if (options.apiKey !== undefined && record.authorization !== `Bearer ${options.apiKey}`) {
      sendJson(res, 401, { error: { message: 'invalid api key', type: 'authentication_error' } });
      return;
    }
    if (options.model !== undefined && body.model !== options.model) {
      sendJson(res, 404, {
        error: { message: `The model \`${body.model}\` does not exist.`, type: 'NotFoundError' },
      });
      return;
    }
    if (options.rejectStreamOptions && body.stream_options !== undefined) {
      sendJson(res, 400, {
        error: {
          message: 'stream_options: Extra inputs are not permitted',
          type: 'invalid_request_error',
          param: 'stream_options',
        },
      });
      return;
    }
    if (options.contextLength !== undefined) {
      const wanted = promptTokens(body.messages ?? []) + (body.max_tokens ?? 0);
      if (wanted > options.contextLength) {
        sendJson(res, 400, {
          error: {
            message:
              `This model's maximum context length is ${options.contextLength} tokens. However, you ` +
              `requested ${wanted} tokens (${promptTokens(body.messages ?? [])} in the messages, ` +
              `${body.max_tokens ?? 0} in the completion). Please reduce the length of the messages or completion.`,
            type: 'BadRequestError',
            code: 400,
          },
        });
        return;
      }
    }
    const answer = nextAnswer(record);
    if (answer === null) {
      sendJson(res, 500, { error: { message: 'test server: no scripted answer left' } });
      return;
    }
    const fault = answer.fault;
    if (fault === 'hang') return; // never answers; close() destroys the socket
    if (answer.latencyMs) await wait(answer.latencyMs);
    if (answer.heldUntil) await answer.heldUntil.catch(() => {});
    if (res.destroyed) return;
    if (fault !== undefined && typeof fault === 'object') {
      const headers = {};
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      sendJson(
        res,
        fault.status,
        {
          error: {
            message: fault.message ?? `scripted status ${fault.status}`,
            code: fault.status,
          },
        },
        headers,
      );
      return;
    }
    const content = answer.content ?? '';
    const finishReason = fault === 'length' ? 'length' : (answer.finishReason ?? 'stop');
    const usage =
      answer.usage === null
        ? null
        : (answer.usage ?? {
            prompt_tokens: Math.ceil(JSON.stringify(body.messages ?? []).length / 4),
            completion_tokens: Math.ceil(content.length / 4),
          });
    const fullUsage = usage && {
      ...usage,
      total_tokens: usage.prompt_tokens + usage.completion_tokens,
    };
    const id = `chatcmpl-test-${++sequence}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model ?? 'test-model';

    if (!body.stream) {
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          { index: 0, message: { role: 'assistant', content }, finish_reason: finishReason },
        ],
        ...(fullUsage ? { usage: fullUsage } : {}),
      });
      return;
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const chunk = (delta, finish, extra = {}) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...extra,
    });
    const send = (obj) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
    send(chunk({ role: 'assistant', content: '' }, null));
    const pieces = [];
    for (let i = 0; i < content.length; i += CHUNK_CHARS)
      pieces.push(content.slice(i, i + CHUNK_CHARS));
    for (let i = 0; i < pieces.length; i += 1) {
      if (answer.chunkDelayMs) await wait(answer.chunkDelayMs);
      if (res.destroyed) return;
      send(chunk({ content: pieces[i] }, null));
      if (fault === 'reset' && i >= Math.floor(pieces.length / 2)) {
        // Let what was written reach the client first, so the break is truly mid-stream.
        await new Promise((resolve) => res.write('', resolve));
        res.socket?.destroy();
        return;
      }
    }
    if (fault === 'reset') {
      res.socket?.destroy();
      return;
    }
    if (fault === 'truncate') {
      res.end();
      return;
    }
    send(chunk({}, finishReason));
    if (body.stream_options?.include_usage && fullUsage) {
      send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: fullUsage });
    }
    res.end('data: [DONE]\n\n');
  }

  /**
   * The tokenizer endpoints of vLLM (`POST /tokenize` with a model and chat messages: count and
   * max_model_len) and llama.cpp (`POST /tokenize` with `content`: the tokens; `POST
   * /apply-template` renders messages; `GET /props` tells the context). Their token count is
   * `promptTokens`, a rule tests can compute.
   */
  function tokenizerRoute(method, path, raw, res) {
    const kind = options.tokenizer;
    if (kind === undefined) return false;
    let body = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      body = {};
    }
    if (kind === 'vllm' && method === 'POST' && path === '/tokenize') {
      tokenizeCalls.push(body);
      const count = body.messages ? promptTokens(body.messages) : textTokens(body.prompt ?? '');
      sendJson(res, 200, {
        count,
        max_model_len: options.contextLength ?? 32768,
        tokens: Array.from({ length: count }, (_, k) => k),
      });
      return true;
    }
    if (kind === 'llamacpp' && method === 'POST' && path === '/apply-template') {
      sendJson(res, 200, { prompt: renderTemplate(body.messages ?? []) });
      return true;
    }
    if (kind === 'llamacpp' && method === 'POST' && path === '/tokenize') {
      tokenizeCalls.push(body);
      const count = textTokens(body.content ?? '');
      sendJson(res, 200, { tokens: Array.from({ length: count }, (_, k) => k) });
      return true;
    }
    if (kind === 'llamacpp' && method === 'GET' && path === '/props') {
      sendJson(res, 200, {
        default_generation_settings: { n_ctx: options.contextLength ?? 4096 },
        total_slots: 1,
      });
      return true;
    }
    return false;
  }

  function nextAnswer(record) {
    if (queue.length > 0) return queue.shift() ?? null;
    if (answerFn) return answerFn(record);
    return options.fallback ?? null;
  }

  function wait(ms) {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        pendingTimers.delete(t);
        resolve();
      }, ms);
      pendingTimers.add(t);
    });
  }

  function sendJson(res, status, obj, headers = {}) {
    const text = JSON.stringify(obj);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');
  const origin = `http://127.0.0.1:${address.port}`;

  let closed = false;
  return {
    url: `${origin}/v1`,
    origin,
    port: address.port,
    requests,
    tokenizeCalls,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    script(...answers) {
      if (answers.length === 1 && typeof answers[0] === 'function') answerFn = answers[0];
      else queue.push(...answers);
    },
    get remaining() {
      return queue.length;
    },
    waitForRequests(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          events.off('request', check);
          clearTimeout(timer);
          resolve(requests.slice(0, count));
        };
        const timer = setTimeout(() => {
          events.off('request', check);
          reject(
            new Error(`expected ${count} requests within ${timeoutMs} ms, saw ${requests.length}`),
          );
        }, timeoutMs);
        events.on('request', check);
        check();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of pendingTimers) clearTimeout(t);
      pendingTimers.clear();
      await new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      });
    },
  };
}
