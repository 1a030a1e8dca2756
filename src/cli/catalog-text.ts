/** The text form of `fixturegen catalog`: one block per model, one line per column and relationship. */
import type { Catalog, ColumnInfo, ModelInfo, RelationshipInfo } from '../catalog/types.js';

function columnLine(model: ModelInfo, c: ColumnInfo): string {
  const alone = model.uniques.some((u) => u.length === 1 && u[0] === c.key);
  const flags = [
    c.primaryKey ? 'pk' : '',
    c.autoincrement ? 'autoincrement' : '',
    c.nullable ? 'nullable' : 'not null',
    alone && !c.primaryKey ? 'unique' : '',
    c.hasDefault || c.hasServerDefault ? 'default' : '',
    ...c.foreignKeys.map((fk) => `→ ${fk.table}.${fk.column}`),
  ].filter(Boolean);
  const len = c.length ? `(${c.length})` : '';
  const stored = c.familyFrom ? ` as ${c.unplaced ? 'unknown' : c.family}` : '';
  return `  ${c.key.padEnd(24)} ${`${c.type}${len}${stored}`.padEnd(18)} ${flags.join(', ')}`;
}

function relationshipLine(r: RelationshipInfo): string {
  // SQLAlchemy's one-to-one is a one-to-many (or many-to-many) that holds a single object.
  const scalar = !r.uselist && r.direction !== 'MANYTOONE';
  const flags = [scalar ? 'one-to-one' : '', r.viewonly ? 'view-only' : ''].filter(Boolean);
  const via = r.secondary ? ` via ${r.secondary}` : '';
  const extra = flags.length > 0 ? `  (${flags.join(', ')})` : '';
  return `  ${r.key.padEnd(24)} ${r.direction.padEnd(18)} → ${r.target}${via}${extra}`;
}

export function catalogLines(catalog: Catalog): string[] {
  const out: string[] = [];
  for (const model of catalog.models) {
    const extra = model.inherits ? ` (inherits ${model.inherits})` : '';
    out.push(`${model.qualname}  table ${model.table}${extra}`);
    for (const c of model.columns) out.push(columnLine(model, c));
    for (const r of model.relationships) out.push(relationshipLine(r));
    // Sets of several columns (single columns are flagged on their line; the primary key is pk).
    const pk = [...model.primaryKey].sort().join(',');
    for (const u of model.uniques) {
      if (u.length > 1 && [...u].sort().join(',') !== pk) out.push(`  unique (${u.join(', ')})`);
    }
  }
  out.push(`${catalog.models.length} models from ${catalog.modules.join(', ')}`);
  return out;
}
