/**
 * One-to-many collections set the foreign keys of the rows they hold: which instances of each
 * label a scenario's collections hold, so that a label only some of whose instances are listed is
 * not taken for covered (its other instances would get no foreign key).
 */
import type { CheckedEntity, Where } from './input.js';
import { evalIndex } from './index-expr.js';
import type { ValueExpr } from './types.js';
import { foldValue } from './values.js';

/** A label whose foreign-key columns collections set for some of its instances only. */
export interface PartialCoverage {
  /** The foreign-key columns of the label the collections set. */
  readonly columns: readonly string[];
  /** Instances no collection holds, ascending. */
  readonly missing: readonly number[];
  /** `owner.attribute` of the first collection that holds some of them, and where it is. */
  readonly by: string;
  readonly at: Where;
}

/** Instances of `label` the value holds for instance `i` of its entity ('all': the whole list). */
function held(expr: ValueExpr, label: string, i: number, out: Set<number | 'all'>): void {
  foldValue<void>(expr, {
    literal: () => undefined,
    interpolate: () => undefined,
    ref: (r) => {
      if (r.label === label) out.add(r.index === null ? 'all' : evalIndex(r.index, i));
    },
    refList: (l) => l.items.forEach((item) => held(item, label, i, out)),
    cycle: (c) => {
      const item = c.items[i % c.items.length];
      if (item) held(item, label, i, out);
    },
    synth: (s) => held(s.expr, label, i, out),
  });
}

/** The own list labels that collections cover only in part, by label. */
export function partialCoverage(entities: readonly CheckedEntity[]): Map<string, PartialCoverage> {
  const counts = new Map(entities.map((e) => [e.label, e.count]));
  const found = new Map<
    string,
    { columns: Set<string>; held: Set<number>; all: boolean; by: string; at: Where }
  >();
  for (const owner of entities) {
    for (const v of owner.values) {
      for (const r of v.reverse) {
        const count = counts.get(r.label);
        if (count === undefined || count === null) continue; // inherited, or one instance
        const entry = found.get(r.label) ?? {
          columns: new Set<string>(),
          held: new Set<number>(),
          all: false,
          by: `${owner.label}.${v.attribute}`,
          at: v.at,
        };
        r.columns.forEach((c) => entry.columns.add(c));
        for (let i = 0; i < (owner.count ?? 1) && !entry.all; i++) {
          const out = new Set<number | 'all'>();
          held(v.value, r.label, i, out);
          for (const k of out) {
            if (k === 'all') entry.all = true;
            else entry.held.add(k);
          }
        }
        found.set(r.label, entry);
      }
    }
  }
  const partial = new Map<string, PartialCoverage>();
  for (const [label, entry] of found) {
    const count = counts.get(label) ?? 0;
    if (entry.all || entry.held.size >= (count ?? 0)) continue;
    const missing: number[] = [];
    for (let k = 0; k < (count ?? 0); k++) if (!entry.held.has(k)) missing.push(k);
    if (missing.length === 0) continue;
    partial.set(label, { columns: [...entry.columns], missing, by: entry.by, at: entry.at });
  }
  return partial;
}
