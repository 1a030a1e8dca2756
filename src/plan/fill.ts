/**
 * Filling in what a scenario's entity does not write: auto-links to the only candidate instance
 * and synthesized NOT NULL values.
 */
import type { ColumnInfo, ModelInfo } from '../catalog/types.js';
import { error, type Diagnostic } from '../diagnostics/types.js';
import { Codes } from '../diagnostics/scenario-codes.js';
import type { CatalogIndex } from './catalog-index.js';
import type { BuildInput, CheckedEntity, LabelInfo, Where } from './input.js';
import type { PartialCoverage } from './coverage.js';
import { synthesize } from './synth.js';
import type { PlanValue } from './types.js';

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

export interface Ctx {
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

export function fillEntity(
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
