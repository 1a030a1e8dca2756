import type { IndexExpr, Plan, ValueExpr } from '../plan/types.js';
import { foldValue, referencedLabels } from '../plan/values.js';

/** What the smoke test checks about one reference-valued attribute, per instance. */
export type RefSpec =
  | { readonly kind: 'ref'; readonly label: string; readonly index: IndexExpr | null }
  | { readonly kind: 'list'; readonly items: readonly RefSpec[] }
  | { readonly kind: 'cycle'; readonly items: readonly RefSpec[] };

/** The verifier's view of one scenario: the JSON the Python smoke test reads. */
export interface Expectation {
  readonly fixture: string;
  readonly labels: readonly { label: string; model: string; count: number | null }[];
  readonly refs: readonly {
    label: string;
    attribute: string;
    column: string | null;
    expect: RefSpec;
    /**
     * For a collection: false when other values of the scenario also refer to this label, so
     * that the other side of a relationship may add members (`featured.articles: [...]` adds
     * `featured` to that article's `tags`); then only missing members are wrong.
     */
    exact: boolean;
  }[];
  readonly counts: Readonly<Record<string, number>>;
  /** Created once per module or session (`scope:`): its rows stay for the tests after it. */
  readonly scoped?: true;
}

type Spec = { spec: RefSpec; column: string | null } | null;

function refSpec(expr: ValueExpr): Spec {
  return foldValue<Spec>(expr, {
    literal: () => null,
    interpolate: () => null,
    ref: (r) => ({ spec: { kind: 'ref', label: r.label, index: r.index }, column: r.attribute }),
    synth: (s) => refSpec(s.expr),
    refList: (l) => itemsSpec('list', l.items),
    cycle: (c) => itemsSpec('cycle', c.items),
  });
}

function itemsSpec(kind: 'list' | 'cycle', exprs: readonly ValueExpr[]): Spec {
  const items = exprs.map(refSpec);
  if (items.length === 0 || items.some((x) => x === null)) return null;
  const columns = new Set(items.map((x) => x!.column));
  if (columns.size !== 1) return null;
  return { spec: { kind, items: items.map((x) => x!.spec) }, column: items[0]!.column };
}

export function expectationFor(plan: Plan): Expectation {
  const labels = [
    ...plan.inherited.map((x) => ({ label: x.label, model: x.model, count: x.count })),
    ...plan.entities.map((e) => ({ label: e.label, model: e.model, count: e.count })),
  ];
  const refs: Expectation['refs'][number][] = [];
  const referrers = new Map<string, number>();
  for (const entity of plan.entities) {
    for (const value of entity.values) {
      for (const label of referencedLabels(value.value))
        referrers.set(label, (referrers.get(label) ?? 0) + 1);
    }
  }
  for (const entity of plan.entities) {
    for (const value of entity.values) {
      const found = refSpec(value.value);
      if (!found) continue;
      refs.push({
        label: entity.label,
        attribute: value.attribute,
        column: found.column,
        expect: found.spec,
        exact: (referrers.get(entity.label) ?? 0) === 0,
      });
    }
  }
  return {
    fixture: plan.name,
    labels,
    refs,
    counts: plan.expectCounts,
    ...(plan.scope ? { scoped: true as const } : {}),
  };
}
