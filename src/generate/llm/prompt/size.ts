import type { ChatMessage } from '../client/types.js';

/** Characters per token assumed when no tokenizer is at hand: conservative for Python and English. */
export const CHARS_PER_TOKEN = 3.5;

export interface PromptSize {
  readonly characters: number;
  /** `ceil(characters / 3.5)`: an estimate, not the server's tokenizer. */
  readonly estimatedTokens: number;
}

export function promptSize(messages: readonly ChatMessage[]): PromptSize {
  const characters = messages.reduce((n, m) => n + m.content.length, 0);
  return { characters, estimatedTokens: estimateTokens(characters) };
}

export function estimateTokens(characters: number): number {
  return Math.ceil(characters / CHARS_PER_TOKEN);
}
