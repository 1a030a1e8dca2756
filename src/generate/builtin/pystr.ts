/** Python literals written the way black and ruff format would write them. */

/** The escaped body of a string (or, `bytes`, an ASCII bytes) literal between `quote`s. */
function body(text: string, quote: '"' | "'", bytes = false): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || (code >= 0x2028 && code <= 0x2029)) {
      out += bytes
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
}

/**
 * The quote a formatter keeps: double, unless the text holds more double quotes than single
 * ones (fewer backslashes in single quotes).
 */
function quoteFor(text: string): '"' | "'" {
  const count = (q: string) => text.split(q).length - 1;
  return count('"') > count("'") ? "'" : '"';
}

export function pyString(text: string): string {
  const q = quoteFor(text);
  return `${q}${body(text, q)}${q}`;
}

/**
 * The UTF-8 bytes of a text: a bytes literal when it is ASCII (ruff's UP012 flags `"…".encode()`
 * there), else the encoded string.
 */
export function pyBytes(text: string): string {
  if ([...text].some((ch) => ch.charCodeAt(0) > 0x7f)) return `${pyString(text)}.encode()`;
  const q = quoteFor(text);
  return `b${q}${body(text, q, true)}${q}`;
}

/**
 * An f-string of literal text parts and `{expression}` parts (expressions without quotes or
 * backslashes, which a formatter would leave alone).
 */
export function pyFString(parts: readonly ({ text: string } | { expr: string })[]): string {
  const text = parts.map((p) => ('text' in p ? p.text : '')).join('');
  const q = quoteFor(text);
  const inner = parts
    .map((p) =>
      'text' in p ? body(p.text, q).replace(/\{/g, '{{').replace(/\}/g, '}}') : `{${p.expr}}`,
    )
    .join('');
  return `f${q}${inner}${q}`;
}

/** A number's digits with a leading zero before and after the point, as black writes a float. */
function pointed(digits: string): string {
  let out = digits;
  if (out.startsWith('.')) out = `0${out}`;
  if (out.endsWith('.')) out = `${out}0`;
  return out;
}

/** A float literal from its decimal text: `1.5E+3` → `1.5e3`, `.5` → `0.5`, `inf` → `float("inf")`. */
export function pyFloat(text: string): string {
  const n = Number(text);
  if (Number.isNaN(n)) return 'float("nan")';
  if (n === Infinity) return 'float("inf")';
  if (n === -Infinity) return 'float("-inf")';
  const sign = /^[+-]/.test(text) ? text[0]!.replace('+', '') : '';
  const digits = text.replace(/^[+-]/, '').toLowerCase();
  if (digits.includes('e')) {
    const [mantissa, exponent] = digits.split('e') as [string, string];
    return `${sign}${pointed(mantissa)}e${exponent.replace(/^\+/, '')}`;
  }
  return `${sign}${digits.includes('.') ? pointed(digits) : `${digits}.0`}`;
}

/** An exact decimal text as a Python int or float literal. */
export function pyNumber(text: string): string {
  return /^[+-]?\d+$/.test(text) ? text.replace(/^\+/, '') : pyFloat(text);
}
