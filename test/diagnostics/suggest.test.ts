/**
 * The one "did you mean" algorithm: suggest-cases.json is answered by src/diagnostics/suggest.ts
 * here and by its Python port (python/tests/test_suggest.py) there, so FG203 and FG404 agree.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  didYouMean,
  editDistance,
  hintFor,
  rankBySimilarity,
  suggest,
} from '../../src/diagnostics/suggest.js';

interface Case {
  readonly word: string;
  readonly candidates: readonly string[];
  readonly suggest: string | null;
  readonly hint: string;
  readonly ranked: readonly string[];
}

const CASES = JSON.parse(
  readFileSync(new URL('./suggest-cases.json', import.meta.url), 'utf8'),
) as Case[];

describe('suggest-cases.json', () => {
  test.each(CASES.map((c) => [c.word, c] as const))('%s', (_word, c) => {
    expect(suggest(c.word, c.candidates)).toBe(c.suggest);
    expect(rankBySimilarity(c.word, c.candidates)).toEqual(c.ranked);
    expect(hintFor(c.word, c.candidates, 'known')).toBe(c.hint);
  });
});

describe('suggestions', () => {
  test('a whole-word match is close even when many letters differ (owner → is_owner)', () => {
    expect(editDistance('owner', 'is_owner')).toBe(3);
    expect(suggest('owner', ['name', 'is_owner', 'team_id'])).toBe('is_owner');
  });

  test('internal names are never offered or listed, unless the word is internal too', () => {
    expect(suggest('sentinel', ['_sentinel'])).toBeNull();
    expect(hintFor('zzz', ['_sentinel', 'name'], 'attributes')).toBe('attributes: name');
    expect(suggest('_sentinl', ['_sentinel'])).toBe('_sentinel');
  });

  test('one hint shape, with what to write', () => {
    expect(didYouMean('acmee', ['acme', 'globex'])).toBe('did you mean "acme"?');
    expect(didYouMean('acmee', ['acme'], (l) => `@${l}`)).toBe('did you mean "@acme"?');
    expect(didYouMean('zzz', ['acme'])).toBeUndefined();
  });

  test('the list without a close candidate is cut at the limit and says so', () => {
    expect(hintFor('q', ['aa', 'bb', 'cc'], 'known', 2)).toBe('known: aa, bb, …');
    expect(hintFor('q', [], 'known')).toBe('known: none');
  });
});
