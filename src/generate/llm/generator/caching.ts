import { createHash } from 'node:crypto';
import type { LlmConfig } from '../../../config/schema.js';
import type { AnswerCache } from '../cache.js';
import { samplingParams } from '../client/request.js';
import type { PromptTemplates } from '../prompt/templates.js';

export function generatorFingerprint(llm: LlmConfig, templates: PromptTemplates): string {
  return `llm:${createHash('sha256')
    .update(
      JSON.stringify({
        model: llm.model,
        params: { ...sortObject(samplingParams(llm)), max_tokens: llm.max_tokens },
        templates: templates.hash,
        // Only when set, so that a configuration without backends keeps its fingerprint.
        ...(llm.backends ? { backends: llm.backends } : {}),
      }),
    )
    .digest('hex')}`;
}

export async function storeAnswer(
  cache: AnswerCache,
  key: string,
  code: string,
  tally: { readonly promptTokens: number | null; readonly completionTokens: number | null },
): Promise<void> {
  await cache
    .put(key, {
      code,
      usage:
        tally.promptTokens === null
          ? null
          : {
              promptTokens: tally.promptTokens,
              completionTokens: tally.completionTokens ?? 0,
            },
      createdAt: new Date().toISOString(),
    })
    .catch(() => undefined); // a read-only cache folder costs a request next time, nothing more
}

function sortObject(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)));
}
