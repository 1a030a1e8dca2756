/**
 * Derived edge cases (`edge_cases: auto`): from the catalog, for the scenario's own entities, each
 * case one change away from the base: an attribute of the first row of a label set to a value at
 * the edge of its column type (NULL, the maximum length, an integer at the database type's limit,
 * each enum member, ...), or a parent left with zero children. A case the base already has is
 * skipped. Each case is the overrides of `create_<name>` that make it (a label left out is
 * `{label: None}`), so the generated module is a table of cases and one parametrized fixture.
 */
import { canonicalJson } from '../canonical-json.js';
import type { ColumnInfo, ModelInfo, RelationshipInfo } from '../catalog/types.js';
import { evalIndex } from './index-expr.js';
import type {
  EdgeCaseKind,
  EdgeCaseOptions,
  Plan,
  PlanEdgeCase,
  PlanEdgeCases,
  PlanEdgeChange,
  PlanRemovedRows,
  PlanEntity,
  PyLiteral,
  ValueExpr,
} from './types.js';

/** Text with a combining mark (e + U+0301), an emoji and right-to-left Hebrew. */
const NON_ASCII = 'e\u0301 \u{1F44D} \u05E9\u05DC\u05D5\u05DD';

const INT_LIMITS: Record<string, readonly [string, string]> = {
  SmallInteger: ['-32768', '32767'],
  Integer: ['-2147483648', '2147483647'],
  BigInteger: ['-9223372036854775808', '9223372036854775807'],
};
const SQLITE_INT: readonly [string, string] = ['-9223372036854775808', '9223372036854775807'];

/** An integer type's limits on a dialect: SQLite stores every INTEGER in 64 bits. */
export function integerLimits(column: ColumnInfo, dialect: string): readonly [string, string] {
  if (dialect === 'sqlite') return SQLITE_INT;
  return INT_LIMITS[column.type] ?? INT_LIMITS.Integer!;
}

function datetimeLiteral(parts: number[], offsetMinutes: number | null): PyLiteral {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  let iso = `${p(parts[0]!, 4)}-${p(parts[1]!)}-${p(parts[2]!)}T${p(parts[3]!)}:${p(parts[4]!)}:${p(parts[5]!)}`;
  if (offsetMinutes !== null) iso += '+00:00';
  return { kind: 'datetime', iso, parts: [...parts, 0], offsetMinutes };
}

/** A short, readable rendering of a value for a case id (ids stay ASCII). */
function show(lit: PyLiteral): string {
  switch (lit.kind) {
    case 'none':
      return 'None';
    case 'bool':
      return lit.value ? 'True' : 'False';
    case 'int':
    case 'float':
    case 'decimal':
      return lit.value;
    case 'str':
      if (lit.value === '') return "''";
      if (/^x+$/.test(lit.value)) return `'x'*${lit.value.length}`;
      return 'non_ascii';
    case 'enum':
      return lit.member;
    case 'date':
      return `${lit.year}-${String(lit.month).padStart(2, '0')}-${String(lit.day).padStart(2, '0')}`;
    case 'datetime':
      return lit.iso;
    case 'time':
      return lit.parts.map((n) => String(n).padStart(2, '0')).join(':');
    case 'json':
      return JSON.stringify(lit.value);
    case 'list':
      return '[]';
    case 'bytes':
    case 'interval':
    case 'uuid':
      return lit.kind; // not derived: only NULL for these columns
  }
}

interface Candidate {
  readonly kind: EdgeCaseKind;
  readonly value: PyLiteral;
}

