import type { IndexExpr, Plan, ValueExpr } from '../plan/types.js';

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
}

function refSpec(expr: ValueExpr): { spec: RefSpec; column: string | null } | null {
  switch (expr.kind) {
    case 'ref':
      return {
        spec: { kind: 'ref', label: expr.label, index: expr.index },
        column: expr.attribute,
      };
    case 'synth':
      return refSpec(expr.expr);
    case 'refList':
    case 'cycle': {
      const items = expr.items.map(refSpec);
      if (items.length === 0 || items.some((x) => x === null)) return null;
      const columns = new Set(items.map((x) => x!.column));
      if (columns.size !== 1) return null;
      return {
        spec: {
          kind: expr.kind === 'refList' ? 'list' : 'cycle',
          items: items.map((x) => x!.spec),
        },
        column: items[0]!.column,
      };
    }
    default:
      return null;
  }
}

function labelsIn(expr: ValueExpr): Set<string> {
  const out = new Set<string>();
  const walk = (e: ValueExpr): void => {
    if (e.kind === 'ref') out.add(e.label);
    else if (e.kind === 'refList' || e.kind === 'cycle') e.items.forEach(walk);
    else if (e.kind === 'synth') walk(e.expr);
  };
  walk(expr);
  return out;
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
      for (const label of labelsIn(value.value))
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
  return { fixture: plan.name, labels, refs, counts: plan.expectCounts };
}
