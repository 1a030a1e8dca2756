import { expect } from 'vitest';
import type { Catalog, ModelInfo } from '../../src/catalog/types.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import type { Plan, PlanEntity, PlanValue } from '../../src/plan/types.js';
import { compileScenarios } from '../../src/scenario/index.js';
import { crmCatalog } from '../support/catalog-builders.js';

export const CRM = crmCatalog();

/** Strips the common indentation so scenarios can be written inline. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce(
    (s, str, k) => s + str + (k < values.length ? String(values[k]) : ''),
    '',
  );
  const lines = raw.replace(/^\n/, '').split('\n');
  const indent = Math.min(
    ...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length),
  );
  return lines.map((l) => l.slice(indent)).join('\n');
}

export interface CompileOneOptions {
  readonly file?: string;
  readonly catalog?: Catalog;
  readonly models?: readonly string[];
  readonly others?: readonly { file: string; text: string }[];
}

/** Compiles one scenario (plus `others`); returns its plan or its diagnostics. */
export function compileOne(
  text: string,
  opts: CompileOneOptions = {},
): { plan: Plan | null; diagnostics: readonly Diagnostic[] } {
  const file = opts.file ?? 'scenarios/test_scenario.yaml';
  const result = compileScenarios([{ file, text }, ...(opts.others ?? [])], opts.catalog ?? CRM, {
    defaultModels: opts.models ?? ['crm.models'],
  });
  const failure = result.failures.find((f) => f.file === file);
  const plan = result.plans.find((p) => p.source === file) ?? null;
  return { plan, diagnostics: failure?.diagnostics ?? [] };
}

export function planOf(text: string, opts: CompileOneOptions = {}): Plan {
  const r = compileOne(text, opts);
  expect(r.diagnostics, JSON.stringify(r.diagnostics, null, 1)).toEqual([]);
  expect(r.plan).not.toBeNull();
  return r.plan!;
}

/** The single diagnostic of a failing scenario. */
export function diagnosticOf(text: string, opts: CompileOneOptions = {}): Diagnostic {
  const r = compileOne(text, opts);
  expect(r.plan).toBeNull();
  expect(r.diagnostics.length, JSON.stringify(r.diagnostics, null, 1)).toBe(1);
  return r.diagnostics[0]!;
}

export function entity(plan: Plan, label: string): PlanEntity {
  const e =
    plan.entities.find((x) => x.label === label) ?? plan.inherited.find((x) => x.label === label);
  expect(e, `label ${label}`).toBeDefined();
  return e as PlanEntity;
}

export function value(plan: Plan, label: string, attribute: string): PlanValue | undefined {
  return entity(plan, label).values.find((v) => v.attribute === attribute);
}

/** `{code, line, column}` of a diagnostic, for compact assertions. */
export function where(d: Diagnostic): { code: string; line?: number; column?: number } {
  return { code: d.code, line: d.line, column: d.column };
}

/** Lines 1–5: a tenant `acme`. Entities given to `scenario` follow from line 6 on. */
export const TENANT_PREFIX =
  'entities:\n  acme:\n    model: Tenant\n    values:\n      name: Acme\n';

/** A scenario with `acme` first, then `rest` (written with labels at column 1) as more entities. */
export function withTenant(rest: string): string {
  return (
    TENANT_PREFIX +
    rest
      .split('\n')
      .map((l) => (l.trim() === '' ? l : `  ${l}`))
      .join('\n')
  );
}

/** A deep copy of the CRM catalog, changed by `change`. */
export function crmWith(change: (models: Map<string, MutableModel>) => void): Catalog {
  const copy = structuredClone(CRM) as unknown as { models: MutableModel[] } & Catalog;
  change(new Map(copy.models.map((m) => [m.qualname, m])));
  return copy;
}

type DeepMutable<T> = T extends readonly (infer U)[]
  ? DeepMutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;
export type MutableModel = DeepMutable<ModelInfo>;

/** `cat` with the model `qualname` replaced by `change(model)`. */
export function withModel(
  cat: Catalog,
  qualname: string,
  change: (m: ModelInfo) => ModelInfo,
): Catalog {
  return { ...cat, models: cat.models.map((m) => (m.qualname === qualname ? change(m) : m)) };
}
