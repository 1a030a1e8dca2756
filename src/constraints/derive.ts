/**
 * The constraint tests of a scenario with `edge_cases: auto`: for the models of its own entities,
 * what deleting a parent does (through the ORM and through plain SQL), that each unique key refuses
 * a duplicate, each NOT NULL column a NULL and each CHECK a violating value; and the findings where
 * the ORM and the database disagree. Pure: the catalog and the plan decide everything.
 */
import type { ColumnInfo, ModelInfo } from '../catalog/types.js';
import type { Plan } from '../plan/types.js';
import type { CheckViolation } from './checks.js';
import { breakCheck } from './checks.js';
import type { DeleteOutcome, DeletePath } from './deletes.js';
import { predictDelete } from './deletes.js';
import { findingsFor, type Finding } from './findings.js';
import type { FkEdge, RowGraph } from './rows.js';
import { rowGraph, rowId, splitRow } from './rows.js';

/** An instance of the scenario: its label and, for a list, the index. */
export interface RowRef {
  readonly label: string;
  readonly index: number | null;
}

export interface DeleteCase {
  readonly kind: 'delete';
  readonly row: RowRef;
  readonly model: ModelInfo;
  readonly path: DeletePath;
  readonly outcome: Exclude<DeleteOutcome, { kind: 'uncertain' }>;
  /** One row per kind of child pointing at the deleted row, and what happens to it. */
  readonly children: readonly {
    readonly row: RowRef;
    readonly model: ModelInfo;
    readonly columns: readonly ColumnInfo[];
    readonly fate: 'deleted' | 'nulled' | 'kept';
  }[];
  /** Link tables holding rows that point at the deleted row. */
  readonly links: readonly string[];
}

export interface UniqueCase {
  readonly kind: 'unique';
  readonly model: ModelInfo;
  readonly columns: readonly ColumnInfo[];
  readonly first: RowRef;
  /** Another row updated to the first one's key; null: a copy of the first row is inserted. */
  readonly other: RowRef | null;
  /** For a copy: the columns left out (generated keys) and those set to NULL (other unique keys). */
  readonly omit: readonly ColumnInfo[];
  readonly nulls: readonly ColumnInfo[];
}

export interface NotNullCase {
  readonly kind: 'not-null';
  readonly model: ModelInfo;
  readonly row: RowRef;
  readonly columns: readonly ColumnInfo[];
}

export interface CheckCase {
  readonly kind: 'check';
  readonly model: ModelInfo;
  readonly row: RowRef;
  readonly sql: string;
  readonly violation: CheckViolation;
}

export type ConstraintCase = DeleteCase | UniqueCase | NotNullCase | CheckCase;

export interface ConstraintSuite {
  readonly cases: readonly ConstraintCase[];
  /** What was not derived, and why (written into the file's docstring). */
  readonly skipped: readonly string[];
  readonly findings: readonly Finding[];
}

/** Why a model's rows cannot be tested with plain SQL on its own table, or null. */
function unfit(model: ModelInfo): string | null {
  if (model.inherits) return 'it inherits a mapped class (joined or single-table inheritance)';
  if (model.columns.some((c) => c.primaryKey && c.table !== model.table)) {
    return 'its primary key is on another table';
  }
  return null;
}

const refOf = (label: string, index: number, list: boolean): RowRef => ({
  label,
  index: list ? index : null,
});

