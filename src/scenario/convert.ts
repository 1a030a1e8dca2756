/**
 * Literal conversion by column type, as the scenario format's "Literal conversion" paragraph says.
 * Numbers keep their written text where exactness matters (Numeric, Interval, big integers), so a
 * `1234.50` never passes through a float.
 */
import type { PyLiteral } from '../plan/types.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { Codes } from './codes.js';
import { bad, show, type Column, type Conversion, type LiteralInput } from './conversion.js';
import { toDate, toDateTime, toTime } from './temporal.js';

export type { Conversion, LiteralInput } from './conversion.js';

const INT_SYNTAX = /^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const DECIMAL_SYNTAX = /^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
const UUID_SYNTAX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const INT_RANGES: Record<string, readonly [bigint, bigint]> = {
  smallinteger: [-(2n ** 15n), 2n ** 15n - 1n],
  smallint: [-(2n ** 15n), 2n ** 15n - 1n],
  integer: [-(2n ** 31n), 2n ** 31n - 1n],
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  biginteger: [-(2n ** 63n), 2n ** 63n - 1n],
  bigint: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** The text a number was written as, when that is ordinary decimal or integer syntax. */
function numberText(input: LiteralInput): string | null {
  if (input.interpolated && typeof input.value === 'string') return input.value;
  if (typeof input.value !== 'number') return null;
  const src = input.source;
  if (src !== null && (DECIMAL_SYNTAX.test(src) || INT_SYNTAX.test(src))) return src;
  return Number.isFinite(input.value) ? String(input.value) : null;
}

function bigIntOf(text: string): bigint {
  const neg = text.startsWith('-');
  const body = text.replace(/^[-+]/, '');
  const v = BigInt(body);
  return neg ? -v : v;
}

function toInteger(input: LiteralInput, col: Column): Conversion {
  const text = numberText(input);
  if (typeof input.value === 'number' || input.interpolated) {
    if (text === null || !INT_SYNTAX.test(text)) {
      return bad(
        `${show(input.value)} is not an integer (${col.key} is ${col.type})`,
        'write a whole number such as 42',
      );
    }
    const v = bigIntOf(text);
    const range = INT_RANGES[col.type.toLowerCase()];
    if (range && (v < range[0] || v > range[1])) {
      return bad(
        `${text} is out of range for ${col.type} (${range[0]}..${range[1]})`,
        `write a value within ${range[0]}..${range[1]}`,
      );
    }
    return { ok: true, value: { kind: 'int', value: v.toString() } };
  }
  const hint =
    typeof input.value === 'string' && INT_SYNTAX.test(input.value)
      ? `write ${input.value} without quotes`
      : 'write a whole number such as 42';
  return bad(`${col.key} is ${col.type} and needs an integer, not ${show(input.value)}`, hint);
}

function toFloat(input: LiteralInput, col: Column): Conversion {
  const text = numberText(input);
  if ((typeof input.value === 'number' || input.interpolated) && text !== null) {
    if (!DECIMAL_SYNTAX.test(text) && !INT_SYNTAX.test(text)) {
      return bad(
        `${show(input.value)} is not a number (${col.key} is ${col.type})`,
        'write a number such as 4.5',
      );
    }
    const n = DECIMAL_SYNTAX.test(text) ? text.replace(/^\+/, '') : String(Number(bigIntOf(text)));
    return { ok: true, value: { kind: 'float', value: /[.eE]/.test(n) ? n : `${n}.0` } };
  }
  if (typeof input.value === 'number')
    return bad(
      `${col.key} needs a finite number, not ${input.value}`,
      'write a number such as 4.5',
    );
  return bad(
    `${col.key} is ${col.type} and needs a number, not ${show(input.value)}`,
    typeof input.value === 'string' && DECIMAL_SYNTAX.test(input.value.trim())
      ? `write ${input.value.trim()} without quotes`
      : 'write a number such as 4.5',
  );
}

/** Integer and fraction digit counts of a decimal text, after applying its exponent. */
function decimalShape(text: string): { intDigits: number; fracDigits: number } {
  const m = /^[-+]?([0-9]*)\.?([0-9]*)(?:[eE]([-+]?[0-9]+))?$/.exec(text)!;
  const exp = Number(m[3] ?? 0);
  const digits = `${m[1]}${m[2]}`;
  const point = m[1]!.length + exp;
  const intPart = point <= 0 ? '' : digits.slice(0, point).padEnd(point, '0');
  const fracPart =
    point >= digits.length
      ? ''
      : '0'.repeat(Math.max(0, -point)) + digits.slice(Math.max(0, point));
  return {
    intDigits: intPart.replace(/^0+/, '').length,
    fracDigits: fracPart.replace(/0+$/, '').length,
  };
}

function toNumeric(input: LiteralInput, col: Column): Conversion {
  let text: string | null = null;
  if (typeof input.value === 'number' || input.interpolated) text = numberText(input);
  else if (typeof input.value === 'string') text = input.value.trim();
  if (text === null || !(DECIMAL_SYNTAX.test(text) || INT_SYNTAX.test(text))) {
    const hint = 'write a decimal number such as 1234.50';
    if (typeof input.value === 'number')
      return bad(`${col.key} needs a finite number, not ${input.value}`, hint);
    return bad(
      `${col.key} is ${col.type} and needs a number or a numeric string, not ${show(input.value)}`,
      hint,
    );
  }
  const exact = DECIMAL_SYNTAX.test(text) ? text.replace(/^\+/, '') : bigIntOf(text).toString();
  const shape = decimalShape(exact);
  const scale = col.scale ?? null;
  if (scale !== null && shape.fracDigits > scale) {
    return bad(
      `${exact} has ${shape.fracDigits} decimal places; ${col.key} keeps ${scale}`,
      `round it to ${scale} decimal place${scale === 1 ? '' : 's'}`,
    );
  }
  if (col.precision !== null && col.precision !== undefined) {
    const maxInt = col.precision - (scale ?? 0);
    if (shape.intDigits > maxInt) {
      return bad(
        `${exact} is too large for ${col.type}(${col.precision}, ${scale ?? 0}) on ${col.key}`,
        `${col.key} holds at most ${maxInt} digit${maxInt === 1 ? '' : 's'} before the decimal point`,
      );
    }
  }
  return { ok: true, value: { kind: 'decimal', value: exact } };
}

function toInterval(input: LiteralInput, col: Column): Conversion {
  const text = typeof input.value === 'number' ? numberText(input) : null;
  if (text === null || !(DECIMAL_SYNTAX.test(text) || INT_SYNTAX.test(text))) {
    return bad(
      `${col.key} is an Interval and needs a number of seconds, not ${show(input.value)}`,
      'write seconds, e.g. 3600 for an hour',
    );
  }
  const seconds = DECIMAL_SYNTAX.test(text) ? text.replace(/^\+/, '') : bigIntOf(text).toString();
  return { ok: true, value: { kind: 'interval', seconds } };
}

/** Enum member by name, then by value; a plain string enum by its stored strings. */
export function toEnum(value: unknown, col: Column): Conversion {
  const info = col.enum;
  const py = info?.pythonEnum ?? null;
  if (py !== null) {
    const byName = py.members.find((m) => m.name === value);
    const byValue =
      byName ??
      py.members.find(
        (m) =>
          m.value === value || (typeof m.value !== 'object' && String(m.value) === String(value)),
      );
    if (byValue && (typeof value === 'string' || typeof value === 'number')) {
      return {
        ok: true,
        value: { kind: 'enum', enumModule: py.module, enumClass: py.name, member: byValue.name },
      };
    }
    const names = py.members.map((m) => m.name);
    const values = py.members.map((m) => String(m.value)).filter((v) => !names.includes(v));
    const all =
      values.length > 0 ? `${names.join(', ')} (values ${values.join(', ')})` : names.join(', ');
    return bad(
      `${show(value)} is not a member of ${py.name}: ${all}`,
      didYouMean(String(value), [...names, ...values]) ??
        `write a member name, e.g. ${col.key}: ${names[0] ?? ''}`,
      Codes.notEnumMember,
    );
  }
  const stored = info?.stored ?? [];
  if (typeof value === 'string' && stored.includes(value)) {
    return { ok: true, value: { kind: 'enum', enumModule: null, enumClass: null, member: value } };
  }
  return bad(
    `${show(value)} is not one of ${col.key}'s values: ${stored.join(', ')}`,
    didYouMean(String(value), stored) ?? `write one of them, e.g. ${col.key}: ${stored[0] ?? ''}`,
    Codes.notEnumMember,
  );
}

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
    for (const [k, x] of Object.entries(v as object)) {
      const at = jsonUnsafeAt(x);
      if (at !== null) return [k, ...at];
    }
    return null;
  }
  return [];
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
      const at = jsonUnsafeAt(v);
      if (at !== null) {
        return {
          ...bad(
            `${col.key} is JSON and cannot hold ${show(valueAt(v, at))}`,
            'JSON holds strings, finite numbers, true, false, null, lists and mappings',
          ),
          ...(at.length > 0 ? { at } : {}),
        } as Conversion;
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
      return toOther(input, col);
  }
}

/** A type fixturegen does not know: pass plain values through as the nearest Python literal. */
function toOther(input: LiteralInput, col: Column): Conversion {
  const v = input.value;
  if (typeof v === 'string') return { ok: true, value: { kind: 'str', value: v } };
  if (typeof v === 'boolean') return { ok: true, value: { kind: 'bool', value: v } };
  if (typeof v === 'number') {
    const text = numberText(input);
    if (text !== null && INT_SYNTAX.test(text))
      return { ok: true, value: { kind: 'int', value: bigIntOf(text).toString() } };
    return toFloat(input, col);
  }
  if (jsonSafe(v)) return { ok: true, value: { kind: 'json', value: v } };
  return bad(`${col.key} (${col.type}) cannot hold ${show(v)}`);
}