/** The edge values of one column, before the base value and the options filter them. */
function columnCandidates(column: ColumnInfo, dialect: string): Candidate[] {
  const out: Candidate[] = [];
  if (column.nullable) out.push({ kind: 'nulls', value: { kind: 'none' } });
  switch (column.family) {
    case 'string': {
      if (column.length !== null)
        out.push({ kind: 'max_length', value: { kind: 'str', value: 'x'.repeat(column.length) } });
      out.push({ kind: 'empty_string', value: { kind: 'str', value: '' } });
      const chars = [...NON_ASCII];
      const fits = column.length === null ? chars : chars.slice(0, column.length);
      out.push({ kind: 'non_ascii', value: { kind: 'str', value: fits.join('') } });
      break;
    }
    case 'integer': {
      const [min, max] = integerLimits(column, dialect);
      out.push({ kind: 'int_limits', value: { kind: 'int', value: min } });
      out.push({ kind: 'int_limits', value: { kind: 'int', value: max } });
      out.push({ kind: 'zero', value: { kind: 'int', value: '0' } });
      out.push({ kind: 'negative', value: { kind: 'int', value: '-1' } });
      break;
    }
    case 'numeric': {
      const scale = column.scale ?? 0;
      const frac = (digit: string) => (scale > 0 ? `.${digit.repeat(scale)}` : '');
      if (column.precision !== null && column.precision > scale) {
        const max = `${'9'.repeat(column.precision - scale)}${frac('9')}`;
        out.push({ kind: 'precision', value: { kind: 'decimal', value: max } });
        out.push({ kind: 'precision', value: { kind: 'decimal', value: `-${max}` } });
      }
      out.push({ kind: 'zero', value: { kind: 'decimal', value: `0${frac('0')}` } });
      out.push({ kind: 'negative', value: { kind: 'decimal', value: `-1${frac('0')}` } });
      break;
    }
    case 'float':
      out.push({ kind: 'zero', value: { kind: 'float', value: '0.0' } });
      out.push({ kind: 'negative', value: { kind: 'float', value: '-1.5' } });
      break;
    case 'boolean':
      out.push({ kind: 'boolean', value: { kind: 'bool', value: true } });
      out.push({ kind: 'boolean', value: { kind: 'bool', value: false } });
      break;
    case 'enum': {
      const py = column.enum?.pythonEnum ?? null;
      const members = py ? py.members.map((m) => m.name) : (column.enum?.stored ?? []);
      for (const member of members) {
        out.push({
          kind: 'enum',
          value: {
            kind: 'enum',
            enumModule: py?.module ?? null,
            enumClass: py?.name ?? null,
            member,
            ...(py?.asValue ? { asValue: true } : {}),
          },
        });
      }
      break;
    }
    case 'datetime': {
      const tz = column.timezone ? 0 : null;
      out.push({ kind: 'datetime', value: datetimeLiteral([2024, 1, 1, 0, 0, 0], tz) });
      // The instant clocks in the European Union go forward (01:00 UTC, last Sunday of March).
      if (column.timezone)
        out.push({ kind: 'datetime', value: datetimeLiteral([2024, 3, 31, 1, 0, 0], tz) });
      out.push({ kind: 'datetime', value: datetimeLiteral([2024, 2, 29, 12, 0, 0], tz) });
      break;
    }
    case 'date':
      out.push({ kind: 'datetime', value: { kind: 'date', year: 2024, month: 2, day: 29 } });
      break;
    case 'json':
      out.push({ kind: 'empty_json', value: { kind: 'json', value: {} } });
      out.push({ kind: 'empty_json', value: { kind: 'json', value: [] } });
      break;
    case 'array':
      out.push({ kind: 'empty_json', value: { kind: 'list', items: [] } });
      break;
    case 'binary':
    case 'interval':
    case 'other':
    case 'time':
    case 'uuid':
      break; // NULL only
  }
  return out;
}

/** The literal a base value is for the first instance, or undefined when it is not one. */
function baseLiteral(expr: ValueExpr | undefined): PyLiteral | undefined {
  if (expr === undefined) return undefined;
  if (expr.kind === 'literal') return expr.value;
  if (expr.kind === 'synth') return baseLiteral(expr.expr);
  return undefined;
}

const same = (a: PyLiteral, b: PyLiteral | undefined) =>
  b !== undefined && canonicalJson(a) === canonicalJson(b);

interface Where {
  readonly entity: PlanEntity;
  readonly index: number | null;
  readonly at: string;
}

function ownCases(where: Where, model: ModelInfo, dialect: string): PlanEdgeCase[] {
  const { entity, index, at } = where;
  const values = new Map(entity.values.map((v) => [v.attribute, v]));
  const out: PlanEdgeCase[] = [];
  const add = (attribute: string, kind: EdgeCaseKind, value: PyLiteral) =>
    out.push({
      id: `${at}.${attribute}=${show(value)}`,
      kind,
      changes: [{ label: entity.label, index, attribute, value }],
    });
  // Columns a many-to-one sets: their relationship's NULL case stands for them.
  const viaRelationship = new Map<string, RelationshipInfo>();
  for (const r of model.relationships)
    if (r.direction === 'MANYTOONE' && !r.viewonly)
      for (const c of r.localColumns) viaRelationship.set(c, r);
  for (const column of model.columns) {
    if (column.primaryKey || column.isDiscriminator || column.unplaced) continue;
    const written = values.get(column.key);
    const base = written ? baseLiteral(written.value) : undefined;
    if (column.foreignKeys.length > 0 || viaRelationship.has(column.key)) {
      const rel = viaRelationship.get(column.key);
      const relValue = rel ? values.get(rel.key) : undefined;
      // The key is NULL in the base already when neither it nor its relationship is set.
      if (column.nullable && (written !== undefined || relValue !== undefined)) {
        if (!same({ kind: 'none' }, base))
          add(rel && relValue !== undefined ? rel.key : column.key, 'nulls', { kind: 'none' });
      }
      continue;
    }
    for (const c of columnCandidates(column, dialect)) {
      if (c.kind === 'nulls' && written === undefined && !column.hasDefault) {
        if (!column.hasServerDefault) continue; // NULL already
      }
      if (!same(c.value, base)) add(column.key, c.kind, c.value);
    }
  }
  return out;
}

