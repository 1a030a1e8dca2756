/**
 * Bulk creation of a list entity with many rows: instead of a flush that inserts one row at a time
 * (the unit of work cannot batch INSERT … RETURNING on SQLite), the generated function passes the
 * rows to `insert_rows` (templates/builtin/init.py.hbs), which inserts them with one
 * executemany per run of rows with the same keys and loads them back with one SELECT. Measured on
 * 1 tenant / 2,000 users / 10 roles / 5,000 grants (bench/bulk-fixtures.mjs): the unit of work is
 * 7,013 statements; this is a dozen. Below BULK_MIN rows the unit of work's output stays as it was.
 *
 * Only simple shapes go this way: every value a column or a many-to-one reference (written as the
 * foreign-key column reading the referenced row's key), no reference to the list's own rows, no
 * collection set by a later entity, no inheritance. The rest takes the unit of work as before.
 */
import type { ColumnInfo, ModelInfo } from '../../catalog/types.js';
import type { PlanEntity, PlanValue, ValueExpr } from '../../plan/types.js';
import { BULK_MIN } from '../../plan/types.js';
import { foldValue } from '../../plan/values.js';

/** Rows from which a list entity is inserted in bulk (measured: bench/bulk-fixtures.mjs). */
export { BULK_MIN };

/** The function of the package's `__init__.py` the bulk statements call. */
export const INSERT_ROWS = 'insert_rows';

/** A many-to-one reference rewritten to read the referenced row's key (null: not only refs). */
function keyOf(expr: ValueExpr, attribute: string): ValueExpr | null {
  return foldValue<ValueExpr | null>(expr, {
    ref: (r) => (r.attribute === null ? { ...r, attribute } : null),
    literal: (l) => (l.value.kind === 'none' ? l : null),
    cycle: (c) => {
      const items = c.items.map((item) => keyOf(item, attribute));
      return items.every((x) => x !== null) ? { kind: 'cycle', items } : null;
    },
    interpolate: () => null,
    refList: () => null,
    synth: () => null,
  });
}

/**
 * The entity's values as column values, sorted by attribute (a many-to-one relationship becomes
 * its foreign-key column), or null when the entity cannot be inserted in bulk.
 */
export function bulkValues(
  entity: PlanEntity,
  model: ModelInfo | undefined,
  models: ReadonlyMap<string, ModelInfo>,
): PlanValue[] | null {
  if (entity.count === null || entity.count < BULK_MIN || model === undefined) return null;
  if (model.inherits !== null || model.polymorphicOn !== null || model.single) return null;
  if (model.abstract || model.primaryKey.length !== 1) return null;
  const columns = new Map<string, ColumnInfo>(model.columns.map((c) => [c.key, c]));
  const out: PlanValue[] = [];
  for (const v of entity.values) {
    if (v.collection) return null;
    if (columns.has(v.attribute)) {
      out.push(v);
      continue;
    }
    const rel = model.relationships.find((r) => r.key === v.attribute);
    if (rel?.direction !== 'MANYTOONE' || rel.viewonly || rel.localColumns.length !== 1) {
      return null;
    }
    const fk = columns.get(rel.localColumns[0]!)?.foreignKeys;
    const target = fk?.length === 1 ? fk[0]! : undefined;
    const targetModel = target?.model ? models.get(target.model) : undefined;
    if (!target?.attribute || targetModel === undefined) return null;
    const value = keyOf(v.value, target.attribute);
    if (value === null) return null;
    out.push({ ...v, attribute: rel.localColumns[0]!, value });
  }
  const keys = out.map((v) => v.attribute);
  if (new Set(keys).size !== keys.length) return null;
  return out.sort((a, b) => (a.attribute < b.attribute ? -1 : 1));
}

/**
 * The list built by a comprehension (the constructor runs for each row as it would before a
 * flush, a dataclass's `default` and `default_factory` included), then `between` (the per-call
 * overrides), then `<variable> = insert_rows(session, <variable>)`: `insert_rows` (the package's
 * `__init__.py`) inserts what the instances hold and returns them as rows of the session. Async
 * output awaits it.
 */
export function bulkLines(
  entity: PlanEntity,
  insertRows: string,
  variable: string,
  constructor: (indent: string) => string[],
  between: readonly string[],
  async: boolean,
): string[] {
  return [
    `    ${variable} = [`,
    ...constructor('        '),
    `        for i in range(${entity.count})`,
    '    ]',
    ...between,
    `    ${variable} = ${async ? 'await ' : ''}${insertRows}(session, ${variable})`,
  ];
}
