/**
 * Which of a scenario's rows point at which: the foreign-key edges between its own instances, read
 * from the plan's references (a many-to-one, a foreign-key column given a reference, a one-to-many
 * filled from the parent's side) and the link rows of its many-to-many collections. Constraint
 * tests delete a row and predict what happens to the rows that point at it.
 */
import type { ColumnInfo, ModelInfo, RelationshipInfo } from '../catalog/types.js';
import { evalIndex } from '../plan/index-expr.js';
import type { Plan, PlanEntity, ValueExpr } from '../plan/types.js';

/** Instances enumerated per entity; a longer list is not simulated (its deletes are skipped). */
export const MAX_ROWS = 200;

/** `label#index` (an entity without `count` is index 0). */
export type RowId = string;

export const rowId = (label: string, index: number): RowId => `${label}#${index}`;

export function splitRow(row: RowId): { label: string; index: number } {
  const at = row.lastIndexOf('#');
  return { label: row.slice(0, at), index: Number(row.slice(at + 1)) };
}

/** A child row whose foreign-key columns (attribute keys on its model) hold a parent row's key. */
export interface FkEdge {
  readonly child: RowId;
  readonly parent: RowId;
  readonly columns: readonly string[];
}

/** A row of a many-to-many link table between two of the scenario's rows. */
export interface LinkEdge {
  readonly secondary: string;
  readonly rows: readonly [RowId, RowId];
}

export interface RowGraph {
  readonly models: ReadonlyMap<string, ModelInfo>;
  /** Model of each own label. */
  readonly labelModel: ReadonlyMap<string, ModelInfo>;
  readonly counts: ReadonlyMap<string, number>;
  readonly edges: readonly FkEdge[];
  readonly links: readonly LinkEdge[];
  /** Labels too long to enumerate, or holding references that cannot be followed. */
  readonly opaque: ReadonlySet<string>;
}

/** The rows a value refers to for instance `i` (a cycle picks its item; a list, every item). */
function refsAt(
  value: ValueExpr,
  i: number,
  counts: ReadonlyMap<string, number>,
): { label: string; index: number }[] {
  switch (value.kind) {
    case 'ref': {
      const count = counts.get(value.label) ?? 1;
      if (value.index === null && count > 1) {
        return Array.from({ length: count }, (_, k) => ({ label: value.label, index: k }));
      }
      return [{ label: value.label, index: value.index === null ? 0 : evalIndex(value.index, i) }];
    }
    case 'refList':
      return value.items.flatMap((item) => refsAt(item, i, counts));
    case 'cycle':
      return value.items.length === 0
        ? []
        : refsAt(value.items[i % value.items.length]!, i, counts);
    case 'synth':
      return refsAt(value.expr, i, counts);
    case 'literal':
    case 'interpolate':
      return [];
  }
}

function columnOf(model: ModelInfo, key: string): ColumnInfo | undefined {
  return model.columns.find((c) => c.key === key);
}

function relationshipOf(model: ModelInfo, key: string): RelationshipInfo | undefined {
  return model.relationships.find((r) => r.key === key);
}

export function rowGraph(plan: Plan, models: readonly ModelInfo[]): RowGraph {
  const byName = new Map(models.map((m) => [m.qualname, m]));
  const labelModel = new Map<string, ModelInfo>();
  const counts = new Map<string, number>();
  const opaque = new Set<string>();
  for (const e of plan.entities) {
    const model = byName.get(e.model);
    if (!model) {
      opaque.add(e.label);
      continue;
    }
    labelModel.set(e.label, model);
    counts.set(e.label, e.count ?? 1);
    if ((e.count ?? 1) > MAX_ROWS) opaque.add(e.label);
  }
  const edges = new Map<string, FkEdge>();
  const links = new Map<string, LinkEdge>();
  const addEdge = (edge: FkEdge) =>
    edges.set(`${edge.child}>${edge.parent}>${edge.columns.join(',')}`, edge);
  for (const entity of plan.entities) {
    const model = labelModel.get(entity.label);
    if (!model || opaque.has(entity.label)) continue;
    for (let i = 0; i < (counts.get(entity.label) ?? 1); i++) {
      for (const v of entity.values) addValue(entity, model, v.attribute, v.value, i);
    }
  }
  function own(label: string, index: number): boolean {
    return labelModel.has(label) && index < (counts.get(label) ?? 1);
  }
  function addValue(
    entity: PlanEntity,
    model: ModelInfo,
    attribute: string,
    value: ValueExpr,
    i: number,
  ) {
    const refs = refsAt(value, i, counts);
    if (refs.length === 0) return;
    const self = rowId(entity.label, i);
    const rel = relationshipOf(model, attribute);
    const column = columnOf(model, attribute);
    for (const ref of refs) {
      if (!own(ref.label, ref.index)) continue; // inherited rows: their own scenario's business
      const target = rowId(ref.label, ref.index);
      if (rel?.direction === 'MANYTOONE' && rel.localColumns.length > 0) {
        addEdge({ child: self, parent: target, columns: rel.localColumns });
      } else if (rel?.direction === 'ONETOMANY' && (rel.remoteColumns ?? []).length > 0) {
        addEdge({ child: target, parent: self, columns: rel.remoteColumns! });
      } else if (rel?.direction === 'MANYTOMANY' && rel.secondary !== null) {
        const pair: [RowId, RowId] = self < target ? [self, target] : [target, self];
        links.set(`${rel.secondary}>${pair.join('>')}`, { secondary: rel.secondary, rows: pair });
      } else if (column && column.foreignKeys.length > 0) {
        addEdge({ child: self, parent: target, columns: [column.key] });
      } else if (rel || column) {
        opaque.add(entity.label); // a reference the simulation cannot place
      }
    }
  }
  return {
    models: byName,
    labelModel,
    counts,
    edges: [...edges.values()],
    links: [...links.values()],
    opaque,
  };
}
