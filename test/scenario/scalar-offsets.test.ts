import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isMap, isScalar, parse, parseDocument, type Scalar } from 'yaml';
import { sourceOffset, sourceRange } from '../../src/scenario/scalar-offsets.js';
import { loadScenario } from '../../src/scenario/index.js';
import { spanWithin } from '../../src/scenario/position.js';

/** The scalar `v` of `v: <written>`, with its type and its source as its range covers it. */
function scalar(written: string): { type: string | undefined; raw: string; value: string } {
  const text = `v: ${written}\n`;
  const doc = parseDocument(text);
  if (!isMap(doc.contents)) throw new Error('not a mapping');
  const node = doc.contents.items[0]!.value as Scalar;
  if (!isScalar(node) || typeof node.value !== 'string') throw new Error('not a string');
  return { type: node.type, raw: text.slice(node.range![0], node.range![1]), value: node.value };
}

const offset = (written: string, k: number) => {
  const s = scalar(written);
  return sourceOffset(s.type, s.raw, s.value, k);
};

describe('sourceOffset', () => {
  test('plain scalars are written as they read', () => {
    expect(offset('user{N}@x', 4)).toBe(4);
    expect(offset('user{N}@x', 0)).toBe(0);
    expect(offset('user{N}@x', 9)).toBe(9);
  });

  test('quoted scalars are shifted by the opening quote', () => {
    expect(offset('"@users[i + 1]"', 7)).toBe(8);
    expect(offset("'@users[i + 1]'", 7)).toBe(8);
  });

  test('an escape before the offset makes it inexact; one at or after it does not', () => {
    expect(offset('"a\\tb{N}"', 3)).toBeNull();
    expect(offset('"ab{N}\\t"', 2)).toBe(3);
    // The escape starts where the character it writes is: exact.
    expect(offset('"ab\\t{N}"', 2)).toBe(3);
    expect(offset("'it''s {N}'", 5)).toBeNull();
    expect(offset("'its {N} o''clock'", 4)).toBe(5);
  });

  test('block scalars and flow scalars over several lines keep no inner positions', () => {
    const literal = parseDocument('v: |\n  user{N}\n');
    const folded = parseDocument('v: >-\n  user{N}\n');
    for (const doc of [literal, folded]) {
      const node = (doc.contents as { items: { value: Scalar }[] }).items[0]!.value;
      const raw = doc.toString().slice(node.range![0], node.range![1]);
      expect(sourceOffset(node.type, raw, node.value as string, 4)).toBeNull();
    }
    const multi = 'v: "user\n  {N}"\n';
    const node = (parseDocument(multi).contents as { items: { value: Scalar }[] }).items[0]!.value;
    const raw = multi.slice(node.range![0], node.range![1]);
    expect(node.value).toBe('user {N}');
    expect(sourceOffset(node.type, raw, 'user {N}', 0)).toBeNull();
    expect(sourceOffset(node.type, raw, 'user {N}', 5)).toBeNull();
  });

  test('offsets outside the value, or a source that does not match it, give null', () => {
    expect(sourceOffset('PLAIN', 'abc', 'abc', 4)).toBeNull();
    expect(sourceOffset('PLAIN', 'abc', 'abc', -1)).toBeNull();
    expect(sourceOffset('PLAIN', 'abc', 'xbc', 1)).toBeNull();
    expect(sourceOffset('QUOTE_DOUBLE', 'abc', 'abc', 1)).toBeNull();
    expect(sourceOffset(undefined, 'abc', 'abc', 1)).toBeNull();
  });

  test('counts UTF-16 code units, like JavaScript strings and the YAML ranges', () => {
    // é is one code unit, the emoji two.
    expect(offset('"é😀{N}"', 3)).toBe(4);
    expect(offset('é😀{N}', 3)).toBe(3);
  });

  test('property: an exact offset is where that prefix of the value is written', () => {
    const written = fc.oneof(
      fc.string({ unit: 'grapheme' }).map((s) => JSON.stringify(s)),
      fc.string({ unit: 'grapheme' }).map((s) => `'${s.replace(/'/g, "''")}'`),
      fc.stringMatching(/^[a-z][a-z0-9 {}@[\]%]*[a-z0-9}\]]$/),
    );
    fc.assert(
      fc.property(written, fc.nat(), (w, n) => {
        let s: ReturnType<typeof scalar>;
        try {
          s = scalar(w);
        } catch {
          return; // Not a one-line string scalar (e.g. a plain text YAML reads as something else).
        }
        const k = n % (s.value.length + 1);
        const at = sourceOffset(s.type, s.raw, s.value, k);
        if (at === null) return;
        if (s.type === 'PLAIN') expect(s.raw.slice(0, at)).toBe(s.value.slice(0, k));
        else {
          // Closing the source there reads the value's first k characters.
          const quote = s.raw[0]!;
          expect(parse(`${s.raw.slice(0, at)}${quote}`)).toBe(s.value.slice(0, k));
        }
      }),
      { numRuns: 500 },
    );
  });

  test('property: without escapes every offset is exact', () => {
    const plain = fc.stringMatching(/^[a-z][a-z0-9{}@[\]%]{0,20}$/);
    fc.assert(
      fc.property(plain, fc.constantFrom('', '"', "'"), fc.nat(), (text, quote, n) => {
        const s = scalar(`${quote}${text}${quote}`);
        const k = n % (s.value.length + 1);
        expect(sourceOffset(s.type, s.raw, s.value, k)).toBe(quote.length + k);
      }),
    );
  });
});