/** An instance a value refers to: `index` null is every instance of a list, or the one of a label. */
interface RowRef {
  readonly label: string;
  readonly index: number | null;
}

/** The instances `expr` refers to for instance `j` of its entity (indexes evaluated for `j`). */
function rowRefs(expr: ValueExpr, j: number): RowRef[] {
  switch (expr.kind) {
    case 'ref':
      return [{ label: expr.label, index: expr.index === null ? null : evalIndex(expr.index, j) }];
    case 'synth':
      return rowRefs(expr.expr, j);
    case 'refList':
      return expr.items.flatMap((item) => rowRefs(item, j));
    case 'cycle': {
      const item = expr.items[j % expr.items.length];
      return item === undefined ? [] : rowRefs(item, j);
    }
    case 'interpolate':
    case 'literal':
      return [];
  }
}

/** Rows by label: the instance indexes of a list, 0 for a single instance. */
type Rows = Map<string, Set<number>>;

const instances = (e: PlanEntity) => e.count ?? 1;

/**
 * What a case leaves out when the `children` rows are: those, and every row that refers to one
 * of them, transitively (what is kept may not refer to a row left out, as for a variant's
 * `remove`), row by row: `users[1]` is left out only if it refers to a row left out. Labels all
 * of whose rows go are `removed` (`{label: None}`); the rows of a list that go in part are `rows`
 * (`{label: {k: None}}`), both in creation order. Null when that would leave out `keep` (the
 * parent itself, a row of a list or the single instance: index 0). A list inserted in bulk
 * leaves its rows out as the unit of work does (`insert_rows`).
 */
function leftOut(
  plan: Plan,
  children: Rows,
  keep: RowRef,
): { removed: string[]; rows: PlanRemovedRows[] } | null {
  const gone: Rows = new Map([...children].map(([label, set]) => [label, new Set(set)]));
  const hits = (r: RowRef) => {
    const rows = gone.get(r.label);
    return rows !== undefined && (r.index === null ? rows.size > 0 : rows.has(r.index));
  };
  for (let grew = true; grew;) {
    grew = false;
    for (const e of plan.entities) {
      if (!e.dependsOn.some((l) => gone.has(l))) continue;
      for (let j = 0; j < instances(e); j++) {
        if (gone.get(e.label)?.has(j)) continue;
        if (!e.values.some((v) => rowRefs(v.value, j).some(hits))) continue;
        if (!gone.has(e.label)) gone.set(e.label, new Set());
        gone.get(e.label)!.add(j);
        grew = true;
      }
    }
  }
  if (gone.get(keep.label)?.has(keep.index ?? 0)) return null;
  const out = plan.entities.filter((e) => (gone.get(e.label)?.size ?? 0) > 0);
  const whole = (e: PlanEntity) => gone.get(e.label)!.size === instances(e);
  return {
    removed: out.filter(whole).map((e) => e.label),
    rows: out
      .filter((e) => !whole(e))
      .map((e) => ({ label: e.label, indexes: [...gone.get(e.label)!].sort((a, b) => a - b) })),
  };
}

/**
 * Zero children: for each one-to-many (or many-to-many) of the entity's model the scenario fills,
 * either by writing the collection on the parent (then it is emptied), by children whose nullable
 * key points at the parent (then every such child's key is set to NULL), or by children held by a
 * NOT NULL key (then those children are left out, with every row that refers to them). The parent
 * is a single instance or the first of a list (`index` 0): then only the children that point at
 * that instance count (a child's `@clubs[i % 2]` is evaluated for each child).
 */
