/**
 * Values nobody wrote for NOT NULL columns: deterministic per type, distinct per instance where a
 * primary key or unique constraint covers the column. Distinct across labels too: each label of a
 * table gets an ordinal (extended scenarios' labels first) and an offset (instances before it).
 */
import type { ColumnInfo } from '../catalog/types.js';
import { civilFromDays, daysFromCivil, pad } from './calendar.js';
import type { PyLiteral, ValueExpr } from './types.js';
import { uuid5 } from './uuid.js';

export interface SynthContext {
  /** Scenario that defines the label (part of synthesized UUIDs). */
  readonly scenario: string;
  readonly label: string;
  readonly count: number | null;
  readonly unique: boolean;
  /** 1-based position of the label among the visible labels with this column. */
  readonly ordinal: number;
  /** Instances of those labels before this one. */
  readonly offset: number;
}

export type Synthesized =
  | { readonly ok: true; readonly value: ValueExpr }
  | { readonly ok: false; readonly message: string; readonly hint: string };

/** Largest list whose distinct values are spelled out one by one (dates, UUIDs, times). */
export const MAX_SPELLED_OUT = 10_000;

const EPOCH_DAY = daysFromCivil(2000, 1, 1);

const INT_MAX: Record<string, bigint> = {
  smallinteger: 2n ** 15n - 1n,
  smallint: 2n ** 15n - 1n,
  integer: 2n ** 31n - 1n,
  int: 2n ** 31n - 1n,
  biginteger: 2n ** 63n - 1n,
  bigint: 2n ** 63n - 1n,
};

/**
 * A prefix-free code for the ordinal: 1..8, then 91..98, 991..998, … No codeword is a prefix of
 * another, so "codeword + n" never collides across labels, in text or as a number.
 */
export function codeword(ordinal: number): string {
  const q = Math.floor((ordinal - 1) / 8);
  return '9'.repeat(q) + String(((ordinal - 1) % 8) + 1);
}

const lit = (value: PyLiteral): ValueExpr => ({ kind: 'literal', value });
const cycle = (values: readonly PyLiteral[]): ValueExpr =>
  values.length === 1 ? lit(values[0]!) : { kind: 'cycle', items: values.map(lit) };

function fail(message: string, hint = 'write the column in values'): Synthesized {
  return { ok: false, message, hint };
}

/** Per-instance literals, for types whose distinct values interpolation cannot spell. */
function spelled(ctx: SynthContext, col: ColumnInfo, make: (k: number) => PyLiteral): Synthesized {
  const n = ctx.count ?? 1;
  if (n > MAX_SPELLED_OUT) {
    return fail(
      `cannot synthesize ${n} distinct ${col.type} values for ${col.key} (at most ${MAX_SPELLED_OUT})`,
      'give the column a default (e.g. default=uuid.uuid4) or write it in values',
    );
  }
  return { ok: true, value: cycle(Array.from({ length: n }, (_, i) => make(ctx.offset + i))) };
}

/** `label` or `label-{n}` (list), or the compact `codeword{n}` when the column is too short. */
function text(ctx: SynthContext, col: ColumnInfo, convert: 'string' | 'binary'): Synthesized {
  const mk = (s: string): PyLiteral =>
    convert === 'string' ? { kind: 'str', value: s } : { kind: 'bytes', value: s };
  const max = col.length;
  const digits = ctx.count === null ? 0 : String(ctx.count).length;
  const full = ctx.count === null ? ctx.label.length : ctx.label.length + 1 + digits;
  if (max === null || full <= max) {
    return {
      ok: true,
      value:
        ctx.count === null
          ? lit(mk(ctx.label))
          : { kind: 'interpolate', parts: [`${ctx.label}-`, { var: 'n' }], convert },
    };
  }
  if (!ctx.unique) return { ok: true, value: lit(mk(ctx.label.slice(0, max))) };
  const cw = codeword(ctx.ordinal);
  if (cw.length + digits > max) {
    return fail(`${col.key} holds ${max} characters: too short for distinct synthesized values`);
  }
  return {
    ok: true,
    value:
      ctx.count === null
        ? lit(mk(cw))
        : { kind: 'interpolate', parts: [cw, { var: 'n' }], convert },
  };
}

