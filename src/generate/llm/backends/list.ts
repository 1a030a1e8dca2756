import type { LlmConfig } from '../../../config/schema.js';

/** One backend: the `llm:` block with its own server and model (and key, extra body). */
export interface Backend {
  /** 0-based position in the list. */
  readonly index: number;
  /** `model @ base_url`: how reports name it. */
  readonly label: string;
  readonly config: LlmConfig;
}

/**
 * The backends in the order they are tried: `llm.backends` when set (each entry completed from
 * the block), else the block's own `base_url` and `model`.
 */
export function backendsOf(llm: LlmConfig): Backend[] {
  const { backends, ...block } = llm;
  const list = backends ?? [{ base_url: llm.base_url, model: llm.model }];
  return list.map((b, index) => {
    const config: LlmConfig = {
      ...block,
      base_url: b.base_url,
      model: b.model,
      ...('api_key_env' in b && b.api_key_env ? { api_key_env: b.api_key_env } : {}),
      extra_body: { ...block.extra_body, ...('extra_body' in b ? b.extra_body : {}) },
    };
    return { index, label: `${b.model} @ ${b.base_url}`, config };
  });
}
