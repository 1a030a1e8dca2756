/**
 * What deleting one of a scenario's rows does, predicted from the schema: through the ORM
 * (`session.delete` on a fresh session: relationships' cascade and passive_deletes decide, then the
 * database's rules for what the ORM leaves) and through a plain SQL DELETE (only the foreign keys'
 * ondelete decides). The database is assumed to enforce foreign keys (the generated `db_engine`
 * turns them on for SQLite). A case the model cannot predict for sure is `uncertain`, and skipped.
 */
import type { ColumnInfo, ModelInfo, RelationshipInfo } from '../catalog/types.js';
import type { FkEdge, RowGraph, RowId } from './rows.js';
import { splitRow } from './rows.js';

export type DeletePath = 'orm' | 'sql';

export type DeleteOutcome =
  | { readonly kind: 'refused'; readonly why: string }
  | { readonly kind: 'uncertain'; readonly why: string }
  | {
      readonly kind: 'done';
      /** Every row gone afterwards, the deleted one included. */
      readonly deleted: ReadonlySet<RowId>;
      /** Edges whose child row stays with its foreign key set to NULL. */
      readonly nulled: readonly FkEdge[];
    };

export type Rule = 'cascade' | 'set-null' | 'refuse' | 'other';

/** A foreign key's ondelete, as the database applies it. */
export function ondeleteRule(ondelete: string | null): Rule {
  const rule = (ondelete ?? '').trim().toUpperCase();
  if (rule === 'CASCADE') return 'cascade';
  if (rule === 'SET NULL') return 'set-null';
  if (rule === '' || rule === 'NO ACTION' || rule === 'RESTRICT') return 'refuse';
  return 'other';
}

export function fkColumns(model: ModelInfo, keys: readonly string[]): ColumnInfo[] {
  return keys.flatMap((k) => model.columns.filter((c) => c.key === k));
}

/** The ondelete of the foreign key the columns form (their first column's). */
export function edgeOndelete(child: ModelInfo, keys: readonly string[]): string | null {
  const fk = fkColumns(child, keys)[0]?.foreignKeys[0];
  return fk?.ondelete ?? null;
}

/** The parent's one-to-many (not view-only) whose target's foreign key is these columns. */
export function backRelationship(
  parent: ModelInfo,
  child: ModelInfo,
  keys: readonly string[],
): RelationshipInfo | undefined {
  const want = [...keys].sort().join(',');
  return parent.relationships.find(
    (r) =>
      r.direction === 'ONETOMANY' &&
      !r.viewonly &&
      r.target === child.qualname &&
      [...(r.remoteColumns ?? [])].sort().join(',') === want,
  );
}

export function predictDelete(graph: RowGraph, subject: RowId, path: DeletePath): DeleteOutcome {
  const modelOf = (row: RowId) => graph.labelModel.get(splitRow(row).label)!;
  const deleted = new Set<RowId>([subject]);
  const viaOrm = new Set<RowId>(path === 'orm' ? [subject] : []);
  const nulled: FkEdge[] = [];
  /** Edges the database must check at the end of the statement (NO ACTION). */
  const pending: FkEdge[] = [];
  const queue: RowId[] = [subject];
  while (queue.length > 0) {
    const row = queue.shift()!;
    const parent = modelOf(row);
    const orm = viaOrm.has(row);
    if (orm && parent.relationships.some((r) => r.direction === 'MANYTOONE' && hasDelete(r))) {
      return { kind: 'uncertain', why: `${parent.name} cascades deletes to its many-to-one side` };
    }
    for (const edge of graph.edges.filter((e) => e.parent === row)) {
      if (deleted.has(edge.child)) continue;
      const child = modelOf(edge.child);
      const columns = fkColumns(child, edge.columns);
      const nullable = columns.every((c) => c.nullable);
      const rel = orm ? backRelationship(parent, child, edge.columns) : undefined;
      if (rel && !rel.passiveDeletes) {
        if (hasDelete(rel)) {
          deleted.add(edge.child);
          viaOrm.add(edge.child);
          queue.push(edge.child);
          continue;
        }
        if (columns.some((c) => c.primaryKey)) {
          return { kind: 'uncertain', why: `${parent.name}.${rel.key} would blank out a key` };
        }
        if (!nullable) {
          return {
            kind: 'refused',
            why: `${parent.name}.${rel.key} sets ${child.table}.${columns.map((c) => c.name).join(', ')} to NULL, which is NOT NULL`,
          };
        }
        nulled.push(edge);
        continue;
      }
      // No relationship the ORM processes, or passive_deletes: the session is fresh, the children
      // are not loaded, and the database's rule applies.
      const rule = ondeleteRule(edgeOndelete(child, edge.columns));
      if (rule === 'cascade') {
        deleted.add(edge.child);
        queue.push(edge.child);
      } else if (rule === 'set-null') {
        if (!nullable) {
          return {
            kind: 'refused',
            why: `ON DELETE SET NULL on ${child.table}.${columns.map((c) => c.name).join(', ')}, which is NOT NULL`,
          };
        }
        nulled.push(edge);
      } else if (rule === 'refuse') {
        if ((edgeOndelete(child, edge.columns) ?? '').toUpperCase() === 'RESTRICT') {
          return restrict(edge, child, columns);
        }
        pending.push(edge);
      } else {
        return { kind: 'uncertain', why: `ON DELETE ${edgeOndelete(child, edge.columns)}` };
      }
    }
  }
  for (const edge of pending) {
    if (!deleted.has(edge.child)) {
      const child = modelOf(edge.child);
      return restrict(edge, child, fkColumns(child, edge.columns));
    }
  }
  for (const link of graph.links) {
    for (const row of link.rows) {
      if (!deleted.has(row)) continue;
      const model = modelOf(row);
      const ormHandles =
        viaOrm.has(row) &&
        model.relationships.some(
          (r) =>
            r.direction === 'MANYTOMANY' &&
            r.secondary === link.secondary &&
            !r.viewonly &&
            !r.passiveDeletes,
        );
      if (ormHandles) continue;
      const fks = secondaryFks(graph, link.secondary).filter((f) => f.table === model.table);
      if (fks.length !== 1) return { kind: 'uncertain', why: `link table ${link.secondary}` };
      if (ondeleteRule(fks[0]!.ondelete) !== 'cascade') {
        return {
          kind: 'refused',
          why: `${link.secondary}.${fks[0]!.column} still points at the row (no ON DELETE CASCADE)`,
        };
      }
    }
  }
  return { kind: 'done', deleted, nulled: nulled.filter((e) => !deleted.has(e.child)) };
}

function restrict(edge: FkEdge, child: ModelInfo, columns: readonly ColumnInfo[]): DeleteOutcome {
  const rule = edgeOndelete(child, edge.columns);
  return {
    kind: 'refused',
    why: `${child.table}.${columns.map((c) => c.name).join(', ')} still points at the row (${rule ? `ON DELETE ${rule.toUpperCase()}` : 'no ondelete'})`,
  };
}

export function hasDelete(rel: RelationshipInfo): boolean {
  return (rel.cascade ?? []).includes('delete');
}

function secondaryFks(graph: RowGraph, secondary: string) {
  for (const model of graph.models.values()) {
    for (const r of model.relationships) {
      if (r.secondary === secondary && r.secondaryForeignKeys) return r.secondaryForeignKeys;
    }
  }
  return [];
}