/** Numbers: 0, or `codeword n` when distinct values are needed. */
function number(ctx: SynthContext, col: ColumnInfo): Synthesized {
  const family = col.family as 'integer' | 'float' | 'numeric';
  const kinds = { integer: 'int', float: 'float', numeric: 'decimal' } as const;
  const asLit = (s: string): PyLiteral =>
    family === 'float' ? { kind: 'float', value: `${s}.0` } : { kind: kinds[family], value: s };
  if (!ctx.unique) return { ok: true, value: lit(asLit('0')) };
  const cw = codeword(ctx.ordinal);
  const largest = BigInt(cw + (ctx.count === null ? '' : String(ctx.count)));
  const intMax =
    family === 'integer'
      ? INT_MAX[col.type.toLowerCase()]
      : family === 'numeric' && col.precision !== null
        ? 10n ** BigInt(col.precision - (col.scale ?? 0)) - 1n
        : undefined;
  if (intMax !== undefined && largest > intMax) {
    return fail(`cannot synthesize distinct values for ${col.key}: ${largest} exceeds ${col.type}`);
  }
  if (ctx.count === null) return { ok: true, value: lit(asLit(cw)) };
  return { ok: true, value: { kind: 'interpolate', parts: [cw, { var: 'n' }], convert: family } };
}

function dateLit(day: number): PyLiteral {
  const c = civilFromDays(EPOCH_DAY + day);
  return { kind: 'date', year: c.year, month: c.month, day: c.day };
}

function dateTimeLit(day: number, aware: boolean): PyLiteral {
  const c = civilFromDays(EPOCH_DAY + day);
  const iso = `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}T00:00:00${aware ? '+00:00' : ''}`;
  return {
    kind: 'datetime',
    iso,
    parts: [c.year, c.month, c.day, 0, 0, 0, 0],
    offsetMinutes: aware ? 0 : null,
  };
}

function timeLit(second: number): PyLiteral {
  return {
    kind: 'time',
    parts: [Math.floor(second / 3600), Math.floor(second / 60) % 60, second % 60, 0],
  };
}

/** A value for a NOT NULL column nobody wrote. */
export function synthesize(col: ColumnInfo, ctx: SynthContext): Synthesized {
  const distinct = ctx.unique;
  switch (col.family) {
    case 'string':
      return text(ctx, col, 'string');
    case 'binary':
      return text(ctx, col, 'binary');
    case 'integer':
    case 'float':
    case 'numeric':
      return number(ctx, col);
    case 'boolean': {
      const n = ctx.count ?? 1;
      if (!ctx.unique || n === 1) return { ok: true, value: lit({ kind: 'bool', value: false }) };
      if (n > 2) return fail(`${col.key} is a unique Boolean: ${n} distinct values do not exist`);
      return { ok: true, value: cycle([false, true].map((value) => ({ kind: 'bool', value }))) };
    }
    case 'date':
      return distinct ? spelled(ctx, col, dateLit) : { ok: true, value: lit(dateLit(0)) };
    case 'datetime':
      return distinct
        ? spelled(ctx, col, (k) => dateTimeLit(k, col.timezone))
        : { ok: true, value: lit(dateTimeLit(0, col.timezone)) };
    case 'time':
      if (!distinct) return { ok: true, value: lit(timeLit(0)) };
      if (ctx.offset + (ctx.count ?? 1) > 86400) {
        return fail(`cannot synthesize more than 86400 distinct times for ${col.key}`);
      }
      return spelled(ctx, col, timeLit);
    case 'interval':
      return distinct
        ? spelled(ctx, col, (k) => ({ kind: 'interval', seconds: String(k) }))
        : { ok: true, value: lit({ kind: 'interval', seconds: '0' }) };
    case 'uuid': {
      const base = ctx.offset;
      return spelled(ctx, col, (k) => ({
        kind: 'uuid',
        value: uuid5(`${ctx.scenario}/${ctx.label}/${k - base}`),
      }));
    }
    case 'enum': {
      const py = col.enum?.pythonEnum ?? null;
      const members = py ? py.members.map((m) => m.name) : (col.enum?.stored ?? []);
      const n = ctx.unique ? (ctx.count ?? 1) : 1;
      if (members.length === 0) return fail(`${col.key} is an Enum without members`);
      if (n > members.length) {
        return fail(`${col.key} is a unique Enum with ${members.length} members, fewer than ${n}`);
      }
      return {
        ok: true,
        value: cycle(
          members.slice(0, n).map((member) => ({
            kind: 'enum',
            enumModule: py?.module ?? null,
            enumClass: py?.name ?? null,
            member,
            ...(py?.asValue ? { asValue: true } : {}),
          })),
        ),
      };
    }
    case 'json':
      return { ok: true, value: lit({ kind: 'json', value: {} }) };
    case 'array':
      return { ok: true, value: lit({ kind: 'list', items: [] }) };
    case 'other':
      return col.unplaced
        ? fail(
            `cannot synthesize a value of type ${col.type} for ${col.key}: ${col.type} stores ${col.storedAs ?? 'values'} but takes a Python type fixturegen does not know`,
            `declare what ${col.type} takes (a python_type property, e.g. returning str), give the column a default, or make it nullable`,
          )
        : fail(`cannot synthesize a value of type ${col.type} for ${col.key}`);
  }
}
