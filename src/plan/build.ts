/**
 * Plan building: the checked entities of one scenario plus what nobody wrote (auto-links to the
 * only candidate instance, synthesized NOT NULL values), in dependency order.
 */
import type { Catalog } from '../catalog/types.js';
import { error, fail, ok, type Diagnostic, type Result } from '../diagnostics/types.js';
import { Codes } from '../diagnostics/scenario-codes.js';
import { CatalogIndex } from './catalog-index.js';
import type { BuildInput, LabelInfo } from './input.js';
import { partialCoverage } from './coverage.js';
import { fillEntity, type Ctx } from './fill.js';
import { creationOrder, findCycles } from './order.js';
import { uniquenessClashes } from './uniqueness.js';
import { referencedLabels } from './values.js';
import type { Plan, PlanEntity, PlanValue } from './types.js';

/** `tenant_with_team` → `TenantWithTeam`. */
export function pascalCase(name: string): string {
  const s = name
    .split('_')
    .filter((p) => p !== '')
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
  return s === '' || /^[0-9]/.test(s) ? `Scenario${s}` : s;
}

function refLabels(values: readonly PlanValue[]): Set<string> {
  return new Set(values.flatMap((v) => [...referencedLabels(v.value)]));
}

/** Builds the plan of one checked scenario. */
export function buildPlan(input: BuildInput, catalog: Catalog): Result<Plan> {
  const index = new CatalogIndex(catalog);
  const inheritedLabels: LabelInfo[] = [];
  for (const inh of input.inherited) {
    const model = index.model(inh.model);
    if (model)
      inheritedLabels.push({ label: inh.label, model, count: inh.count, scenario: inh.scenario });
  }
  const visible: LabelInfo[] = [
    ...inheritedLabels,
    ...input.entities.map((e) => ({
      label: e.label,
      model: e.model,
      count: e.count,
      scenario: null,
    })),
  ];
  const partial = partialCoverage(input.entities);
  const ctx: Ctx = { input, index, visible, diagnostics: [], partial };

  const reverse = new Map<string, Set<string>>();
  for (const e of input.entities) {
    for (const v of e.values) {
      for (const r of v.reverse) {
        if (partial.has(r.label)) continue;
        const set = reverse.get(r.label) ?? new Set<string>();
        r.columns.forEach((c) => set.add(c));
        reverse.set(r.label, set);
      }
    }
  }

  const filled = new Map<string, PlanValue[]>();
  for (const e of input.entities) {
    const values = fillEntity(ctx, e, reverse);
    if (values !== null) filled.set(e.label, values);
  }
  if (ctx.diagnostics.length > 0) return fail(ctx.diagnostics);
  const clashes = uniquenessClashes(input, filled);
  if (clashes.length > 0) return fail(clashes);

  const own = input.entities.map((e) => e.label);
  const deps = new Map<string, Set<string>>();
  for (const e of input.entities) {
    const labels = refLabels(filled.get(e.label) ?? []);
    labels.delete(e.label);
    deps.set(e.label, labels);
  }
  // Rows whose foreign key a one-to-many collection of a later entity sets are complete only once
  // that entity exists: what else refers to them comes after it, unless that makes a cycle.
  const completers = new Map<string, Set<string>>();
  for (const e of input.entities) {
    for (const r of e.values.flatMap((v) => v.reverse)) {
      if (r.label !== e.label)
        completers.set(r.label, (completers.get(r.label) ?? new Set()).add(e.label));
    }
  }
  const preferred = new Map<string, Set<string>>();
  for (const [label, labels] of deps) {
    const more = [...labels].flatMap((l) => [...(completers.get(l) ?? [])]);
    preferred.set(label, new Set([...labels, ...more.filter((c) => c !== label)]));
  }
  const order = creationOrder(own, preferred) ?? creationOrder(own, deps);
  if (order === null) {
    const diagnostics = findCycles(own, deps).map((path) => cycleDiagnostic(input, path));
    return fail(diagnostics);
  }

  const byLabel = new Map(input.entities.map((e) => [e.label, e]));
  const entities: PlanEntity[] = order.map((label) => {
    const e = byLabel.get(label)!;
    return {
      label,
      model: e.model.qualname,
      className: e.model.name,
      module: e.model.module,
      count: e.count,
      values: filled.get(label)!,
      dependsOn: [...deps.get(label)!].sort(),
    };
  });

  const counts = new Map<string, number>();
  const models = new Set<string>();
  // A class mapped on the secondary table of a many-to-many (an association object doubling as
  // the link) also gets the rows that collections add: its row count is not derived from labels.
  const secondary = new Set(
    catalog.models.flatMap((m) => m.relationships.flatMap((r) => r.secondary ?? [])),
  );
  for (const l of visible) {
    for (const q of index.lineage(l.model.qualname)) {
      if (!secondary.has(index.model(q)?.table ?? '')) {
        counts.set(q, (counts.get(q) ?? 0) + (l.count ?? 1));
      }
      models.add(q);
    }
  }
  for (const { model, count } of input.expectCounts) {
    counts.set(model, count);
    models.add(model);
  }
  const expectCounts: Record<string, number> = {};
  for (const q of [...counts.keys()].sort()) expectCounts[q] = counts.get(q)!;

  return ok({
    name: input.name,
    className: pascalCase(input.name),
    description: input.description,
    source: input.source,
    extends: input.extends,
    ...(input.scope !== 'function' ? { scope: input.scope } : {}),
    inherited: input.inherited,
    entities,
    models: [...models].sort(),
    expectCounts,
    edgeCases: input.edgeCases,
    canonical: input.canonical,
  });
}

function cycleDiagnostic(input: BuildInput, path: readonly string[]): Diagnostic {
  const [from, to] = [path[0]!, path[1]!];
  const entity = input.entities.find((e) => e.label === from)!;
  const site = entity.values.flatMap((v) => v.refs).find((r) => r.label === to);
  return error(Codes.referenceCycle, `reference cycle: ${path.join(' → ')}`, {
    ...(site?.at ?? entity.at),
    hint: 'rows are created in reference order; leave one of these references out (set it after creation in the test)',
  });
}
