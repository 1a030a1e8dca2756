/**
 * Literal conversion by column type, as the scenario format's "Literal conversion" paragraph says.
 */
import type { PyLiteral } from '../plan/types.js';
import { Codes } from '../diagnostics/scenario-codes.js';
import { bad, show, type Column, type Conversion, type LiteralInput } from './conversion.js';
import { toEnum } from './enum.js';
import {
  bigIntOf,
  INT_SYNTAX,
  MAX_NUMBER_CHARS,
  numberText,
  toFloat,
  toInteger,
  toInterval,
  toNumeric,
} from './numeric.js';
import { toDate, toDateTime, toTime } from './temporal.js';

export type { Conversion, LiteralInput } from './conversion.js';

const UUID_SYNTAX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function jsonSafe(v: unknown): boolean {
  return jsonUnsafeAt(v) === null;
}

/** Where in `v` the first value JSON cannot hold is (`[]` for `v` itself), or null. */
function jsonUnsafeAt(v: unknown): (string | number)[] | null {
  if (typeof v === 'number') return Number.isFinite(v) ? null : [];
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
  if (Array.isArray(v)) {
    for (const [k, x] of v.entries()) {
      const at = jsonUnsafeAt(x);
      if (at !== null) return [k, ...at];
    }
    return null;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const [k, x] of Object.entries(v)) {
      const at = jsonUnsafeAt(x);
      if (at !== null) return [k, ...at];
    }
    return null;
  }
  return [];
}

