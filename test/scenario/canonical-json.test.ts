import { describe, expect, test } from 'vitest';
import { canonicalJson } from '../../src/canonical-json.js';

describe('canonicalJson', () => {
  test('sorts object keys at every level, keeps array order, drops undefined', () => {
    const value = { b: [{ z: 1, a: 2 }, 3], a: { d: undefined, c: null }, B: true };
    expect(canonicalJson(value)).toBe('{"B":true,"a":{"c":null},"b":[{"a":2,"z":1},3]}');
  });

  test('equal values in any key order give the same bytes', () => {
    expect(canonicalJson({ x: 1, y: { p: 1, q: 2 } })).toBe(
      canonicalJson({ y: { q: 2, p: 1 }, x: 1 }),
    );
  });

  test('keeps a __proto__ key as data', () => {
    const value = JSON.parse('{"__proto__":{"b":1,"a":2},"k":0}') as unknown;
    expect(canonicalJson(value)).toBe('{"__proto__":{"a":2,"b":1},"k":0}');
  });
});
