/**
 * Plan building: the checked entities of one scenario plus what nobody wrote (auto-links to the
 * only candidate instance, synthesized NOT NULL values), in dependency order.
 */
import type { Catalog, ColumnInfo, ModelInfo } from '../catalog/types.js';
import { error, fail, ok, type Diagnostic, type Result } from '../diagnostics/types.js';
import { Codes } from '../scenario/codes.js';
import { CatalogIndex } from './catalog-index.js';
import type { BuildInput, CheckedEntity, LabelInfo, Where } from './input.js';
import { partialCoverage, type PartialCoverage } from './coverage.js';
import { creationOrder, findCycles } from './order.js';
import { synthesize } from './synth.js';
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

function isUnique(model: ModelInfo, col: ColumnInfo): boolean {
  return col.primaryKey || model.uniques.some((u) => u.includes(col.key));
}

/** Columns left to the database or the ORM, or that no value is needed for. */
function leftAlone(index: CatalogIndex, model: ModelInfo, col: ColumnInfo): boolean {
  if (col.nullable || col.autoincrement || col.hasDefault || col.hasServerDefault) return true;
  if (col.isDiscriminator) return true;
  // Joined inheritance: the child's primary key is a foreign key to its parent's, set by the ORM.
  return (
    col.primaryKey &&
    col.foreignKeys.some((f) => f.model !== null && index.isA(model.qualname, f.model))
  );
}

interface Ctx {
  readonly input: BuildInput;
  readonly index: CatalogIndex;
  readonly visible: readonly LabelInfo[];
  readonly diagnostics: Diagnostic[];
  /** List labels one-to-many collections hold only some instances of. */
  readonly partial: ReadonlyMap<string, PartialCoverage>;
}

function describeCandidates(cands: readonly LabelInfo[]): string {
  return cands
    .map((c) =>
      c.count === null
        ? `${c.label} (${c.model.name})`
        : `${c.label} (${c.count} × ${c.model.name})`,
    )
    .join(', ');
}

/** The only instance of `target` in the scenario (not `self`), as a reference. */
function autolink(
  ctx: Ctx,
  entity: CheckedEntity,
  target: string,
  attribute: string,
  refAttribute: string | null,
): PlanValue | null {
  const cands = ctx.visible.filter(
    (l) => l.label !== entity.label && ctx.index.isA(l.model.qualname, target),
  );
  const instances = cands.reduce((s, c) => s + (c.count ?? 1), 0);
  const short = target.slice(target.lastIndexOf('.') + 1);
  if (instances === 1) {
    const only = cands[0]!;
    return {
      attribute,
      value: {
        kind: 'ref',
        label: only.label,
        index: only.count === null ? null : { kind: 'const', value: 0 },
        attribute: refAttribute,
      },
      origin: 'autolink',
      collection: false,
    };
  }
  const where: Where = entity.at;
  if (instances === 0) {
    ctx.diagnostics.push(
      error(
        Codes.autolinkNone,
        `${entity.label}.${attribute} is NOT NULL and the scenario has no ${short} to link it to`,
        {
          ...where,
          hint:
            `add an entity with model: ${short}, or set ${attribute} in values` +
            (ctx.index.isA(entity.model.qualname, target)
              ? ' (an instance never links to itself)'
              : ''),
        },
      ),
    );
  } else {
    ctx.diagnostics.push(
      error(
        Codes.autolinkMany,
        `${entity.label}.${attribute} is NOT NULL and could link to several ${short} instances: ${describeCandidates(cands)}`,
        {
          ...where,
          hint: `set ${attribute} in values, e.g. ${attribute}: "@${cands[0]!.label}${cands[0]!.count === null ? '' : '[0]'}"`,
        },
      ),
    );
  }
  return null;
}

/** Ordinal and offset of `label` among the visible labels that have this column (for synth). */
function position(ctx: Ctx, label: string, col: ColumnInfo): { ordinal: number; offset: number } {
  const own = ctx.visible
    .filter((l) => l.scenario === null)
    .sort((a, b) => (a.label < b.label ? -1 : 1));
  const ordered = [...ctx.visible.filter((l) => l.scenario !== null), ...own];
  let ordinal = 0;
  let offset = 0;
  for (const l of ordered) {
    if (!l.model.columns.some((c) => c.table === col.table && c.name === col.name)) continue;
    ordinal++;
    if (l.label === label) break;
    offset += l.count ?? 1;
  }
  return { ordinal, offset };
}

