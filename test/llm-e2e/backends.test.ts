import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { llmCacheKey } from '../../src/generate/llm/cache.js';
import { backendsOf } from '../../src/generate/llm/backends/list.js';
import { REFUSING_URL } from '../support/personas.js';
import {
  buildBaseline,
  copyProject,
  fenced,
  llmServer,
  requestsFor,
  runCli,
  scenarioOf,
} from './helpers.js';
import type { Baseline } from './helpers.js';

let base: Baseline;

beforeAll(() => {
  base = buildBaseline();
});

/** A config whose `llm.backends` are the given (base_url, model) pairs, in order. */
function useBackends(dir: string, backends: readonly [string, string][], extra = ''): void {
  writeFileSync(
    join(dir, 'fixturegen.yaml'),
    [
      'models: crm.models',
      'scenarios: scenarios',
      'output: generated',
      'database_url: "sqlite+pysqlite:///:memory:"',
      'generator: llm',
      'llm:',
      '  max_tokens: 1000',
      '  timeout_s: 30',
      '  backends:',
      ...backends.flatMap(([url, model]) => [`    - base_url: ${url}`, `      model: ${model}`]),
      extra,
    ].join('\n'),
  );
}

const good = (scenario: string): string => fenced(base.bodies[scenario as 'team_budget']);

describe('llm.backends', () => {
  it('moves to the second backend when the first refuses connections; the cache is keyed by the model that answered', async () => {
    const server = await llmServer((scenario) => ({
      content: good(scenario),
      usage: { prompt_tokens: 900, completion_tokens: 300 },
    }));
    const dir = copyProject(base);
    useBackends(dir, [
      [REFUSING_URL, 'big-model'],
      [server.url, 'test-model'],
    ]);
    const r = await runCli(dir, ['build', '--force'], {}, 120_000);
    expect(r.status).toBe(0);
    // The outcome table says which backend answered.
    const second = `test-model @ ${server.url}`;
    expect(r.stdout).toMatch(
      /scenario\s+rounds\s+requests\s+prompt tok\s+completion tok\s+latency\s+backend\s+result/,
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `tenant_with_team\\s+1\\s+\\d+\\s+900\\s+300\\s+[\\d.]+ s\\s+${second.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+accepted`,
      ),
    );
    expect(server.requests.map(scenarioOf).sort()).toEqual(['team_budget', 'tenant_with_team']);
    for (const q of server.requests) expect(q.body.model).toBe('test-model');

    // The cache entry is under the answering model's key, not the first backend's.
    const config = configSchema.parse(
      (await import('yaml')).parse(readFileSync(join(dir, 'fixturegen.yaml'), 'utf8')),
    );
    const [firstBackend, secondBackend] = backendsOf(config.llm);
    const messages = requestsFor(server, 'tenant_with_team')[0]!.body.messages.map((m) => ({
      role: m.role as 'system' | 'user',
      content: m.content,
    }));
    const cacheDir = join(dir, '.fixturegen', 'cache');
    expect(existsSync(join(cacheDir, `${llmCacheKey(secondBackend!.config, messages)}.json`))).toBe(
      true,
    );
    expect(existsSync(join(cacheDir, `${llmCacheKey(firstBackend!.config, messages)}.json`))).toBe(
      false,
    );

    // Answered by the cache now, whichever backend is up: nothing is sent, not even to the second.
    await server.close();
    const again = await runCli(dir, ['build', '--force'], {}, 120_000);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(
      /tenant_with_team\s+0\s+0\s+900\s+300\s+[\d.]+ s\s+test-model @ \S+\s+cached/,
    );
  }, 240_000);

  it('moves on when the prompt does not fit the first backend’s context', async () => {
    const small = await llmServer((scenario) => ({ content: good(scenario) }), {
      contextLength: 1500,
    });
    const large = await llmServer((scenario) => ({ content: good(scenario) }), {
      contextLength: 65536,
    });
    const dir = copyProject(base);
    useBackends(dir, [
      [small.url, 'test-model'],
      [large.url, 'test-model'],
    ]);
    const r = await runCli(dir, ['build', '--force', 'tenant_with_team'], {}, 120_000);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`test-model @ ${large.url}`);
    expect(small.requests.length).toBeGreaterThan(0); // it answered 400 on the context
    expect(large.requests).toHaveLength(1);
  }, 240_000);

  it('stops with exit 3 when no backend is usable, naming each', async () => {
    const dir = copyProject(base);
    useBackends(dir, [
      [REFUSING_URL, 'a-model'],
      ['http://127.0.0.1:2/other/v1', 'b-model'],
    ]);
    const r = await runCli(dir, ['build', '--force', 'tenant_with_team'], {}, 120_000);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('no model backend is usable (2 tried in order)');
    expect(r.stderr).toContain('a-model @ http://127.0.0.1:2/v1');
    expect(r.stderr).toContain('b-model @ http://127.0.0.1:2/other/v1');
  }, 240_000);
});

