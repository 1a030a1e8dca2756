/**
 * Bulk creation of a list entity with many rows: instead of a flush that inserts one row at a time
 * (the unit of work cannot batch INSERT … RETURNING on SQLite), the generated function passes the
 * rows, as dicts, to `insert_rows` (templates/builtin/init.py.hbs), which inserts them with one
 * executemany per run of rows with the same keys and loads them back with one SELECT. Measured on
 * 1 tenant / 2,000 users / 10 roles / 5,000 grants (bench/bulk-fixtures.mjs): the unit of work is
 * 7,013 statements; this is a dozen. Rows of a class whose constructor would only set their
 * attributes are inserted without building instances first (building them was 40–50% of the
 * time on PostgreSQL). Below BULK_MIN rows the unit of work's output stays as it was.
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
 * `<variable> = insert_rows(session, <Class>, [<row> for i in range(<count>)], overrides,
 * "<label>")`, each row a dict of attribute -> value (the keyword arguments the constructor would
 * get), laid out as black and ruff format it. `insert_rows` (the package's `__init__.py`) applies
 * the label's overrides, inserts the rows (built into instances first where the class's
 * constructor would do more than set the attributes: a dataclass's `default` and
 * `default_factory`, an `__init__` of its own, listeners) and returns them as instances of the
 * session. Async output awaits it. The list is an argument, not a variable of its own, so that the
 * label's variable only ever holds instances.
 */
export function bulkLines(
  entity: PlanEntity,
  insertRows: string,
  cls: string,
  variable: string,
  label: string,
  row: (indent: string) => string[],
  async: boolean,
): string[] {
  const lines = row('            ');
  const rows =
    lines.length === 1
      ? [`        [${lines[0]!.trim()} for i in range(${entity.count})],`]
      : ['        [', ...lines, `            for i in range(${entity.count})`, '        ],'];
  return [
    `    ${variable} = ${async ? 'await ' : ''}${insertRows}(`,
    '        session,',
    `        ${cls},`,
    ...rows,
    '        overrides,',
    `        ${label},`,
    '    )',
  ];
}