export function deriveConstraints(plan: Plan, models: readonly ModelInfo[]): ConstraintSuite {
  const graph = rowGraph(plan, models);
  const cases: ConstraintCase[] = [];
  const skipped: string[] = [];
  const isList = (label: string) => plan.entities.find((e) => e.label === label)?.count != null;
  const seen = new Set<string>();
  for (const entity of plan.entities) {
    const model = graph.labelModel.get(entity.label);
    if (!model || seen.has(model.qualname)) continue;
    seen.add(model.qualname);
    const why = unfit(model);
    if (why) {
      skipped.push(`${model.name}: ${why}`);
      continue;
    }
    const labels = plan.entities.filter((e) => e.model === model.qualname);
    const first = refOf(entity.label, 0, isList(entity.label));
    const second = labels.flatMap((e) =>
      (e.count ?? 1) >= 2
        ? [{ first: refOf(e.label, 0, true), other: refOf(e.label, 1, true) }]
        : [],
    )[0];
    const pair =
      second ??
      (labels.length >= 2
        ? {
            first: refOf(labels[0]!.label, 0, isList(labels[0]!.label)),
            other: refOf(labels[1]!.label, 0, isList(labels[1]!.label)),
          }
        : null);
    cases.push(...uniqueCases(model, first, pair, skipped));
    const own = model.columns.filter((c) => c.table === model.table);
    const notNull = own.filter((c) => !c.nullable && !c.primaryKey);
    if (notNull.length > 0) cases.push({ kind: 'not-null', model, row: first, columns: notNull });
    for (const check of model.checkConstraints ?? []) {
      const violation = breakCheck(check.sql, model);
      if (violation) cases.push({ kind: 'check', model, row: first, sql: check.sql, violation });
      else
        skipped.push(
          `${model.name}: CHECK (${check.sql}): too complex to derive a value it refuses`,
        );
    }
  }
  for (const entity of plan.entities) {
    const model = graph.labelModel.get(entity.label);
    if (!model || unfit(model) || graph.opaque.has(entity.label)) continue;
    const subject = rowId(entity.label, 0);
    const direct = graph.edges.filter((e) => e.parent === subject);
    const linked = graph.links.some((l) => l.rows.includes(subject));
    if (direct.length === 0 && !linked) continue; // nothing points at it: nothing to pin
    if (direct.some((e) => unfit(graph.labelModel.get(splitRow(e.child).label)!))) continue;
    for (const path of ['orm', 'sql'] as const) {
      const outcome = predictDelete(graph, subject, path);
      if (outcome.kind === 'uncertain') {
        skipped.push(`deleting ${entity.label} (${path}): ${outcome.why}`);
        continue;
      }
      cases.push({
        kind: 'delete',
        row: refOf(entity.label, 0, isList(entity.label)),
        model,
        path,
        outcome,
        children: watched(graph, direct, outcome, isList),
        links: [
          ...new Set(graph.links.filter((l) => l.rows.includes(subject)).map((l) => l.secondary)),
        ].sort(),
      });
    }
  }
  return { cases, skipped, findings: findingsFor(plan, graph) };
}

function watched(
  graph: RowGraph,
  direct: readonly FkEdge[],
  outcome: Exclude<DeleteOutcome, { kind: 'uncertain' }>,
  isList: (label: string) => boolean,
): DeleteCase['children'] {
  const byKind = new Map<string, FkEdge>();
  for (const e of direct) {
    const key = `${splitRow(e.child).label}>${e.columns.join(',')}`;
    if (!byKind.has(key)) byKind.set(key, e);
  }
  return [...byKind.values()].map((e) => {
    const { label, index } = splitRow(e.child);
    const model = graph.labelModel.get(label)!;
    const fate =
      outcome.kind !== 'done'
        ? 'kept'
        : outcome.deleted.has(e.child)
          ? 'deleted'
          : outcome.nulled.includes(e)
            ? 'nulled'
            : 'kept';
    return {
      row: refOf(label, index, isList(label)),
      model,
      columns: e.columns.flatMap((k) => model.columns.filter((c) => c.key === k)),
      fate,
    };
  });
}

function uniqueCases(
  model: ModelInfo,
  first: RowRef,
  pair: { first: RowRef; other: RowRef } | null,
  skipped: string[],
): UniqueCase[] {
  const out: UniqueCase[] = [];
  const pk = [...model.primaryKey].sort().join(',');
  const column = (k: string) => model.columns.find((c) => c.key === k);
  for (const keys of model.uniques) {
    if ([...keys].sort().join(',') === pk) continue; // the primary key: generated, not written
    const columns = keys.map(column).filter((c): c is ColumnInfo => c !== undefined);
    const name = `${model.name}(${keys.join(', ')})`;
    if (columns.length !== keys.length || columns.some((c) => c.table !== model.table)) {
      skipped.push(`unique ${name}: a column is not on ${model.table}`);
      continue;
    }
    if (pair) {
      out.push({
        kind: 'unique',
        model,
        columns,
        first: pair.first,
        other: pair.other,
        omit: [],
        nulls: [],
      });
      continue;
    }
    // One row only: insert a copy, its generated key left out and any other unique key NULL.
    const omit = model.columns.filter(
      (c) => c.primaryKey && (c.autoincrement || c.hasDefault || c.hasServerDefault),
    );
    if (model.columns.some((c) => c.primaryKey && !omit.includes(c))) {
      skipped.push(
        `unique ${name}: the primary key has no default, so a copy of the row needs a new one`,
      );
      continue;
    }
    const others = model.uniques
      .filter((u) => u !== keys && [...u].sort().join(',') !== pk)
      .flatMap((u) =>
        u.some((k) => keys.includes(k)) && u.every((k) => keys.includes(k)) ? [] : [u],
      );
    const nulls: ColumnInfo[] = [];
    let ok = true;
    for (const other of others) {
      const free = other
        .filter((k) => !keys.includes(k))
        .map(column)
        .find((c) => c?.nullable);
      if (!free) ok = false;
      else if (!nulls.includes(free)) nulls.push(free);
    }
    if (!ok) {
      skipped.push(
        `unique ${name}: one row only, and a copy would clash on another unique key too`,
      );
      continue;
    }
    out.push({ kind: 'unique', model, columns, first, other: null, omit, nulls });
  }
  return out;
}