describe('fixturegen doctor', () => {
  it('reports both backends, the Python environment and the database', async () => {
    const server = await llmServer(
      () => ({ content: 'ok', usage: { prompt_tokens: 12, completion_tokens: 1 } }),
      {
        model: 'test-model',
        contextLength: 32768,
        tokenizer: 'vllm',
      },
    );
    const dir = copyProject(base);
    useBackends(dir, [
      [REFUSING_URL, 'big-model'],
      [server.url, 'test-model'],
    ]);
    const r = await runCli(dir, ['doctor'], {}, 120_000);
    expect(r.status).toBe(1); // the first backend is unusable
    const out = r.stdout;
    expect(out).toContain('backend 1: big-model @ http://127.0.0.1:2/v1 (unusable)');
    expect(out).toMatch(/✗ reachable\s+GET http:\/\/127\.0\.0\.1:2\/v1\/models: .*ECONNREFUSED/);
    expect(out).toContain(`backend 2: test-model @ ${server.url}\n`);
    expect(out).toMatch(/✓ reachable\s+GET \/models answered in \d+ ms/);
    expect(out).toMatch(/✓ model listed\s+test-model/);
    expect(out).toMatch(/✓ completion\s+"ok" in \d+ ms \(12 prompt \+ 1 completion tokens\)/);
    expect(out).toMatch(
      /✓ context\s+32768 tokens \(max_model_len\); max_tokens 1000 leaves 31768 for the prompt/,
    );
    expect(out).toMatch(/✓ tokenizer\s+vLLM \/tokenize/);
    expect(out).toMatch(/✓ environment\s+.*Python 3\.\d+\.\d+, SQLAlchemy 2\.0\.\d+, pytest \d+/);
    expect(out).toMatch(/✓ models\s+crm\.models: \d+ mapped classes/);
    expect(out).toMatch(
      /✓ database\s+sqlite\+pysqlite:\/\/\/:memory:: tables created and rolled back/,
    );
    expect(out).toContain('1 of 2 backends usable; Python environment ready');
    expect(server.requests).toHaveLength(1); // the tiny completion

    const json = await runCli(dir, ['doctor', '--json'], {}, 120_000);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      backends: { usable: boolean; contextLength: number | null; tokenizer: string | null }[];
    };
    expect(report.ok).toBe(false);
    expect(report.backends.map((b) => b.usable)).toEqual([false, true]);
    expect(report.backends[1]).toMatchObject({ contextLength: 32768, tokenizer: 'vLLM /tokenize' });
  }, 240_000);

  it('names a model the server does not list, and llama.cpp’s context', async () => {
    const server = await llmServer(() => ({ content: 'ok' }), {
      model: 'served-model',
      contextLength: 4096,
      tokenizer: 'llamacpp',
    });
    const dir = copyProject(base);
    useBackends(dir, [[server.url, 'other-model']]);
    const r = await runCli(dir, ['doctor'], {}, 120_000);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /✗ model listed\s+other-model is not among the served models: served-model/,
    );
    expect(r.stdout).toMatch(/✗ completion\s+.*no chat completions for model "other-model"/);
    expect(r.stdout).toMatch(/✓ context\s+4096 tokens \(llama\.cpp n_ctx per slot\)/);
    expect(r.stdout).toMatch(/✓ tokenizer\s+llama\.cpp \/tokenize/);
  }, 240_000);
});
