import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { promptTokens } from '../support/openai-server.js';
import { buildBaseline, copyProject, fenced, llmServer, runCli, useLlm } from './helpers.js';
import type { Baseline } from './helpers.js';

let base: Baseline;

beforeAll(() => {
  base = buildBaseline();
});

interface PromptJson {
  messages: { role: string; content: string }[];
  tokens: number;
  estimatedTokens: number;
  tokensAreEstimated: boolean;
  tokenizer: string | null;
  contextLength: number | null;
}

describe("exact prompt size by the server's tokenizer", () => {
  it.each([
    ['vllm', 'vllm', 32768],
    ['llamacpp', 'llama.cpp', null],
  ] as const)(
    'fixturegen prompt counts with the %s tokenizer, and says so',
    async (kind, source, context) => {
      const server = await llmServer(() => ({ content: 'unused' }), {
        tokenizer: kind,
        contextLength: 32768,
      });
      const dir = copyProject(base);
      useLlm(dir, server.url);
      const j = await runCli(dir, ['prompt', 'tenant_with_team', '--json'], {}, 120_000);
      expect(j.status).toBe(0);
      const out = JSON.parse(j.stdout) as PromptJson;
      expect(out.tokens).toBe(promptTokens(out.messages));
      expect(out.tokens).not.toBe(out.estimatedTokens);
      expect(out).toMatchObject({
        tokensAreEstimated: false,
        tokenizer: source,
        contextLength: context,
      });
      expect(j.stderr).toContain(
        `${out.tokens} tokens (counted by the server's ${source} tokenizer)`,
      );
      expect(server.requests).toHaveLength(0); // counted, nothing generated
      expect(server.tokenizeCalls.length).toBeGreaterThan(0);
    },
    240_000,
  );

  it('a prompt that cannot fit is not sent: the next backend gets it, or FG312 says why', async () => {
    const small = await llmServer(() => ({ content: 'unused' }), {
      tokenizer: 'vllm',
      contextLength: 2000,
    });
    const large = await llmServer(
      (scenario) => ({ content: fenced(base.bodies[scenario as 'team_budget']) }),
      { tokenizer: 'vllm', contextLength: 65536 },
    );
    const dir = copyProject(base);
    writeFileSync(
      join(dir, 'fixturegen.yaml'),
      [
        'models: crm.models',
        'database_url: "sqlite+pysqlite:///:memory:"',
        'generator: llm',
        'llm:',
        '  max_tokens: 1000',
        '  backends:',
        `    - { base_url: "${small.url}", model: test-model }`,
        `    - { base_url: "${large.url}", model: test-model }`,
        '',
      ].join('\n'),
    );
    const r = await runCli(dir, ['build', '--force', 'tenant_with_team'], {}, 120_000);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`test-model @ ${large.url}`);
    expect(small.requests).toHaveLength(0);
    expect(small.tokenizeCalls.length).toBeGreaterThan(0);
    expect(large.requests).toHaveLength(1);

    const alone = copyProject(base);
    useLlm(alone, small.url);
    const one = await runCli(alone, ['build', '--force', 'tenant_with_team'], {}, 120_000);
    expect(one.status).toBe(1);
    expect(one.stderr).toContain('FG312');
    expect(one.stderr).toMatch(
      /the prompt is \d+ tokens \(counted by the server's vllm tokenizer\) and max_tokens is 8192: together more than the context of 2000 tokens/,
    );
    expect(small.requests).toHaveLength(0);
  }, 240_000);
});
