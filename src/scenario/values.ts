/**
 * Checks one written value against its attribute and turns it into a plan expression. Every
 * problem becomes a diagnostic at the offending node; the expression is null when there was one.
 */
import { meant } from '../diagnostics/suggest.js';
import type { ColumnInfo, RelationshipInfo } from '../catalog/types.js';
import type { ValueExpr } from '../plan/types.js';
import { Codes } from '../diagnostics/scenario-codes.js';
import { convertLiteral, jsonText, unplaced } from './convert.js';
import { interpolate, parseInterpolation, type InterpolationPart } from './forms.js';
import { plainSourceAt } from './position.js';
import { checkReference } from './references.js';
import type { Path } from './types.js';
import {
  instances,
  report,
  short,
  type Subset,
  type Target,
  type ValueContext,
} from './value-context.js';

export type { Target, ValueContext } from './value-context.js';

function isCycle(v: unknown): v is { cycle: unknown[] } {
  return (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    Array.isArray((v as { cycle?: unknown }).cycle)
  );
}

function relColumns(ctx: ValueContext, rel: RelationshipInfo): ColumnInfo[] {
  return rel.localColumns
    .map((k) => ctx.entity.model.columns.find((c) => c.key === k))
    .filter((c): c is ColumnInfo => c !== undefined);
}

/** Checks `value` (any form) at `path` for the attribute `target`. */
export function checkValue(
  ctx: ValueContext,
  target: Target,
  value: unknown,
  path: Path,
  subset: Subset = { count: ctx.entity.count ?? 1, filters: [] },
): ValueExpr | null {
  if (isCycle(value)) {
    const items = value.cycle;
    if (items.length === 0) {
      return report(
        ctx,
        Codes.wrongForm,
        'a cycle needs at least one value',
        path,
        'write {cycle: [a, b]}',
      );
    }
    const out: ValueExpr[] = [];
    let failed = false;
    items.forEach((item, j) => {
      const sub = { count: subset.count, filters: [...subset.filters, [items.length, j] as const] };
      const e = checkValue(ctx, target, item, [...path, 'cycle', j], sub);
      if (e === null) failed = true;
      else out.push(e);
    });
    return failed ? null : { kind: 'cycle', items: out };
  }
  if (value === null) return checkNull(ctx, target, path);
  if (typeof value === 'string' && value.startsWith('@') && !value.startsWith('@@')) {
    return checkReference(ctx, target, value, path, subset, false);
  }
  if (target.kind === 'relationship')
    return checkRelationshipForm(ctx, target.rel, value, path, subset);
  const col = target.col;
  if (col.unplaced) {
    const u = unplaced(col);
    return report(ctx, Codes.unplacedType, u.message, path, u.hint);
  }
  if (
    Array.isArray(value) &&
    col.family !== 'json' &&
    col.family !== 'array' &&
    col.family !== 'other'
  ) {
    return report(
      ctx,
      Codes.wrongForm,
      `${col.key} is ${col.type}: a list is only for collection relationships and JSON or ARRAY columns`,
      path,
      'for a value per instance write {cycle: [a, b]}',
    );
  }
  if (typeof value === 'string') return checkString(ctx, col, value, path, subset);
  return literal(ctx, col, value, path);
}

function literal(ctx: ValueContext, col: ColumnInfo, value: unknown, path: Path): ValueExpr | null {
  const c = convertLiteral({ value, source: plainSourceAt(ctx.src, path) }, col);
  if (!c.ok) return report(ctx, c.code, c.message, [...path, ...(c.at ?? [])], c.hint);
  return { kind: 'literal', value: c.value };
}

function checkNull(ctx: ValueContext, target: Target, path: Path): ValueExpr | null {
  if (target.kind === 'column') {
    if (!target.col.nullable) {
      return report(
        ctx,
        Codes.nullNotAllowed,
        `${target.col.key} is NOT NULL and cannot be null`,
        path,
        'write a value or leave the attribute out',
      );
    }
    return { kind: 'literal', value: { kind: 'none' } };
  }
  const rel = target.rel;
  if (rel.uselist) {
    return report(
      ctx,
      Codes.wrongForm,
      `${rel.key} is a collection and cannot be null`,
      path,
      'write [] for an empty collection',
    );
  }
  const notNull = relColumns(ctx, rel).filter((c) => !c.nullable);
  if (notNull.length > 0) {
    return report(
      ctx,
      Codes.nullNotAllowed,
      `${rel.key} cannot be null: ${notNull.map((c) => c.key).join(', ')} is NOT NULL`,
      path,
      'reference an instance or leave the attribute out',
    );
  }
  return { kind: 'literal', value: { kind: 'none' } };
}

function checkRelationshipForm(
  ctx: ValueContext,
  rel: RelationshipInfo,
  value: unknown,
  path: Path,
  subset: Subset,
): ValueExpr | null {
  if (Array.isArray(value)) {
    if (!rel.uselist) {
      return report(
        ctx,
        Codes.wrongForm,
        `${rel.key} holds one ${short(rel.target)}, not a list`,
        path,
        'write one reference, e.g. "@label"',
      );
    }
    const items: ValueExpr[] = [];
    let failed = false;
    value.forEach((item, k) => {
      const p = [...path, k];
      let e: ValueExpr | null;
      if (typeof item === 'string' && item.startsWith('@') && !item.startsWith('@@')) {
        e = checkReference(ctx, { kind: 'relationship', rel }, item, p, subset, true);
      } else {
        e = report(
          ctx,
          Codes.wrongForm,
          `items of ${rel.key} must be references such as "@label", not ${JSON.stringify(item)}`,
          p,
          typeof item === 'string' && ctx.labels.has(item)
            ? meant(`@${item}`)
            : 'write each item as "@label" or "@label[INDEX]"',
        );
      }
      if (e === null) failed = true;
      else items.push(e);
    });
    return failed ? null : { kind: 'refList', items };
  }
  const asLabel =
    typeof value === 'string' && ctx.labels.has(value)
      ? meant(`@${value}`)
      : `write a reference such as "@label"`;
  return report(
    ctx,
    Codes.wrongForm,
    `${rel.key} is a relationship to ${short(rel.target)} and needs a reference, not ${JSON.stringify(value)}`,
    path,
    asLabel,
  );
}

