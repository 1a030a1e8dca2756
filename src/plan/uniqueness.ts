/**
 * Uniqueness clashes the plan can see before anything runs: two instances that would get the same
 * key of a primary key, unique constraint or unique index — a constant on a unique column of a list
 * label, a cycle shorter than the count, two labels writing the same literal, a composite key whose
 * every part is constant. Verification would fail on them with the database's IntegrityError.
 *
 * Every instance's key is evaluated from the plan's value expressions; a key part the plan cannot
 * know (a default, a server default, an autoincrement, a column one-to-many collections set) leaves
 * that label out of the check, and a NULL part leaves the instance out (NULLs never clash). So a
 * clash reported here is certain; one the plan cannot see is still found by verification.
 */
import type { ColumnInfo, ModelInfo } from '../catalog/types.js';
import { canonicalJson } from '../canonical-json.js';
import { error, type Diagnostic } from '../diagnostics/types.js';
import { Codes } from '../diagnostics/scenario-codes.js';
import type { BuildInput, CheckedEntity, WrittenValue } from './input.js';
import { evalIndex } from './index-expr.js';
import type { PlanValue, PyLiteral, ValueExpr } from './types.js';
import { foldValue, type ValueOf } from './values.js';

/** Instances evaluated per unique key, all labels together; beyond it verification finds clashes. */
const MAX_INSTANCES = 200_000;

function literalText(lit: PyLiteral): string {
  switch (lit.kind) {
    case 'str':
    case 'bytes':
      return JSON.stringify(lit.value);
    case 'int':
    case 'float':
    case 'decimal':
    case 'uuid':
      return lit.value;
    case 'bool':
      return lit.value ? 'True' : 'False';
    case 'enum':
      return lit.member;
    case 'datetime':
      return lit.iso;
    case 'date':
    case 'time':
    case 'interval':
    case 'json':
    case 'list':
    case 'none':
      return canonicalJson(lit);
  }
}

function literalKey(lit: PyLiteral): string {
  if (lit.kind === 'str') return `s:${lit.value}`;
  if (lit.kind === 'int') return `i:${lit.value}`;
  return `L${canonicalJson(lit)}`;
}

function interpolated(parts: ValueOf<'interpolate'>['parts'], i: number): string {
  let text = '';
  for (const part of parts)
    text += typeof part === 'string' ? part : String(part.var === 'i' ? i : i + 1);
  return text;
}

/**
 * The comparable value of `expr` for instance `i` of `label`: null for NULL, undefined when the
 * plan cannot tell (collections). Called for every instance: no JSON on the common paths.
 */
function keyAt(expr: ValueExpr, label: string, i: number): string | null | undefined {
  return foldValue<string | null | undefined>(expr, {
    literal: (l) => (l.value.kind === 'none' ? null : literalKey(l.value)),
    interpolate: (p) => {
      const text = interpolated(p.parts, i);
      // As the literal it stands for: `"{n}"` on an Integer column equals a written 3.
      if (p.convert === 'string') return `s:${text}`;
      if (p.convert === 'integer' && /^[-+]?[0-9]+$/.test(text)) return `i:${BigInt(text)}`;
      return `I${p.convert}:${text}`;
    },
    // Each instance has a key of its own: what refers to one instance refers to the same row.
    ref: (r) => `R${r.label}#${r.index === null ? 0 : evalIndex(r.index, i)}`,
    refList: () => undefined,
    cycle: (c) =>
      c.items.length === 0 ? undefined : keyAt(c.items[i % c.items.length]!, label, i),
    // Synthesized values of a unique column are distinct per instance (see synth.ts).
    synth: () => `S${label}#${i}`,
  });
}

/** Whether `expr` gives each of `count` instances a value of its own. */
function injective(expr: ValueExpr, count: number): boolean {
  switch (expr.kind) {
    case 'interpolate':
      return (
        (expr.convert === 'string' || expr.convert === 'integer') &&
        expr.parts.some((p) => typeof p !== 'string')
      );
    case 'ref':
      return (
        expr.index !== null &&
        (expr.index.kind === 'i' ||
          (expr.index.kind === 'div' && expr.index.k === 1) ||
          (expr.index.kind === 'mod' && expr.index.k >= count))
      );
    case 'synth':
      return true;
    case 'literal':
    case 'refList':
    case 'cycle':
      return false;
  }
}

