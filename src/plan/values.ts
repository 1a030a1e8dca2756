import type { ValueExpr } from './types.js';

/**
 * The one exhaustive match over value expressions. Every walker names a case per kind, so a new
 * kind in `ValueExpr` fails to compile until each of them says what the kind means to it (a
 * default branch would silently read a new kind as "no references").
 */
export type ValueKind = ValueExpr['kind'];
export type ValueOf<K extends ValueKind> = Extract<ValueExpr, { readonly kind: K }>;
export type ValueCases<R> = { readonly [K in ValueKind]: (expr: ValueOf<K>) => R };

export function foldValue<R>(expr: ValueExpr, cases: ValueCases<R>): R {
  // The mapped type pairs each kind with its handler; TypeScript cannot correlate the two here.
  return (cases[expr.kind] as (e: ValueExpr) => R)(expr);
}

/** Labels whose references the expression holds (`columnsOnly`: columns read after a flush). */
export function referencedLabels(expr: ValueExpr, columnsOnly = false): Set<string> {
  const out = new Set<string>();
  const walk = (e: ValueExpr): void =>
    foldValue<void>(e, {
      literal: () => undefined,
      interpolate: () => undefined,
      ref: (r) => {
        if (!columnsOnly || r.attribute !== null) out.add(r.label);
      },
      refList: (l) => l.items.forEach(walk),
      cycle: (c) => c.items.forEach(walk),
      synth: (s) => walk(s.expr),
    });
  walk(expr);
  return out;
}