function fillEntity(
  ctx: Ctx,
  entity: CheckedEntity,
  reverse: ReadonlyMap<string, ReadonlySet<string>>,
): PlanValue[] | null {
  const model = entity.model;
  const values: PlanValue[] = entity.values.map((v) => ({
    attribute: v.attribute,
    value: v.value,
    origin: 'written',
    collection: v.collection,
  }));
  const covered = new Set<string>([
    ...entity.values.flatMap((v) => v.covers),
    ...(reverse.get(entity.label) ?? []),
  ]);
  let failed = false;
  for (const col of model.columns) {
    if (covered.has(col.key) || leftAlone(ctx.index, model, col)) continue;
    if (col.foreignKeys.length > 0) {
      const rel = model.relationships.find(
        (r) => r.direction === 'MANYTOONE' && !r.viewonly && r.localColumns.includes(col.key),
      );
      rel?.localColumns.forEach((k) => covered.add(k));
      const some = ctx.partial.get(entity.label);
      if (some?.columns.includes(col.key)) {
        ctx.diagnostics.push(partialDiagnostic(entity, some, rel?.key ?? col.key, col.key));
        failed = true;
        continue;
      }
      const fk = col.foreignKeys[0]!;
      const target = rel?.target ?? fk.model;
      if (target === null || (rel === undefined && fk.attribute === null)) {
        ctx.diagnostics.push(
          error(
            Codes.autolinkNone,
            `${entity.label}.${col.key} is NOT NULL and refers to ${fk.table}, which no mapped class maps`,
            {
              ...entity.at,
              hint: `set ${col.key} in values`,
            },
          ),
        );
        failed = true;
        continue;
      }
      const v = rel
        ? autolink(ctx, entity, target, rel.key, null)
        : autolink(ctx, entity, target, col.key, fk.attribute);
      if (v === null) failed = true;
      else values.push(v);
      continue;
    }
    const pos = position(ctx, entity.label, col);
    const s = synthesize(col, {
      scenario: ctx.input.name,
      label: entity.label,
      count: entity.count,
      unique: isUnique(model, col),
      ...pos,
    });
    if (!s.ok) {
      ctx.diagnostics.push(
        error(Codes.cannotSynthesize, `${entity.label}: ${s.message}`, {
          ...entity.at,
          hint: s.hint,
        }),
      );
      failed = true;
      continue;
    }
    values.push({
      attribute: col.key,
      value: { kind: 'synth', expr: s.value },
      origin: 'synth',
      collection: false,
    });
  }
  return failed
    ? null
    : values.sort((a, b) => (a.attribute < b.attribute ? -1 : a.attribute > b.attribute ? 1 : 0));
}

function refLabels(values: readonly PlanValue[]): Set<string> {
  const out = new Set<string>();
  const walk = (e: PlanValue['value']): void => {
    if (e.kind === 'ref') out.add(e.label);
    else if (e.kind === 'refList' || e.kind === 'cycle') e.items.forEach(walk);
    else if (e.kind === 'synth') walk(e.expr);
  };
  values.forEach((v) => walk(v.value));
  return out;
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
    inherited: input.inherited,
    entities,
    models: [...models].sort(),
    expectCounts,
    edgeCases: input.edgeCases,
    canonical: input.canonical,
  });
}

function partialDiagnostic(
  entity: CheckedEntity,
  some: PartialCoverage,
  attribute: string,
  column: string,
): Diagnostic {
  const names = some.missing.slice(0, 3).map((k) => `${entity.label}[${k}]`);
  const more = some.missing.length > 3 ? ` and ${some.missing.length - 3} more` : '';
  const list =
    names.length === 1
      ? names[0]!
      : `${names.slice(0, -1).join(', ')}${more ? ', ' : ' and '}${names.at(-1)!}${more}`;
  return error(
    Codes.autolinkNone,
    `${list} would have no ${column}: ${some.by} holds only some of ${entity.label} and sets it for those`,
    {
      ...some.at,
      hint: `list every instance (e.g. "@${entity.label}"), or set ${attribute} on ${entity.label}`,
    },
  );
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
