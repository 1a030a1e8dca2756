export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface Completion {
  readonly text: string;
  readonly finishReason: string;
  /** From the server's usage chunk; null when it sent none. */
  readonly usage: TokenUsage | null;
  /** Wall time of the whole call, retries and backoff included. */
  readonly latencyMs: number;
  /** HTTP requests made, the successful one included. */
  readonly attempts: number;
  /** Which backend answered (`model @ base_url`), when the client has several. */
  readonly backend?: string;
}

export type LlmEvent =
  | { readonly type: 'request'; readonly attempt: number; readonly maxTokens: number }
  | { readonly type: 'first-chunk'; readonly attempt: number }
  | {
      readonly type: 'retry';
      readonly attempt: number;
      readonly reason: string;
      readonly delayMs: number;
    }
  | { readonly type: 'length-retry'; readonly attempt: number; readonly maxTokens: number }
  | { readonly type: 'stream-options-dropped'; readonly attempt: number }
  /** A backend of `llm.backends` was unusable (or too small): the next one is asked. */
  | { readonly type: 'failover'; readonly from: string; readonly reason: string };

export interface CompleteOptions {
  /** Defaults to `config.max_tokens`. */
  readonly maxTokens?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: LlmEvent) => void;
}

export interface LlmClient {
  complete(messages: readonly ChatMessage[], opts?: CompleteOptions): Promise<Completion>;
}
