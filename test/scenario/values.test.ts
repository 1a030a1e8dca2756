import { describe, expect, test } from 'vitest';
import type { ValueExpr } from '../../src/plan/types.js';
import { foldValue, referencedLabels } from '../../src/plan/values.js';
import type { ValueCases, ValueKind, ValueOf } from '../../src/plan/values.js';

// One expression per kind. `satisfies` makes a new kind in ValueExpr a compile error here until it
// has an example, and each example must be of the kind it is filed under.
const EXAMPLES = {
  literal: { kind: 'literal', value: { kind: 'int', value: '1' } },
  interpolate: { kind: 'interpolate', parts: ['u', { var: 'n' }], convert: 'string' },
  ref: { kind: 'ref', label: 'bob', index: null, attribute: 'id' },
  refList: {
    kind: 'refList',
    items: [{ kind: 'ref', label: 'ann', index: null, attribute: null }],
  },
  cycle: {
    kind: 'cycle',
    items: [{ kind: 'ref', label: 'cat', index: { kind: 'i' }, attribute: null }],
  },
  synth: { kind: 'synth', expr: { kind: 'ref', label: 'dan', index: null, attribute: 'id' } },
} as const satisfies { readonly [K in ValueKind]: ValueOf<K> };

const KINDS = Object.keys(EXAMPLES) as ValueKind[];

describe('the exhaustive fold over value expressions', () => {
  test('a cases object that misses a kind does not compile', () => {
    // @ts-expect-error `synth` has no case: adding a kind breaks every walker until it handles it.
    const partial: ValueCases<string> = {
      literal: () => 'l',
      interpolate: () => 'i',
      ref: () => 'r',
      refList: () => 'L',
      cycle: () => 'c',
    };
    expect(Object.keys(partial)).not.toContain('synth');
  });

  test('dispatches every kind to its own case', () => {
    const seen = KINDS.map((kind) =>
      foldValue<string>(EXAMPLES[kind] as ValueExpr, {
        literal: (e) => e.kind,
        interpolate: (e) => e.kind,
        ref: (e) => e.kind,
        refList: (e) => e.kind,
        cycle: (e) => e.kind,
        synth: (e) => e.kind,
      }),
    );
    expect(seen).toEqual(KINDS);
  });

  test('referencedLabels looks through lists, cycles and synthesized values', () => {
    const labels = (kind: ValueKind, columnsOnly = false) => [
      ...referencedLabels(EXAMPLES[kind], columnsOnly),
    ];
    expect(KINDS.map((k) => labels(k))).toEqual([[], [], ['bob'], ['ann'], ['cat'], ['dan']]);
    expect(KINDS.map((k) => labels(k, true))).toEqual([[], [], ['bob'], [], [], ['dan']]);
  });
});
