import type { Generator } from '../../types.js';
import type { AnswerCache } from '../cache.js';
import type { LlmClientOptions } from '../client/create.js';
import type { LlmClient } from '../client/types.js';
import type { PromptTemplates } from '../prompt/templates.js';

/** A scenario's way through the generator, for live progress output. */
export type LlmStatus =
  | { readonly phase: 'queued' }
  | { readonly phase: 'cache-hit' }
  | { readonly phase: 'sending'; readonly round: number; readonly request: number }
  | { readonly phase: 'receiving'; readonly round: number }
  | {
      readonly phase: 'retrying';
      readonly round: number;
      readonly reason: string;
      readonly delayMs: number;
    }
  | {
      readonly phase: 'failover';
      readonly round: number;
      readonly from: string;
      readonly reason: string;
    }
  | { readonly phase: 'verifying'; readonly round: number }
  | { readonly phase: 'repair'; readonly round: number; readonly of: number }
  | { readonly phase: 'fallback' }
  | { readonly phase: 'done'; readonly result: LlmResult };

export type LlmResult = 'accepted' | 'cached' | 'failed' | 'fallback';

/** What the model did for one scenario: the report table and `--json` carry it. */
export interface LlmScenarioReport {
  /** Answers asked for: 1 + repairs (0 when the cache answered). */
  readonly rounds: number;
  /** HTTP requests, retries included. */
  readonly requests: number;
  /** Summed over the rounds, from the server's usage; null when it reported none. */
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
  /** Time spent waiting for the server (retries included), summed over the rounds. */
  readonly latencyMs: number;
  readonly result: LlmResult;
  /** Codes of the last failed round's diagnostics (empty when the first answer passed). */
  readonly lastErrors: readonly string[];
  /** With `llm.backends`: the backend that gave the last answer (`model @ base_url`). */
  readonly backend?: string;
}

export interface LlmGeneratorDeps {
  /** A client to use instead of one made from the config (tests and benchmarks pass their own options). */
  readonly client?: LlmClient;
  readonly env?: NodeJS.ProcessEnv;
  readonly clientOptions?: LlmClientOptions;
  /** Accepted answers; default `<config root>/.fixturegen/cache`; null: no cache. */
  readonly cache?: AnswerCache | null;
  /** Project root for the answer cache and prompt template overrides. */
  readonly root?: string | null;
  readonly templates?: PromptTemplates;
  /** When the model's answers fail for a scenario, this generator's output is written instead. */
  readonly fallback?: Generator | null;
  readonly onStatus?: (scenario: string, status: LlmStatus) => void;
}

export interface LlmGenerator extends Generator {
  readonly id: 'llm';
  /** Per scenario generated in this process. */
  report(name: string): LlmScenarioReport | undefined;
  readonly templates: PromptTemplates;
}
