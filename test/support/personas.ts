/**
 * Models of known behaviour, played by the scripted OpenAI-compatible server: what a test needs to
 * check that fixturegen's loops and its `eval` harness count exactly what happened.
 */
import type { RecordedRequest, ScriptedAnswer } from './openai-server.js';

export type Persona =
  'always-right' | 'wrong-then-repaired' | 'hallucinates' | 'prose' | 'too-slow';

export const PERSONAS: readonly Persona[] = [
  'always-right',
  'wrong-then-repaired',
  'hallucinates',
  'prose',
  'too-slow',
];

/** 1 for a first request, 2 after one repair message, … (system + user, then 2 per repair). */
export function roundOf(request: RecordedRequest): number {
  return (request.body.messages.length - 2) / 2 + 1;
}

export interface PersonaAnswers {
  /** A correct answer. */
  readonly good: string;
  /** An answer with an attribute the models do not have. */
  readonly hallucinated: string;
  /** How long `too-slow` waits before its headers (beyond the client's timeout). */
  readonly slowMs?: number;
  readonly usage?: { prompt_tokens: number; completion_tokens: number };
}

export const PROSE =
  'Sure! A scenario like this usually has a tenant, some users and their roles. Let me know if you want the code.';

/** What `persona` answers to `request`. */
export function personaAnswer(
  persona: Persona,
  answers: PersonaAnswers,
  request: RecordedRequest,
): ScriptedAnswer {
  const round = roundOf(request);
  const usage = answers.usage ? { usage: answers.usage } : {};
  switch (persona) {
    case 'always-right':
      return { content: answers.good, ...usage };
    case 'wrong-then-repaired':
      return { content: round === 1 ? answers.hallucinated : answers.good, ...usage };
    case 'hallucinates':
      return { content: answers.hallucinated, ...usage };
    case 'prose':
      return { content: PROSE, ...usage };
    case 'too-slow':
      return { content: answers.good, latencyMs: answers.slowMs ?? 5000, ...usage };
  }
}

/**
 * A base URL where nothing listens, so connections are refused: port 2 (privileged, unused; fetch refuses port 1 as a "bad port"), which no test
 * and no service here binds. An ephemeral port closed again could be taken by a parallel test.
 */
export const REFUSING_URL = 'http://127.0.0.1:2/v1';