function checkString(
  ctx: ValueContext,
  col: ColumnInfo,
  raw: string,
  path: Path,
  subset: Subset,
): ValueExpr | null {
  const text = raw.startsWith('@@') ? raw.slice(1) : raw;
  // JSON written as text has braces, but it is no interpolation: say what it would store.
  if (!text.includes('{') && !text.includes('}')) return literal(ctx, col, text, path);
  if (col.family === 'json' && jsonText(text) !== null) return literal(ctx, col, text, path);
  const parsed = parseInterpolation(text);
  if (!parsed.ok) {
    // Point at the brace or placeholder, in `raw` (which may start with the @ of `@@`).
    const shift = raw.length - text.length;
    return report(
      ctx,
      Codes.badInterpolation,
      parsed.message,
      path,
      'write {i} or {n}; {{ and }} are literal braces',
      { value: raw, part: [parsed.offset + shift, parsed.end + shift] },
    );
  }
  if (parsed.parts.every((p) => typeof p === 'string')) {
    return literal(ctx, col, parsed.parts.join(''), path);
  }
  return checkInterpolation(ctx, col, parsed.parts, path, subset);
}

const NO_INTERPOLATION = new Set(['boolean', 'array', 'interval']);
const EVERY_INSTANCE = new Set(['date', 'datetime', 'time', 'uuid', 'enum']);

/**
 * Interpolated text is converted by Python when the fixture runs (int(), Decimal(),
 * date.fromisoformat(), …), so it must be in a form those read on every supported Python, with
 * the same meaning a literal has: a naive column takes no offset, an aware column needs one.
 */
const RUNTIME_FORMS: Partial<
  Record<string, { what: string; test: (text: string, timezone: boolean) => boolean }>
> = {
  integer: { what: 'of decimal digits', test: (t) => /^[-+]?[0-9]+$/.test(t) },
  float: { what: 'of a decimal number', test: (t) => DECIMAL.test(t) },
  numeric: { what: 'of a decimal number', test: (t) => DECIMAL.test(t) },
  time: {
    what: 'HH:MM[:SS[.ffffff]]',
    test: (t) => /^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.([0-9]{3}|[0-9]{6}))?)?$/.test(t),
  },
  datetime: {
    what: 'YYYY-MM-DDTHH:MM[:SS[.ffffff]] with an offset (+HH:MM) exactly when the column has a timezone',
    test: (t, tz) => {
      const m =
        /^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.([0-9]{3}|[0-9]{6}))?)?([+-][0-9]{2}:[0-9]{2})?$/.exec(
          t,
        );
      return m !== null && (m[4] !== undefined) === tz;
    },
  },
};
const DECIMAL = /^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

function checkInterpolation(
  ctx: ValueContext,
  col: ColumnInfo,
  parts: readonly InterpolationPart[],
  path: Path,
  subset: Subset,
): ValueExpr | null {
  if (NO_INTERPOLATION.has(col.family)) {
    return report(
      ctx,
      Codes.badInterpolation,
      `${col.key} is ${col.type}: {i} and {n} only make text, numbers, dates, times, UUIDs and enum members`,
      path,
      col.family === 'boolean'
        ? 'write true or false, or {cycle: [true, false]} for a value per instance'
        : 'write the value itself, or {cycle: [a, b]} for a value per instance',
    );
  }
  const py = col.family === 'enum' ? (col.enum?.pythonEnum ?? null) : null;
  const all = [...instances(subset)];
  // Substituting digits never changes the syntax of a number or the validity of text, and the
  // extremes (length, magnitude) are at the first and last instance; calendar values and enum
  // members must be checked one by one.
  const samples = EVERY_INSTANCE.has(col.family)
    ? all
    : [all[0], all.at(-1)].filter((i) => i !== undefined);
  for (const i of samples.length > 0 ? samples : [0]) {
    const text = interpolate(parts, i);
    // The generator looks Python enum members up by name, so an interpolation must give names.
    if (py !== null) {
      if (py.members.some((m) => m.name === text)) continue;
      const names = py.members.map((m) => m.name);
      return report(
        ctx,
        Codes.notEnumMember,
        `for i = ${i} the value ${JSON.stringify(text)} is not a member name of ${py.name}: ${names.join(', ')}`,
        path,
        'an interpolated enum value must give member names',
      );
    }
    const c = convertLiteral({ value: text, source: null, interpolated: true }, col);
    if (!c.ok) {
      return report(ctx, c.code, `for i = ${i}: ${c.message}`, path, c.hint);
    }
    const form = RUNTIME_FORMS[col.family];
    if (form !== undefined && !form.test(text, col.timezone)) {
      return report(
        ctx,
        Codes.typeMismatch,
        `for i = ${i}: ${JSON.stringify(text)} is not in the form ${form.what}`,
        path,
        'an interpolated value is converted when the fixture runs, so it must be in that exact form',
      );
    }
  }
  const convert = col.family === 'other' ? 'string' : col.family;
  return {
    kind: 'interpolate',
    parts,
    convert,
    ...(col.family === 'enum'
      ? {
          enumModule: py?.module ?? null,
          enumClass: py?.name ?? null,
          ...(py?.asValue ? { enumAsValue: true } : {}),
        }
      : {}),
  };
}