function noChildren(
  where: Where,
  model: ModelInfo,
  plan: Plan,
  models: ReadonlyMap<string, ModelInfo>,
): PlanEdgeCase[] {
  const { entity, index, at } = where;
  const out: PlanEdgeCase[] = [];
  const parent: RowRef = { label: entity.label, index };
  // A many-to-one to a list names its instance; to a single instance, the label.
  const pointsAtParent = (r: RowRef) => r.label === entity.label && r.index === index;
  for (const rel of model.relationships) {
    if (!rel.uselist || rel.viewonly) continue;
    const id = `${at}.${rel.key}=[]`;
    const emptied = { label: entity.label, index, relationship: rel.key };
    const written = entity.values.find((v) => v.attribute === rel.key);
    if (written !== undefined) {
      out.push({
        id,
        kind: 'no_children',
        changes: [
          { label: entity.label, index, attribute: rel.key, value: { kind: 'list', items: [] } },
        ],
        emptied,
      });
      continue;
    }
    if (rel.direction !== 'ONETOMANY') continue;
    const target = models.get(rel.target);
    if (!target) continue;
    const back = target.relationships.find(
      (r) =>
        r.direction === 'MANYTOONE' &&
        r.target === model.qualname &&
        (r.backPopulates === rel.key ||
          (rel.remoteColumns ?? []).every((c) => r.localColumns.includes(c))),
    );
    const keys = rel.remoteColumns ?? back?.localColumns ?? [];
    const nullable = keys.every((k) => target.columns.find((c) => c.key === k)?.nullable);
    const changes: PlanEdgeChange[] = [];
    const children: Rows = new Map();
    for (const child of plan.entities) {
      if (child.model !== rel.target) continue;
      for (const v of child.values) {
        const setsKey =
          (back !== undefined && v.attribute === back.key) || keys.includes(v.attribute);
        if (!setsKey) continue;
        const rows: number[] = [];
        for (let j = 0; j < instances(child); j++)
          if (rowRefs(v.value, j).some(pointsAtParent)) rows.push(j);
        if (rows.length === 0) continue;
        if (!children.has(child.label)) children.set(child.label, new Set());
        for (const j of rows) children.get(child.label)!.add(j);
        const none = { kind: 'none' } as const;
        // Every row of the child's label: one change for all (index null), else one per row.
        const each = child.count === null || rows.length === child.count ? [null] : rows;
        for (const k of each)
          changes.push({ label: child.label, index: k, attribute: v.attribute, value: none });
      }
    }
    if (children.size === 0) continue;
    if (nullable) {
      out.push({ id, kind: 'no_children', changes, emptied });
      continue;
    }
    // The key cannot be NULL: the children are not created at all.
    const gone = leftOut(plan, children, parent);
    if (gone === null) continue;
    out.push({
      id,
      kind: 'no_children',
      changes: [],
      ...(gone.removed.length > 0 ? { removed: gone.removed } : {}),
      ...(gone.rows.length > 0 ? { removedRows: gone.rows } : {}),
      emptied,
    });
  }
  return out;
}

/** Whether `exclude` leaves out a change (`label` or `label.attribute`) or a removed label. */
function excluded(c: PlanEdgeCase, exclude: readonly string[]): boolean {
  return (
    c.changes.some(
      (ch) => exclude.includes(ch.label) || exclude.includes(`${ch.label}.${ch.attribute}`),
    ) ||
    (c.removed ?? []).some((label) => exclude.includes(label)) ||
    (c.removedRows ?? []).some((r) => exclude.includes(r.label))
  );
}

/** The edge cases of a plan's own entities on a dialect, with the options applied. */
export function deriveEdgeCases(
  plan: Plan,
  models: readonly ModelInfo[],
  dialect: string,
  refused: readonly string[] = [],
): PlanEdgeCases {
  const byName = new Map(models.map((m) => [m.qualname, m]));
  const options: EdgeCaseOptions = plan.edgeCaseOptions ?? { exclude: [], kinds: null, max: null };
  const all: PlanEdgeCase[] = [];
  const parents: PlanEdgeCase[] = [];
  for (const entity of plan.entities) {
    const model = byName.get(entity.model);
    if (!model) continue;
    const where: Where = {
      entity,
      index: entity.count === null ? null : 0,
      at: entity.count === null ? entity.label : `${entity.label}[0]`,
    };
    all.push(...ownCases(where, model, dialect));
    parents.push(...noChildren(where, model, plan, byName));
  }
  // Zero children after the rest: where it is one child's NULL key, that case stands for it.
  all.push(...parents);
  // One case per id, and per change: a parent's zero children may be a child's NULL key.
  const seen = new Set<string>();
  const kept = all.filter((c) => {
    const changes = canonicalJson([c.changes, c.removed ?? [], c.removedRows ?? []]);
    if (seen.has(c.id) || seen.has(changes)) return false;
    seen.add(c.id).add(changes);
    return (
      (options.kinds === null || options.kinds.includes(c.kind)) && !excluded(c, options.exclude)
    );
  });
  const cases = options.max === null ? kept : kept.slice(0, options.max);
  const ids = new Set(cases.map((c) => c.id));
  return {
    cases,
    refused: [...new Set(refused)].filter((id) => ids.has(id)).sort(),
    capped: kept.length - cases.length,
  };
}
