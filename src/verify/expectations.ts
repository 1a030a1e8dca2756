import type { IndexExpr, Plan, PyLiteral, ValueExpr } from '../plan/types.js';
import { moduleVariants } from '../plan/module-variants.js';
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
  /**
   * Value parity: every value the scenario wrote that is not a reference (literals, nulls,
   * interpolated strings, cycles of them), checked on every instance.
   */
  readonly values: readonly { label: string; attribute: string; expect: ValueSpec }[];
  /**
   * The factory call the smoke test makes besides the fixture (`make_<name>(variant, **overrides)`,
   * see python/fixturegen_helper/verify/calls.py): absent when the request names no package.
   */
  readonly call?: CallSpec;
  /** Created once per module or session (`scope:`): its rows stay for the tests after it. */
  readonly scoped?: true;
}

export interface CallSpec {
  /** The scenario module (`<package>.<name>`). */
  readonly module: string;
  /** `make_<name>`. */
  readonly factory: string;
  /** `create_<name>`, which checks the call and dispatches a variant. */
  readonly entry: string;
  /** null for the base. */
  readonly variant: string | null;
  /** `create_<name>__<variant>`, which the call must go through; null for the base. */
  readonly create: string | null;
  /** Every label the call creates: each gets an override that must reach `apply_overrides`. */
  readonly labels: readonly string[];
}

/**
 * What one written value must be, per instance: the plan's own literal (the smoke test builds the
 * Python value from it exactly as the builtin generator writes it), an interpolation with its
 * conversion, or a cycle; `skip` stands for a cycle item that is a reference (checked by `refs`).
 */
export type ValueSpec =
  | { readonly kind: 'literal'; readonly value: PyLiteral }
  | {
      readonly kind: 'interpolate';
      readonly parts: readonly (string | { readonly var: 'i' | 'n' })[];
      readonly convert: string;
      readonly enumModule: string | null;
      readonly enumClass: string | null;
      readonly enumAsValue: boolean;
    }
  | { readonly kind: 'cycle'; readonly items: readonly ValueSpec[] }
  | { readonly kind: 'skip' };

function valueSpec(expr: ValueExpr): ValueSpec {
  return foldValue<ValueSpec>(expr, {
    literal: (l) => ({ kind: 'literal', value: l.value }),
    interpolate: (x) => ({
      kind: 'interpolate',
      parts: x.parts,
      convert: x.convert,
      enumModule: x.enumModule ?? null,
      enumClass: x.enumClass ?? null,
      enumAsValue: x.enumAsValue ?? false,
    }),
    ref: () => ({ kind: 'skip' }),
    refList: () => ({ kind: 'skip' }),
    synth: () => ({ kind: 'skip' }),
    cycle: (c) => {
      const items = c.items.map(valueSpec);
      return items.every((x) => x.kind === 'skip') ? { kind: 'skip' } : { kind: 'cycle', items };
    },
  });
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

/**
 * The expectations of a scenario's fixture and of each variant's fixture the module provides
 * (`moduleVariants`). With the output package's name, each also carries the factory call that
 * proves the variant is dispatched and the overrides are applied (not for a scoped scenario).
 */
export function expectationsFor(plan: Plan, packageName?: string): Expectation[] {
  // A scenario created once per module or session (`scope:`) keeps its rows for the tests after
  // it, so a call of its factory (or of a factory of a scenario extending it, which creates the
  // parent again) would insert a second copy beside them, and unique keys clash: such factories
  // are not called by the smoke test (docs/generated-code.md).
  const call = (variant: string | null, e: Expectation): Expectation =>
    packageName === undefined || plan.scope !== undefined || plan.scopedParent === true
      ? e
      : {
          ...e,
          call: {
            module: `${packageName}.${plan.name}`,
            factory: `make_${plan.name}`,
            entry: `create_${plan.name}`,
            variant,
            create: variant === null ? null : `create_${plan.name}__${variant}`,
            labels: e.labels.map((l) => l.label),
          },
        };
  return [
    call(null, expectationFor(plan)),
    ...moduleVariants(plan).map((v) => {
      // A variant's fixture is per test whatever the scenario's scope (render.ts).
      const { scope: _scope, ...perTest } = plan;
      const variant: Plan = {
        ...perTest,
        name: `${plan.name}__${v.name}`,
        entities: v.entities,
        expectCounts: v.expectCounts,
      };
      return call(v.name, expectationFor(variant));
    }),
  ];
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
  const values: Expectation['values'][number][] = [];
  for (const entity of plan.entities) {
    for (const value of entity.values) {
      if (value.origin !== 'written') continue;
      const spec = valueSpec(value.value);
      if (spec.kind !== 'skip')
        values.push({ label: entity.label, attribute: value.attribute, expect: spec });
    }
  }
  return {
    fixture: plan.name,
    labels,
    refs,
    counts: plan.expectCounts,
    values,
    ...(plan.scope ? { scoped: true as const } : {}),
  };
}
