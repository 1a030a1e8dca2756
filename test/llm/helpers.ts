import { afterEach } from 'vitest';
import { llmSchema } from '../../src/config/schema.js';
import type { LlmConfig } from '../../src/config/schema.js';
import type { LlmClientOptions } from '../../src/generate/llm/client/create.js';
import type { ChatMessage } from '../../src/generate/llm/client/types.js';
import { startOpenAiServer } from '../support/openai-server.js';
import type { OpenAiTestServer, ServerOptions } from '../support/openai-server.js';

/** Small, deterministic waits so retry tests stay fast. */
export const FAST: LlmClientOptions = {
  retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 40, retryAfterCapMs: 5_000 },
  timeoutMs: 2_000,
};

export const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You write pytest fixtures.' },
  { role: 'user', content: 'Write the fixture for scenario "two users".' },
];

export const MODULE = [
  '```python',
  'import pytest',
  '',
  '',
  '@pytest.fixture',
  'def two_users(session):',
  '    return []',
  '```',
].join('\n');

const servers: OpenAiTestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A scripted server closed after the test. */
export async function server(options?: ServerOptions): Promise<OpenAiTestServer> {
  const s = await startOpenAiServer(options);
  servers.push(s);
  return s;
}

export function config(url: string, overrides: Partial<LlmConfig> = {}): LlmConfig {
  return llmSchema.parse({ base_url: url, model: 'test-model', ...overrides });
}
