/**
 * Integer, float, Numeric and Interval literals. Numbers keep their written text where exactness
 * matters (Numeric, Interval, big integers), so a `1234.50` never passes through a float.
 */
import { Codes } from '../diagnostics/scenario-codes.js';
import { bad, show, type Column, type Conversion, type LiteralInput } from './conversion.js';

export const INT_SYNTAX = /^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const DECIMAL_SYNTAX = /^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

const INT_RANGES: Record<string, readonly [bigint, bigint]> = {
  smallinteger: [-(2n ** 15n), 2n ** 15n - 1n],
  smallint: [-(2n ** 15n), 2n ** 15n - 1n],
  integer: [-(2n ** 31n), 2n ** 31n - 1n],
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  biginteger: [-(2n ** 63n), 2n ** 63n - 1n],
  bigint: [-(2n ** 63n), 2n ** 63n - 1n],
};

/**
 * The longest number and the largest exponent read. Far beyond any column (PostgreSQL's numeric
 * keeps 1000 significant digits), and small enough that no check below can take long.
 */
export const MAX_NUMBER_CHARS = 1000;
const MAX_EXPONENT = 10_000;

/** A number written beyond the limits, or null. Checked before any pattern runs over the text. */
function beyondLimits(text: string, col: Column): Conversion | null {
  if (text.length > MAX_NUMBER_CHARS) {
    return bad(
      `the value of ${col.key} is ${text.length} characters long; fixturegen reads numbers of at most ${MAX_NUMBER_CHARS}`,
      'write a shorter number',
      Codes.beyondLimits,
    );
  }
  const exp = /[eE]([-+]?[0-9]+)$/.exec(text);
  if (exp && Math.abs(Number(exp[1])) > MAX_EXPONENT) {
    return bad(
      `the exponent of ${text} is beyond ±${MAX_EXPONENT}`,
      `write ${col.key} with an exponent within ±${MAX_EXPONENT}`,
      Codes.beyondLimits,
    );
  }
  return null;
}

/** The text a number was written as, when that is ordinary decimal or integer syntax. */
export function numberText(input: LiteralInput): string | null {
  if (input.interpolated && typeof input.value === 'string') return input.value;
  if (typeof input.value !== 'number') return null;
  const src = input.source;
  if (src !== null && (DECIMAL_SYNTAX.test(src) || INT_SYNTAX.test(src))) return src;
  return Number.isFinite(input.value) ? String(input.value) : null;
}

/** A string value, trimmed, for the limits (other values are short by nature). */
function stringOf(input: LiteralInput): string {
  return typeof input.value === 'string' ? input.value.trim() : '';
}

export function bigIntOf(text: string): bigint {
  const neg = text.startsWith('-');
  const body = text.replace(/^[-+]/, '');
  const v = BigInt(body);
  return neg ? -v : v;
}

export function toInteger(input: LiteralInput, col: Column): Conversion {
  const text = numberText(input);
  const limit = beyondLimits(text ?? stringOf(input), col);
  if (limit) return limit;
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

export function toFloat(input: LiteralInput, col: Column): Conversion {
  const text = numberText(input);
  const limit = beyondLimits(text ?? stringOf(input), col);
  if (limit) return limit;
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

/**
 * Integer and fraction digit counts of a decimal text, after applying its exponent. Counted, never
 * built: `1e-300000` must not become a string of 300,000 zeros.
 */
function decimalShape(text: string): { intDigits: number; fracDigits: number } {
  const m = /^[-+]?([0-9]*)\.?([0-9]*)(?:[eE]([-+]?[0-9]+))?$/.exec(text)!;
  const digits = `${m[1]}${m[2]}`;
  let first = 0;
  while (first < digits.length && digits[first] === '0') first++;
  let end = digits.length;
  while (end > first && digits[end - 1] === '0') end--;
  if (end === first) return { intDigits: 0, fracDigits: 0 };
  // Where the decimal point falls relative to the first significant digit.
  const point = m[1]!.length + Number(m[3] ?? 0) - first;
  return { intDigits: Math.max(0, point), fracDigits: Math.max(0, end - first - point) };
}

export function toNumeric(input: LiteralInput, col: Column): Conversion {
  let text: string | null = null;
  if (typeof input.value === 'number' || input.interpolated) text = numberText(input);
  else if (typeof input.value === 'string') text = input.value.trim();
  const limit = beyondLimits(text ?? '', col);
  if (limit) return limit;
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

export function toInterval(input: LiteralInput, col: Column): Conversion {
  const text = typeof input.value === 'number' ? numberText(input) : null;
  const limit = beyondLimits(text ?? '', col);
  if (limit) return limit;
  if (text === null || !(DECIMAL_SYNTAX.test(text) || INT_SYNTAX.test(text))) {
    return bad(
      `${col.key} is an Interval and needs a number of seconds, not ${show(input.value)}`,
      'write seconds, e.g. 3600 for an hour',
    );
  }
  const seconds = DECIMAL_SYNTAX.test(text) ? text.replace(/^\+/, '') : bigIntOf(text).toString();
  return { ok: true, value: { kind: 'interval', seconds } };
}
