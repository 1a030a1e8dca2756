/**
 * Where a character of a string scalar's value is written in the source, for diagnostics that
 * point inside a string (`@label`, `[INDEX]`, `{placeholder}`). Only when that is exact: a plain,
 * single-quoted or double-quoted scalar on one line, with nothing before the character that the
 * parser rewrote (an escape such as `\t` in double quotes, `''` in single quotes). Block scalars
 * and flow scalars over several lines fold and strip text, so their callers keep the scalar's start.
 *
 * Offsets count UTF-16 code units, as JavaScript strings and the YAML parser's ranges do.
 */

/** The `type` of a `yaml` Scalar node. */
export type ScalarType =
  'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

/** Characters written before the value: the opening quote. Null for a form that is never exact. */
function lead(type: string | undefined, raw: string): number | null {
  // Block scalars and a missing type are never exact.
  switch (type ?? '') {
    case 'PLAIN':
      return 0;
    case 'QUOTE_SINGLE':
      return raw.startsWith("'") ? 1 : null;
    case 'QUOTE_DOUBLE':
      return raw.startsWith('"') ? 1 : null;
    default:
      return null;
  }
}

/**
 * The offset in `raw` (the scalar's source as its range covers it, quotes included) at which
 * character `k` of `value` is written, or null when that is not exact.
 */
export function sourceOffset(
  type: string | undefined,
  raw: string,
  value: string,
  k: number,
): number | null {
  if (!Number.isInteger(k) || k < 0 || k > value.length) return null;
  if (/[\r\n]/.test(raw)) return null;
  const start = lead(type, raw);
  if (start === null) return null;
  const written = raw.slice(start, start + k);
  // Every character before `k` must be written as itself: no `\` escape in double quotes, no `''`
  // in single quotes, and the source must agree with the value (it always does when both hold).
  if (type === 'QUOTE_DOUBLE' && written.includes('\\')) return null;
  if (type === 'QUOTE_SINGLE' && written.includes("'")) return null;
  if (written !== value.slice(0, k)) return null;
  return start + k;
}

/**
 * Where characters `from`..`to` of `value` are written in `raw`: null when `from` is not exact.
 * When `to` is not (an escape inside the part), the part shrinks to its first character.
 */
export function sourceRange(
  type: string | undefined,
  raw: string,
  value: string,
  from: number,
  to: number,
): { readonly start: number; readonly end: number } | null {
  const start = sourceOffset(type, raw, value, from);
  if (start === null) return null;
  const end = to > from ? sourceOffset(type, raw, value, to) : start;
  return { start, end: end ?? Math.min(start + 1, raw.length) };
}