/** How the value of `expr` for instance `i` reads in a message. */
function textAt(expr: ValueExpr, i: number): string {
  return foldValue<string>(expr, {
    literal: (l) => literalText(l.value),
    interpolate: (p) => {
      const text = interpolated(p.parts, i);
      return p.convert === 'integer' ? text : JSON.stringify(text);
    },
    ref: (r) => `@${r.index === null ? r.label : `${r.label}[${evalIndex(r.index, i)}]`}`,
    refList: () => '[…]',
    cycle: (c) => (c.items.length === 0 ? '' : textAt(c.items[i % c.items.length]!, i)),
    synth: () => '(synthesized)',
  });
}

/** A unique key of a table: its columns, and which attribute of a model holds each. */
interface UniqueKey {
  readonly id: string;
  readonly table: string;
  readonly columns: readonly ColumnInfo[];
  readonly primary: boolean;
}

function uniqueKeys(model: ModelInfo): UniqueKey[] {
  const byKey = new Map(model.columns.map((c) => [c.key, c]));
  const pk = [...model.primaryKey].sort().join(',');
  const out: UniqueKey[] = [];
  const partial = new Set((model.partialUniques ?? []).map((k) => [...k].sort().join(',')));
  for (const keys of model.uniques) {
    // Unique only where a condition holds: whether two rows clash depends on values the plan
    // does not evaluate.
    if (partial.has([...keys].sort().join(','))) continue;
    const columns = keys.map((k) => byKey.get(k));
    if (columns.some((c) => c === undefined)) continue;
    const cols = columns as ColumnInfo[];
    out.push({
      id: cols
        .map((c) => `${c.table}.${c.name}`)
        .sort()
        .join(','),
      table: cols[0]!.table,
      columns: cols,
      primary: [...keys].sort().join(',') === pk,
    });
  }
  return out;
}

/** Which plan value sets each column of the entity, by column key. */
function setters(model: ModelInfo, values: readonly PlanValue[]): Map<string, PlanValue> {
  const out = new Map<string, PlanValue>();
  for (const v of values) {
    if (v.collection) continue;
    const rel = model.relationships.find((r) => r.key === v.attribute);
    if (rel === undefined) out.set(v.attribute, v);
    else if (rel.direction === 'MANYTOONE') rel.localColumns.forEach((k) => out.set(k, v));
  }
  return out;
}

interface Seen {
  readonly entity: CheckedEntity;
  readonly i: number;
  /** The value expressions of the key's parts. */
  readonly values: readonly ValueExpr[];
}

function instanceName(e: CheckedEntity, i: number): string {
  return e.count === null ? e.label : `${e.label}[${i}]`;
}

/**
 * The written value of `e` that sets one of `columns`, preferring a cycle shorter than the count,
 * then one that is the same for every instance.
 */
function culprit(e: CheckedEntity, columns: readonly ColumnInfo[]): WrittenValue | undefined {
  const written = e.values.filter((v) => columns.some((c) => v.covers.includes(c.key)));
  const constant = (v: WrittenValue) =>
    v.value.kind === 'literal' ||
    (v.value.kind === 'interpolate' && v.value.parts.every((p) => typeof p === 'string')) ||
    (v.value.kind === 'ref' && (v.value.index === null || v.value.index.kind === 'const'));
  const short = (v: WrittenValue) =>
    v.value.kind === 'cycle' && v.value.items.length < (e.count ?? 1);
  return written.find(short) ?? written.find(constant) ?? written[0];
}

function keyText(key: UniqueKey, seen: Seen): string {
  const parts = seen.values.map((v) => textAt(v, seen.i));
  if (key.columns.length === 1) return `${key.columns[0]!.key} = ${parts[0]!}`;
  return `(${key.columns.map((c) => c.key).join(', ')}) = (${parts.join(', ')})`;
}

function what(key: UniqueKey): string {
  if (key.primary) return `the primary key of ${key.table}`;
  return key.columns.length === 1
    ? `${key.columns[0]!.key} is unique in ${key.table}`
    : `(${key.columns.map((c) => c.key).join(', ')}) is unique together in ${key.table}`;
}

