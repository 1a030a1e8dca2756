import type { ColumnInfo, ModelInfo, RelationshipInfo } from '../../../catalog/types.js';
import { lookupExpression } from '../../builtin/imports.js';

// The catalog, compactly: one line per column and per relationship.

export function formatModels(models: readonly ModelInfo[]): string {
  if (models.length === 0) return '(no models)';
  return models.map(formatModel).join('\n\n');
}

function formatModel(model: ModelInfo): string {
  const head = [`class ${model.name}`, reach(model), `table ${model.table}`];
  if (model.inherits) head.push(`inherits ${shortName(model.inherits)}`);
  if (model.polymorphicIdentity !== null)
    head.push(`polymorphic identity ${JSON.stringify(model.polymorphicIdentity)}`);
  if (model.abstract) head.push('abstract');
  const lines = [head.join(', ')];
  for (const col of model.columns) lines.push(`  ${formatColumn(model, col)}`);
  for (const rel of model.relationships) lines.push(`  ${formatRelationship(rel)}`);
  const composite = model.uniques.filter((u) => u.length > 1 && !sameKeys(u, model.primaryKey));
  for (const u of composite) lines.push(`  unique together: (${u.join(', ')})`);
  return lines.join('\n');
}

function reach(model: ModelInfo): string {
  const a = model.access;
  if (a === undefined) return `from ${model.module}`;
  if (a.via === 'attribute') return `imported as ${a.name} from ${a.module}`;
  return `no module attribute: ${lookupExpression(a)} (after from ${a.module} import ${a.name})`;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k) => b.includes(k));
}

function typeText(col: ColumnInfo): string {
  if (col.enum) {
    const stored = col.enum.stored.join('|');
    const py = col.enum.pythonEnum;
    return py ? `Enum ${py.name} (from ${py.module}: ${stored})` : `Enum (${stored})`;
  }
  if (col.length !== null) return `${col.type}(${col.length})`;
  if (col.precision !== null)
    return col.scale !== null
      ? `${col.type}(${col.precision}, ${col.scale})`
      : `${col.type}(${col.precision})`;
  if (col.timezone) return `${col.type}(timezone=True)`;
  if (col.itemFamily) return `${col.type} of ${col.itemFamily}`;
  // A TypeDecorator taking other values than it stores: say what it takes.
  if (col.unplaced) return `${col.type} (leave it unset: fixturegen cannot write its values)`;
  if (col.familyFrom) return `${col.type} (takes ${col.pythonType ?? col.family})`;
  return col.type;
}

function formatColumn(model: ModelInfo, col: ColumnInfo): string {
  const parts = [typeText(col), col.nullable ? 'nullable' : 'NOT NULL'];
  if (col.primaryKey) parts.push('PK');
  if (col.autoincrement) parts.push('autoincrement');
  if (col.hasDefault) parts.push('default');
  if (col.hasServerDefault) parts.push('server default');
  if (!col.primaryKey && model.uniques.some((u) => u.length === 1 && u[0] === col.key))
    parts.push('unique');
  if (col.isDiscriminator) parts.push('discriminator');
  for (const fk of col.foreignKeys) {
    const target = fk.model
      ? ` (${shortName(fk.model)}${fk.attribute ? `.${fk.attribute}` : ''})`
      : '';
    parts.push(`FK ${fk.table}.${fk.column}${target}`);
  }
  const name = col.name !== col.key ? ` [column ${col.name}]` : '';
  return `${col.key}: ${parts.join(', ')}${name}`;
}

const DIRECTION: Record<RelationshipInfo['direction'], string> = {
  MANYTOONE: 'many-to-one',
  ONETOMANY: 'one-to-many',
  MANYTOMANY: 'many-to-many',
};

function formatRelationship(rel: RelationshipInfo): string {
  const target = shortName(rel.target);
  const parts = [
    `relationship → ${rel.uselist ? `list[${target}]` : target}`,
    DIRECTION[rel.direction],
  ];
  if (rel.localColumns.length > 0) parts.push(`sets ${rel.localColumns.join(', ')}`);
  if (rel.secondary) parts.push(`link table ${rel.secondary}`);
  if (rel.backPopulates) parts.push(`back_populates ${rel.backPopulates}`);
  if (rel.viewonly) parts.push('viewonly: never assign it');
  return `${rel.key}: ${parts.join(', ')}`;
}

function shortName(qualname: string): string {
  return qualname.slice(qualname.lastIndexOf('.') + 1);
}
