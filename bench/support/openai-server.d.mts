/** Types of the scripted OpenAI-compatible server in openai-server.mjs. */

export interface ScriptedUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

/**
 * One scripted answer.
 * - `reset`: the socket is destroyed halfway through the streamed content.
 * - `hang`: the request is never answered (for timeouts).
 * - `truncate`: the stream ends cleanly but without a finish reason or `[DONE]`.
 * - `length`: the content is sent with `finish_reason: "length"`.
 * - `{status}`: an error response, with a `Retry-After` header (seconds) when `retryAfter` is set.
 */
export type Fault =
  | 'reset'
  | 'hang'
  | 'truncate'
  | 'length'
  | { status: number; retryAfter?: number | string; message?: string };

export interface ScriptedAnswer {
  content?: string;
  /** Defaults to "stop". */
  finishReason?: string;
  /** Defaults to a character-based estimate; `null` sends no usage at all. */
  usage?: ScriptedUsage | null;
  /** Delay before the response headers. */
  latencyMs?: number;
  /** The response waits for this too (settled either way): a test's gate, whatever the load. */
  heldUntil?: Promise<unknown>;
  /** Delay before each content chunk of a streamed answer. */
  chunkDelayMs?: number;
  fault?: Fault;
}

/** A chat-completion request body as the server parsed it (the fields tests read, typed). */
export interface RecordedBody {
  readonly model?: string;
  readonly messages: readonly { readonly role: string; readonly content: string }[];
  readonly stream?: boolean;
  readonly stream_options?: unknown;
  readonly max_tokens?: number;
  readonly [field: string]: unknown;
}

export interface RecordedRequest {
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly authorization: string | null;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: RecordedBody;
  readonly receivedAt: number;
}

export type AnswerFn = (request: RecordedRequest) => ScriptedAnswer | null;

export interface ServerOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get 401. */
  apiKey?: string;
  /** When set, requests for any other model get 404 (as vLLM does); also listed by GET /v1/models. */
  model?: string;
  /** Answer 400 to any request carrying `stream_options`, as some older servers do. */
  rejectStreamOptions?: boolean;
  /**
   * The context the server has, in its tokens (see `promptTokens`): a chat request whose prompt
   * plus max_tokens exceeds it gets vLLM's 400. Listed as `max_model_len` by GET /v1/models
   * (unless the tokenizer is llama.cpp's, which tells it by GET /props).
   */
  contextLength?: number;
  /** Serve a tokenizer endpoint the way vLLM or llama.cpp does. */
  tokenizer?: 'vllm' | 'llamacpp';
  /** Answer used when the queue is empty and no function is scripted; otherwise such requests get 500. */
  fallback?: ScriptedAnswer;
}

export interface OpenAiTestServer {
  /** Base URL including `/v1`, e.g. http://127.0.0.1:40123/v1 */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  /** Every chat-completion request, in arrival order, with its parsed body. */
  readonly requests: readonly RecordedRequest[];
  /** Bodies of tokenizer requests, in arrival order. */
  readonly tokenizeCalls: readonly Record<string, unknown>[];
  readonly inFlight: number;
  /** The most chat-completion requests that were open at the same time. */
  readonly maxInFlight: number;
  /** Scripted answers still queued. */
  readonly remaining: number;
  /** Queue answers (consumed first), or set a function that answers once the queue is empty. */
  script(...answers: ScriptedAnswer[]): void;
  script(fn: AnswerFn): void;
  /** Resolves once `count` requests arrived; rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Stops listening and destroys every open connection (hanging ones included). */
  close(): Promise<void>;
}

export function startOpenAiServer(options?: ServerOptions): Promise<OpenAiTestServer>;

/** The scripted tokenizer: one token per 4 characters of text, rounded up. */
export function textTokens(text: string): number;
/** llama.cpp-style rendering of chat messages (ChatML-like). */
export function renderTemplate(messages: readonly { role: string; content: string }[]): string;
/** Tokens of chat messages as the scripted servers count them. */
export function promptTokens(messages: readonly { role: string; content: string }[]): number;