describe('sourceRange', () => {
  test('maps both ends; an inexact end shrinks the part to its first character', () => {
    const s = scalar('"@users[i + 1]"');
    expect(sourceRange(s.type, s.raw, s.value, 7, 12)).toEqual({ start: 8, end: 13 });
    const e = scalar('"{x\\ty}"');
    expect(sourceRange(e.type, e.raw, e.value, 0, 5)).toEqual({ start: 1, end: 2 });
    expect(sourceRange(e.type, e.raw, e.value, 3, 5)).toBeNull();
  });
});

describe('spanWithin', () => {
  const text = [
    'a: "@users[i + 1]"',
    'b: [plain, "x\\ty{N}"]',
    'c: &s "{N}"',
    'd: *s',
    'e: "é😀{N}"',
    'f: plain{N}',
    '',
  ].join('\n');
  const src = (() => {
    const r = loadScenario('scenarios/x.yaml', text);
    if (!r.ok) throw new Error('expected ok');
    return r.value;
  })();

  test('points at the part inside a one-line string', () => {
    expect(spanWithin(src, ['a'], '@users[i + 1]', [7, 12])).toEqual({
      line: 1,
      column: 12,
      endLine: 1,
      endColumn: 17,
    });
    expect(spanWithin(src, ['f'], 'plain{N}', [5, 8])).toMatchObject({ line: 6, column: 9 });
    // UTF-16 columns, as the rest of the diagnostics count them: " é 😀 → { is at 4 + 4.
    expect(spanWithin(src, ['e'], 'é😀{N}', [3, 6])).toMatchObject({ line: 5, column: 8 });
  });

  test('falls back to the whole node after an escape, at an alias, or for another value', () => {
    expect(spanWithin(src, ['b', 1], 'x\ty{N}', [3, 6])).toMatchObject({ line: 2, column: 12 });
    expect(spanWithin(src, ['c'], '{N}', [0, 3])).toMatchObject({ line: 3, column: 8 });
    expect(spanWithin(src, ['d'], '{N}', [0, 3])).toMatchObject({ line: 4, column: 4 });
    expect(spanWithin(src, ['a'], 'something else', [1, 2])).toMatchObject({ line: 1, column: 4 });
  });
});
