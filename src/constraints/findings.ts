/**
 * Where the ORM and the database disagree about deleting a parent of the scenario's models: for each
 * one-to-many, what `session.delete(parent)` does to the children (delete them, set their foreign
 * key to NULL, or leave them to the database) against what a plain SQL DELETE does (the foreign
 * key's ondelete). Each disagreement is a finding with the model and the relationship.
 */
import type { ModelInfo, RelationshipInfo } from '../catalog/types.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import type { Plan } from '../plan/types.js';
import { edgeOndelete, fkColumns, hasDelete, ondeleteRule } from './deletes.js';
import type { RowGraph } from './rows.js';

export interface Finding {
  readonly code: DiagnosticCode;
  /** `Model.relationship`. */
  readonly where: string;
  readonly message: string;
  readonly hint: string;
}

type Effect = 'delete' | 'set-null' | 'refused' | 'other';

const SAYS: Record<Effect, string> = {
  delete: 'deletes the children',
  'set-null': 'sets their foreign key to NULL',
  refused: 'is refused',
  other: 'does something else',
};

function databaseEffect(ondelete: string | null, nullable: boolean): Effect {
  switch (ondeleteRule(ondelete)) {
    case 'cascade':
      return 'delete';
    case 'set-null':
      return nullable ? 'set-null' : 'refused';
    case 'refuse':
      return 'refused';
    case 'other':
      return 'other';
  }
}

function relationshipFinding(parent: ModelInfo, rel: RelationshipInfo, child: ModelInfo) {
  const keys = rel.remoteColumns ?? [];
  const columns = fkColumns(child, keys);
  if (columns.length === 0) return null;
  const nullable = columns.every((c) => c.nullable);
  const ondelete = edgeOndelete(child, keys);
  const fk = `${child.table}.${columns.map((c) => c.name).join(', ')}`;
  const where = `${parent.name}.${rel.key}`;
  const db = databaseEffect(ondelete, nullable);
  const rule = ondelete ? `ondelete="${ondelete}"` : 'no ondelete';
  if (rel.passiveDeletes) {
    if (ondelete !== null) return null;
    return {
      code: 'FG281' as const,
      where,
      message: `${where} has passive_deletes=True, but the foreign key ${fk} has no ondelete: session.delete(${parent.name}) leaves the children to a database rule that does not exist, so the delete is refused`,
      hint: `add ondelete="CASCADE" (or "SET NULL") to the ForeignKey of ${fk}, or drop passive_deletes`,
    };
  }
  const orm: Effect = hasDelete(rel) ? 'delete' : nullable ? 'set-null' : 'refused';
  if (orm === db) return null;
  const ormText =
    orm === 'refused'
      ? `sets ${fk} to NULL, which is NOT NULL, so it is refused`
      : SAYS[orm].replace('their foreign key', fk);
  const hint =
    orm === 'delete'
      ? `add ondelete="CASCADE" to the ForeignKey of ${fk}, so a plain SQL DELETE does the same`
      : db === 'delete'
        ? `add passive_deletes=True to ${where} to let the database cascade, or cascade="all, delete-orphan" to delete through the ORM`
        : db === 'set-null'
          ? `add passive_deletes=True to ${where} to leave it to the database`
          : `add cascade="all, delete-orphan" to ${where} and ondelete="CASCADE" to ${fk}, or make the foreign key nullable with ondelete="SET NULL"`;
  return {
    code: 'FG280' as const,
    where,
    message: `ORM and database disagree on deleting a ${parent.name}: session.delete() through ${where} (cascade "${(rel.cascade ?? []).join(', ')}") ${ormText}; a plain SQL DELETE (${rule} on ${fk}) ${SAYS[db]}`,
    hint,
  };
}

export function findingsFor(plan: Plan, graph: RowGraph): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const entity of plan.entities) {
    const parent = graph.models.get(entity.model);
    if (!parent || seen.has(parent.qualname)) continue;
    seen.add(parent.qualname);
    for (const rel of parent.relationships) {
      if (rel.direction !== 'ONETOMANY' || rel.viewonly) continue;
      const child = graph.models.get(rel.target);
      if (!child) continue;
      const finding = relationshipFinding(parent, rel, child);
      if (finding) out.push(finding);
    }
  }
  return out;
}