/** A string that is itself JSON for a mapping or list (written as text by mistake), or null. */
export function jsonText(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = v.trim();
  if (!/^[[{]/.test(t)) return null;
  try {
    const parsed: unknown = JSON.parse(t);
    return parsed !== null && typeof parsed === 'object' ? t : null;
  } catch {
    return null;
  }
}

function abbreviate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function valueAt(v: unknown, at: readonly (string | number)[]): unknown {
  return at.reduce<unknown>((cur, k) => (cur as Record<string | number, unknown>)[k], v);
}

function needString(input: LiteralInput, col: Column, what: string): string | Conversion {
  if (typeof input.value === 'string') return input.value;
  const src = input.source ?? show(input.value);
  return bad(
    `${col.key} is ${col.type} and needs ${what}, not ${show(input.value)}`,
    typeof input.value === 'object' ? undefined : `quote it: "${src}"`,
  );
}

/** Converts one literal (never a reference, interpolation template or cycle) for a column. */
export function convertLiteral(input: LiteralInput, col: Column): Conversion {
  const v = input.value;
  const structured = v !== null && typeof v === 'object';
  if (structured && col.family !== 'json' && col.family !== 'array' && col.family !== 'other') {
    return bad(
      `${col.key} is ${col.type}: ${show(v)} is only for JSON and ARRAY columns`,
      Array.isArray(v)
        ? 'for a value per instance write {cycle: [a, b]}'
        : `write one ${col.type} value; the only mapping a value may be is {cycle: [a, b]}`,
      Codes.wrongForm,
    );
  }
  switch (col.family) {
    case 'integer':
      return toInteger(input, col);
    case 'float':
      return toFloat(input, col);
    case 'numeric':
      return toNumeric(input, col);
    case 'boolean':
      if (typeof v === 'boolean') return { ok: true, value: { kind: 'bool', value: v } };
      return bad(
        `${col.key} is ${col.type} and needs true or false, not ${show(v)}`,
        typeof v === 'string' && /^(true|false)$/i.test(v)
          ? `write ${v.toLowerCase()} without quotes`
          : 'write true or false, without quotes',
      );
    case 'string': {
      const s = needString(input, col, 'a string');
      if (typeof s !== 'string') return s;
      const len = [...s].length;
      if (col.length !== null && len > col.length) {
        return bad(
          `${JSON.stringify(s)} is ${len} characters long; ${col.key} holds at most ${col.length}`,
          `shorten it to ${col.length} characters or fewer`,
          Codes.tooLong,
        );
      }
      return { ok: true, value: { kind: 'str', value: s } };
    }
    case 'binary': {
      const s = needString(input, col, 'a string (stored as UTF-8 bytes)');
      if (typeof s !== 'string') return s;
      const bytes = Buffer.byteLength(s, 'utf8');
      if (col.length !== null && bytes > col.length) {
        return bad(
          `${JSON.stringify(s)} is ${bytes} bytes long; ${col.key} holds at most ${col.length}`,
          `shorten it to ${col.length} bytes or fewer (UTF-8)`,
          Codes.tooLong,
        );
      }
      return { ok: true, value: { kind: 'bytes', value: s } };
    }
    case 'date': {
      const s = needString(input, col, 'a date YYYY-MM-DD');
      return typeof s === 'string' ? toDate(s, col) : s;
    }
    case 'datetime': {
      const s = needString(input, col, 'an ISO 8601 date and time');
      return typeof s === 'string' ? toDateTime(s, col) : s;
    }
    case 'time': {
      const s = needString(input, col, 'a time HH:MM[:SS]');
      return typeof s === 'string' ? toTime(s, col) : s;
    }
    case 'interval':
      return toInterval(input, col);
    case 'enum':
      return toEnum(v, col);
    case 'uuid': {
      const s = needString(input, col, 'a UUID');
      if (typeof s !== 'string') return s;
      if (!UUID_SYNTAX.test(s))
        return bad(
          `${JSON.stringify(s)} is not a canonical UUID`,
          'write 8-4-4-4-12 hexadecimal digits, e.g. 123e4567-e89b-12d3-a456-426614174000',
        );
      return { ok: true, value: { kind: 'uuid', value: s.toLowerCase() } };
    }
    case 'json': {
      const text = jsonText(v);
      if (text !== null) {
        return bad(
          `${col.key} is ${col.type}: the string ${JSON.stringify(abbreviate(text))} would be stored as one JSON string, not as the ${text.startsWith('[') ? 'list' : 'mapping'} it spells`,
          `write it as YAML, e.g. ${col.key}: ${text.startsWith('[') ? '[a, b]' : '{key: value}'}`,
          Codes.wrongForm,
        );
      }
      const at = jsonUnsafeAt(v);
      if (at !== null) {
        return {
          ...bad(
            `${col.key} is JSON and cannot hold ${show(valueAt(v, at))}`,
            'JSON holds strings, finite numbers, true, false, null, lists and mappings',
          ),
          ...(at.length > 0 ? { at } : {}),
        };
      }
      return { ok: true, value: { kind: 'json', value: v } };
    }
    case 'array': {
      if (!Array.isArray(v))
        return bad(
          `${col.key} is ${col.type} and needs a list, not ${show(v)}`,
          'write a list, e.g. [a, b]',
        );
      const item: Column = {
        ...col,
        family: col.itemFamily ?? 'other',
        length: null,
        itemFamily: null,
      };
      const items: PyLiteral[] = [];
      for (const [k, x] of v.entries()) {
        if (Array.isArray(x) || (x !== null && typeof x === 'object'))
          return {
            ...bad(
              `${col.key}[${k}] must be a plain value`,
              'items of an ARRAY column are plain values',
              Codes.wrongForm,
            ),
            at: [k],
          } as Conversion;
        if (x === null) {
          items.push({ kind: 'none' });
          continue;
        }
        const c = convertLiteral({ value: x, source: null }, item);
        if (!c.ok) return { ...c, message: `${col.key}[${k}]: ${c.message}`, at: [k] };
        items.push(c.value);
      }
      return { ok: true, value: { kind: 'list', items } };
    }
    case 'other':
      if (col.unplaced) {
        const u = unplaced(col);
        return bad(u.message, u.hint, Codes.unplacedType);
      }
      return toOther(input, col);
  }
}

/** What FG299 says about a TypeDecorator whose Python values fixturegen cannot write. */
export function unplaced(col: Column): { message: string; hint: string } {
  const stored = col.storedAs ? ` (stored as ${col.storedAs})` : '';
  return {
    message: `${col.key} has type ${col.type}${stored}, which converts its values in a way fixturegen cannot follow: it takes none of str, int, Decimal, date, datetime, UUID, dict or bytes`,
    hint: `leave ${col.key} out (give it a default or make it nullable), or declare what ${col.type} takes with a python_type property (e.g. returning str)`,
  };
}

/**
 * A native type fixturegen does not know (INET, TSVECTOR, ranges…): plain values go to the
 * driver as the nearest Python literal, which is how such columns take literals. Decorators that
 * convert values never get here (they are `unplaced`).
 */
function toOther(input: LiteralInput, col: Column): Conversion {
  const v = input.value;
  if (typeof v === 'string') return { ok: true, value: { kind: 'str', value: v } };
  if (typeof v === 'boolean') return { ok: true, value: { kind: 'bool', value: v } };
  if (typeof v === 'number') {
    const text = numberText(input);
    if (text !== null && text.length <= MAX_NUMBER_CHARS && INT_SYNTAX.test(text))
      return { ok: true, value: { kind: 'int', value: bigIntOf(text).toString() } };
    return toFloat(input, col);
  }
  if (jsonSafe(v)) return { ok: true, value: { kind: 'json', value: v } };
  return bad(`${col.key} (${col.type}) cannot hold ${show(v)}`);
}
