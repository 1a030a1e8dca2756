import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { IndexExpr } from '../../src/plan/types.js';
import {
  evalIndex,
  interpolate,
  parseIndex,
  parseInterpolation,
  parseReference,
  referenceParts,
  showIndex,
} from '../../src/scenario/forms.js';

describe('references', () => {
  test.each([
    ['@acme', { label: 'acme', index: null }],
    ['@users[2]', { label: 'users', index: { kind: 'const', value: 2 } }],
    ['@users[i]', { label: 'users', index: { kind: 'i' } }],
    ['@users[i % 3]', { label: 'users', index: { kind: 'mod', k: 3 } }],
    ['@users[i//4]', { label: 'users', index: { kind: 'div', k: 4 } }],
    ['@Users_2[ i %1 ]', { label: 'Users_2', index: { kind: 'mod', k: 1 } }],
  ])('%s', (text, expected) => {
    expect(parseReference(text)).toEqual({ ok: true, ...expected });
  });

  test.each([
    '@',
    '@1abc',
    '@a b',
    '@a[',
    '@a[i+1]',
    '@a[n]',
    '@a[i % 0]',
    '@a[i // -2]',
    '@a[1.5]',
    '@a[]',
  ])('%s is refused with a message and a hint', (text) => {
    const r = parseReference(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message.length).toBeGreaterThan(0);
      expect(r.hint.length).toBeGreaterThan(0);
    }
  });

  test.each([
    ['@acme', { label: [1, 5], brackets: null, index: null }],
    ['@users[i % 3]', { label: [1, 6], brackets: [6, 13], index: [7, 12] }],
    ['@u[ i ]', { label: [1, 2], brackets: [2, 7], index: [4, 5] }],
    ['@u[]', { label: [1, 2], brackets: [2, 4], index: [3, 3] }],
    ['@u[i + 1]', { label: [1, 2], brackets: [2, 9], index: [3, 8] }],
    ['@ u', null],
    ['@u[0', null],
  ])('the parts of %s', (text, parts) => {
    expect(referenceParts(text)).toEqual(parts);
  });

  test.each([
    // The index, K, the unclosed bracket; a reference that is wrong as a whole has no part.
    ['@users[i + 1]', [7, 12]],
    ['@users[ x ]', [8, 9]],
    ['@users[i % 0]', [11, 12]],
    ['@users[ i // 00 ]', [13, 15]],
    ['@users[99999999999999999999]', [7, 27]],
    ['@users[]', [7, 7]],
    ['@users[0', [6, 7]],
    ['@ users', null],
    ['@users]', null],
  ])('a refused %s is about the part at %j', (text, at) => {
    const r = parseReference(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.at).toEqual(at);
  });

  const indexArb: fc.Arbitrary<IndexExpr> = fc.oneof(
    fc.nat({ max: 1_000_000 }).map((value) => ({ kind: 'const', value }) as const),
    fc.constant({ kind: 'i' } as const),
    fc.integer({ min: 1, max: 1000 }).map((k) => ({ kind: 'mod', k }) as const),
    fc.integer({ min: 1, max: 1000 }).map((k) => ({ kind: 'div', k }) as const),
  );

  test('property: an index prints and parses back to itself', () => {
    fc.assert(
      fc.property(indexArb, (index) => {
        expect(parseIndex(showIndex(index))).toEqual({ ok: true, index });
        expect(parseReference(`@x[${showIndex(index)}]`)).toEqual({ ok: true, label: 'x', index });
      }),
    );
  });

  test('property: index values stay within their bound', () => {
    fc.assert(
      fc.property(indexArb, fc.nat({ max: 100_000 }), (index, i) => {
        const j = evalIndex(index, i);
        expect(Number.isInteger(j) && j >= 0).toBe(true);
        if (index.kind === 'mod') expect(j).toBeLessThan(index.k);
        if (index.kind === 'div') expect(j).toBeLessThanOrEqual(i);
      }),
    );
  });

  test('property: any text either parses or is refused, never throws', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseReference(`@${s}`);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});

describe('interpolation', () => {
  test('splits text and variables; double braces are literal', () => {
    expect(parseInterpolation('user{n}@acme.test')).toEqual({
      ok: true,
      parts: ['user', { var: 'n' }, '@acme.test'],
    });
    expect(parseInterpolation('{{{i}}}')).toEqual({ ok: true, parts: ['{', { var: 'i' }, '}'] });
    expect(parseInterpolation('{{literal}}')).toEqual({ ok: true, parts: ['{literal}'] });
  });

  test.each([
    ['{x}', 0, 3],
    ['{', 0, 1],
    ['}', 0, 1],
    ['a{i', 1, 2],
    ['{ i }', 0, 5],
    ['user{N}@x', 4, 7],
    ['{{{N}}}', 2, 5],
    ['{i}}', 3, 4],
  ])('%s is refused, about the characters %i..%i', (text, offset, end) => {
    expect(parseInterpolation(text)).toMatchObject({ ok: false, offset, end });
  });

  test('property: escaping any text and interpolating gives the text back', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat({ max: 1000 }), (s, i) => {
        const escaped = s.replace(/\{/g, '{{').replace(/\}/g, '}}');
        const r = parseInterpolation(escaped);
        expect(r.ok).toBe(true);
        if (r.ok) expect(interpolate(r.parts, i)).toBe(s);
      }),
    );
  });

  test('property: {i} and {n} give i and i + 1', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[{}]/.test(s)),
        fc.nat({ max: 100_000 }),
        (s, i) => {
          const r = parseInterpolation(`${s}{i}-{n}`);
          expect(r.ok).toBe(true);
          if (r.ok) expect(interpolate(r.parts, i)).toBe(`${s}${i}-${i + 1}`);
        },
      ),
    );
  });
});
