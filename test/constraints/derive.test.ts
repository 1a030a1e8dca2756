/**
 * The pure half of constraint tests: a value each simple CHECK refuses (or none for what is not
 * simple), the delete predictions for rules the golden case does not reach (SET NULL on a NOT NULL
 * column, NO ACTION satisfied by a cascade in the same statement, RESTRICT), and the findings.
 * The golden case `constraints` proves the rest against SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import type { ModelInfo, RelationshipInfo } from '../../src/catalog/types.js';
import { breakCheck } from '../../src/constraints/checks.js';
import { predictDelete } from '../../src/constraints/deletes.js';
import { findingsFor } from '../../src/constraints/findings.js';
import { rowGraph } from '../../src/constraints/rows.js';
import type { Plan, PlanEntity } from '../../src/plan/types.js';
import {
  column,
  fkColumn,
  foreignKey,
  idColumn,
  model,
  relationship,
} from '../support/catalog-builders.js';

const item = model('shop.Item', {
  columns: [
    idColumn(),
    column('qty', { type: 'Integer', nullable: false }),
    column('price', { type: 'Numeric', precision: 8, scale: 2 }),
    column('ratio', { type: 'Float' }),
    column('code', { type: 'String', length: 3 }),
    column('kind', { type: 'String', length: 10 }),
    column('starts', { type: 'Integer' }),
    column('ends', { type: 'Integer' }),
    column('note', { type: 'String' }),
  ],
});

describe('breakCheck', () => {
  it.each([
    ['qty > 0', 'qty', { kind: 'int', text: '0' }],
    ['qty >= 1', 'qty', { kind: 'int', text: '0' }],
    ['0 < qty', 'qty', { kind: 'int', text: '0' }],
    ['qty <= 10', 'qty', { kind: 'int', text: '11' }],
    ['price >= 0 AND price <= 1000', 'price', { kind: 'decimal', text: '-0.01' }],
    ['(price <= 1000) AND (price >= 0)', 'price', { kind: 'decimal', text: '1000.01' }],
    ['ratio < 1', 'ratio', { kind: 'float', text: '1.0' }],
    ['qty BETWEEN 1 AND 5', 'qty', { kind: 'int', text: '6' }],
    ["kind IN ('x', 'y')", 'kind', { kind: 'str', text: 'z' }],
    ['qty IN (1, 2, 3)', 'qty', { kind: 'int', text: '4' }],
    ['length(kind) >= 2', 'kind', { kind: 'str', text: 'x' }],
    ['char_length(kind) <= 5', 'kind', { kind: 'str', text: 'xxxxxx' }],
    ["note <> ''", 'note', { kind: 'str', text: '' }],
    ['note IS NOT NULL', 'note', { kind: 'null' }],
    ['ends > starts', 'ends', { kind: 'column', name: 'starts' }],
    ['"qty" > 0', 'qty', { kind: 'int', text: '0' }],
  ])('%s refuses %s = %j', (sql, col, value) => {
    const v = breakCheck(sql, item);
    expect(v?.column.name).toBe(col);
    expect(v?.value).toEqual(value);
  });

  it.each([
    'qty > 0 OR note IS NULL', // OR: one side may hold
    'lower(kind) = kind', // a function
    'length(code) <= 3', // the column's own length refuses first (String(3))
    'qty IS NOT NULL', // NOT NULL already refuses NULL: not the CHECK
    'unknown_column > 0',
    "kind IN ('x', 'y', 'z', 'xx', 'xy', 'zz')", // String(10) but every candidate taken
  ])('%s gives no value', (sql) => {
    expect(breakCheck(sql, item)).toBeNull();
  });
});

/** A parent `P` and a child `C` with one foreign key to it, and a plan of one of each. */
function pair(
  ondelete: string | null,
  nullable: boolean,
  rel: Partial<RelationshipInfo> | null,
): { plan: Plan; models: ModelInfo[] } {
  const parent = model('m.P', {
    relationships: rel
      ? [relationship('kids', 'm.C', 'ONETOMANY', { remoteColumns: ['p_id'], ...rel })]
      : [],
  });
  const child = model('m.C', {
    columns: [idColumn(), fkColumn('p_id', { ...foreignKey('p', 'm.P'), ondelete }, { nullable })],
    relationships: [relationship('p', 'm.P', 'MANYTOONE', { localColumns: ['p_id'] })],
  });
  const entity = (label: string, m: ModelInfo, values: PlanEntity['values']): PlanEntity => ({
    label,
    model: m.qualname,
    className: m.name,
    module: m.module,
    count: null,
    values,
    dependsOn: [],
  });
  const ref = { kind: 'ref', label: 'p', index: null, attribute: null } as const;
  const plan = {
    name: 's',
    entities: [
      entity('p', parent, []),
      entity('c', child, [{ attribute: 'p', value: ref, origin: 'written', collection: false }]),
    ],
  } as unknown as Plan;
  return { plan, models: [parent, child] };
}

const outcome = (p: ReturnType<typeof pair>, path: 'orm' | 'sql') => {
  const o = predictDelete(rowGraph(p.plan, p.models), 'p#0', path);
  return o.kind === 'done' ? { deleted: [...o.deleted].sort(), nulled: o.nulled.length } : o.kind;
};

describe('predictDelete', () => {
  it('CASCADE: plain SQL deletes the child; the ORM, not told, nulls a NOT NULL key: refused', () => {
    const p = pair('CASCADE', false, {});
    expect(outcome(p, 'sql')).toEqual({ deleted: ['c#0', 'p#0'], nulled: 0 });
    expect(outcome(p, 'orm')).toBe('refused');
    expect(findingsFor(p.plan, rowGraph(p.plan, p.models)).map((f) => f.code)).toEqual(['FG280']);
  });

  it('SET NULL on a NOT NULL key is refused both ways; on a nullable key the child stays', () => {
    expect(outcome(pair('SET NULL', false, { passiveDeletes: true }), 'sql')).toBe('refused');
    const nullable = pair('SET NULL', true, { passiveDeletes: true });
    expect(outcome(nullable, 'sql')).toEqual({ deleted: ['p#0'], nulled: 1 });
    expect(outcome(nullable, 'orm')).toEqual({ deleted: ['p#0'], nulled: 1 });
    expect(findingsFor(nullable.plan, rowGraph(nullable.plan, nullable.models))).toEqual([]);
  });

  it('RESTRICT and no ondelete are refused; the ORM with delete cascade deletes the child', () => {
    expect(outcome(pair('RESTRICT', false, null), 'sql')).toBe('refused');
    const orm = pair(null, false, { cascade: ['delete', 'delete-orphan', 'save-update'] });
    expect(outcome(orm, 'orm')).toEqual({ deleted: ['c#0', 'p#0'], nulled: 0 });
    expect(outcome(orm, 'sql')).toBe('refused');
  });

  it('passive_deletes without ondelete is a finding (FG281)', () => {
    const p = pair(null, true, { passiveDeletes: true });
    expect(findingsFor(p.plan, rowGraph(p.plan, p.models)).map((f) => f.code)).toEqual(['FG281']);
  });

  it('an unmodelled rule (SET DEFAULT) is uncertain, so no test is written for it', () => {
    expect(outcome(pair('SET DEFAULT', true, null), 'sql')).toBe('uncertain');
  });
});
