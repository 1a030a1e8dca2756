/**
 * Record and replay of model answers for `fixturegen eval`: a client wrapper that writes every
 * answer (or the error that stood for one) under its backend, mode, scenario and round, and a
 * client that plays them back in the same order, so two versions of fixturegen, or two prompts,
 * can be compared on identical answers. Replay keys do not include the prompt on purpose.
 */
import { readFileSync } from 'node:fs';
import { LlmAnswerError, LlmUnavailableError } from '../generate/llm/client/errors.js';
import type { UnavailableReason } from '../generate/llm/client/errors.js';
import type {
  ChatMessage,
  CompleteOptions,
  Completion,
  LlmClient,
  TokenUsage,
} from '../generate/llm/client/types.js';

export const RECORDING_FORMAT = 'fixturegen-eval-answers/1';

export type RecordedAnswer =
  | {
      readonly text: string;
      readonly usage: TokenUsage | null;
      readonly latencyMs: number;
      readonly attempts: number;
      readonly finishReason: string;
    }
  | {
      readonly error: {
        readonly kind: 'unavailable' | 'answer';
        readonly reason: string;
        readonly message: string;
        readonly attempts: number;
      };
    };

export interface Recording {
  readonly format: typeof RECORDING_FORMAT;
  /** `backend|mode|scenario` → the answers of its rounds, in order. */
  readonly answers: Record<string, RecordedAnswer[]>;
}

export const answerKey = (backend: string, mode: string, scenario: string): string =>
  `${backend}|${mode}|${scenario}`;

export interface Sample {
  readonly latencyMs: number;
  readonly usage: TokenUsage | null;
}

/** Wraps `client`: every completion is sampled, and recorded under `key` when recording. */
export function observed(
  client: LlmClient,
  samples: Sample[],
  recording: Recording | null,
  key: string,
): LlmClient {
  const record = (a: RecordedAnswer): void => {
    if (recording) (recording.answers[key] ??= []).push(a);
  };
  return {
    async complete(messages: readonly ChatMessage[], opts?: CompleteOptions): Promise<Completion> {
      try {
        const c = await client.complete(messages, opts);
        samples.push({ latencyMs: c.latencyMs, usage: c.usage });
        record({
          text: c.text,
          usage: c.usage,
          latencyMs: c.latencyMs,
          attempts: c.attempts,
          finishReason: c.finishReason,
        });
        return c;
      } catch (err) {
        if (err instanceof LlmUnavailableError || err instanceof LlmAnswerError) {
          record({
            error: {
              kind: err instanceof LlmUnavailableError ? 'unavailable' : 'answer',
              reason: err.reason,
              message: err.message,
              attempts: err.attempts,
            },
          });
        }
        throw err;
      }
    },
  };
}

/** Plays back the answers recorded under `key`, round by round. */
export function replayClient(recording: Recording, key: string): LlmClient {
  let next = 0;
  return {
    complete(): Promise<Completion> {
      const a = recording.answers[key]?.[next];
      next += 1;
      if (a === undefined) {
        return Promise.reject(
          new LlmUnavailableError(
            `the recording has no answer ${next} for ${key}`,
            'not-found',
            undefined,
            0,
          ),
        );
      }
      if ('error' in a) {
        const e = a.error;
        return Promise.reject(
          e.kind === 'unavailable'
            ? new LlmUnavailableError(
                e.message,
                e.reason as UnavailableReason,
                undefined,
                e.attempts,
              )
            : new LlmAnswerError(
                e.message,
                e.reason as 'length' | 'empty' | 'rejected',
                e.attempts,
              ),
        );
      }
      return Promise.resolve({ ...a });
    },
  };
}

export function readRecording(path: string): Recording {
  const data = JSON.parse(readFileSync(path, 'utf8')) as Partial<Recording>;
  if (
    data.format !== RECORDING_FORMAT ||
    typeof data.answers !== 'object' ||
    data.answers === null
  ) {
    throw new Error(
      `${path} is not a recording of fixturegen eval answers (format ${RECORDING_FORMAT})`,
    );
  }
  return data as Recording;
}