function perInstanceHint(e: CheckedEntity, v: WrittenValue | undefined): string {
  const count = e.count ?? 1;
  if (v?.value.kind === 'cycle') {
    const item = v.value.items[0];
    const stem =
      item?.kind === 'literal' && item.value.kind === 'str' ? item.value.value : v.attribute;
    return `the cycle has ${v.value.items.length} items and ${e.label} has ${count} instances: give it at least ${count} distinct items, or interpolate {n}, e.g. ${v.attribute}: "${stem}{n}"`;
  }
  const lit = v?.value.kind === 'literal' ? v.value.value : null;
  if (lit?.kind === 'str') {
    const at = lit.value.indexOf('@');
    const example =
      at > 0 ? `${lit.value.slice(0, at)}{n}${lit.value.slice(at)}` : `${lit.value}-{n}`;
    return `write a value per instance, e.g. ${v!.attribute}: "${example}" ({n} is 1, 2, 3…), or leave ${v!.attribute} out so fixturegen synthesizes distinct values`;
  }
  const attr = v?.attribute ?? 'it';
  return `give each instance its own value (interpolate {n}, or a cycle of ${count} distinct items), or leave ${attr} out so fixturegen synthesizes distinct values`;
}

function clash(
  input: BuildInput,
  key: UniqueKey,
  first: Seen,
  second: Seen,
  /** Every instance of the label has the same key. */
  allSame: boolean,
): Diagnostic {
  const a = instanceName(first.entity, first.i);
  const b = instanceName(second.entity, second.i);
  const v = culprit(second.entity, key.columns);
  const at = v?.at ?? second.entity.at ?? input.at;
  const shown = keyText(key, second);
  if (first.entity === second.entity) {
    const e = second.entity;
    const message = allSame
      ? `${e.label}: its ${e.count} instances would all have ${shown}, but ${what(key)}`
      : `${a} and ${b} would both have ${shown}, but ${what(key)}`;
    return error(Codes.uniqueClash, message, { ...at, hint: perInstanceHint(e, v) });
  }
  const other = culprit(first.entity, key.columns);
  const there = other ? ` (${other.at.file}:${other.at.line}:${other.at.column})` : '';
  return error(Codes.uniqueClash, `${b} would have ${shown}, like ${a}${there}, but ${what(key)}`, {
    ...at,
    hint: `give ${first.entity.label} and ${second.entity.label} different values${key.columns.length > 1 ? ' for at least one part of the key' : ''}`,
  });
}

/** The scenario's uniqueness clashes, one per unique key at most. */
export function uniquenessClashes(
  input: BuildInput,
  filled: ReadonlyMap<string, readonly PlanValue[]>,
): Diagnostic[] {
  const byKey = new Map<string, { key: UniqueKey; entities: CheckedEntity[] }>();
  for (const e of input.entities) {
    for (const key of uniqueKeys(e.model)) {
      const group = byKey.get(key.id) ?? { key, entities: [] };
      group.entities.push(e);
      byKey.set(key.id, group);
    }
  }
  const out: Diagnostic[] = [];
  for (const { key, entities } of byKey.values()) {
    const seen = new Map<string, Seen>();
    let budget = MAX_INSTANCES;
    let found: Diagnostic | null = null;
    for (const e of entities) {
      if (found !== null || budget <= 0) break;
      const set = setters(e.model, filled.get(e.label) ?? []);
      const own = key.columns.map((c) =>
        e.model.columns.find((m) => m.table === c.table && m.name === c.name),
      );
      const values = own.map((c) => (c === undefined ? undefined : set.get(c.key)));
      // A part the plan does not set: NULL (nullable), or a value only the database knows.
      if (values.some((v) => v === undefined)) continue;
      const n = Math.min(e.count ?? 1, budget);
      budget -= n;
      const exprs = values.map((v) => v!.value);
      // Alone on its key, a label with a part distinct per instance cannot clash: skip the walk.
      if (entities.length === 1 && exprs.some((x) => injective(x, e.count ?? 1))) continue;
      const idAt = (i: number): string | null => {
        let id = '';
        for (const expr of exprs) {
          const k = keyAt(expr, e.label, i);
          if (k === null || k === undefined) return null;
          id += `${k}\u0000`;
        }
        return id;
      };
      for (let i = 0; i < n; i++) {
        const id = idAt(i);
        if (id === null) continue;
        const before = seen.get(id);
        if (before !== undefined) {
          const allSame =
            before.entity === e && before.i === 0 && i === 1 && idAt((e.count ?? 1) - 1) === id;
          found = clash(input, key, before, { entity: e, i, values: exprs }, allSame);
          break;
        }
        seen.set(id, { entity: e, i, values: exprs });
      }
    }
    if (found !== null) out.push(found);
  }
  return out;
}
