/**
 * The string forms of the value language, parsed without the catalog: references (`@label`,
 * `@label[INDEX]`), the `@@` escape and `{i}`/`{n}` interpolation. Pure functions of the text.
 */
import { evalIndex } from '../plan/index-expr.js';
import type { IndexExpr } from '../plan/types.js';

/** Characters `from`..`to` of a text (UTF-16 offsets), for diagnostics about that part. */
export type TextPart = readonly [from: number, to: number];

export type ParsedReference =
  | { readonly ok: true; readonly label: string; readonly index: IndexExpr | null }
  | {
      readonly ok: false;
      readonly message: string;
      readonly hint: string;
      /** The part the message is about; null when it is about the whole text. */
      readonly at: TextPart | null;
    };

const LABEL = '[A-Za-z_][A-Za-z0-9_]*';
const REFERENCE = new RegExp(`^@(${LABEL})(?:\\[(.*)\\])?$`, 's');
const INDEX_FORMS = 'an integer, i, i % K or i // K (K a positive integer)';

/** The part of `text` without its leading and trailing white space. */
function trimmed(text: string): TextPart {
  const from = text.length - text.trimStart().length;
  return [from, Math.max(from, text.trimEnd().length)];
}

/** Parses an index expression: `2`, `i`, `i % 3`, `i // 4` (spaces around operators optional). */
export function parseIndex(
  text: string,
): { ok: true; index: IndexExpr } | { ok: false; message: string; at: TextPart } {
  const t = text.trim();
  if (/^[0-9]+$/.test(t)) {
    const value = Number(t);
    if (!Number.isSafeInteger(value))
      return { ok: false, message: `index ${t} is too large`, at: trimmed(text) };
    return { ok: true, index: { kind: 'const', value } };
  }
  if (t === 'i') return { ok: true, index: { kind: 'i' } };
  const m = /^i\s*(%|\/\/)\s*([0-9]+)$/.exec(t);
  if (m) {
    const k = Number(m[2]);
    if (!Number.isSafeInteger(k) || k < 1) {
      // K ends the trimmed text.
      const end = trimmed(text)[1];
      return {
        ok: false,
        message: `K in "i ${m[1]} K" must be a positive integer, not ${m[2]}`,
        at: [end - m[2]!.length, end],
      };
    }
    return { ok: true, index: m[1] === '%' ? { kind: 'mod', k } : { kind: 'div', k } };
  }
  return {
    ok: false,
    message: `invalid index "${text}": expected ${INDEX_FORMS}`,
    at: trimmed(text),
  };
}

/** Where the parts of a well-formed reference are in its text. */
export interface ReferenceParts {
  /** The label, without the `@`. */
  readonly label: TextPart;
  /** The index with its brackets, `[i % 3]`; null without one. */
  readonly brackets: TextPart | null;
  /** The index expression between the brackets, without white space around it. */
  readonly index: TextPart | null;
}

/** The parts of `@label` or `@label[...]` (the index not checked), or null for other text. */
export function referenceParts(text: string): ReferenceParts | null {
  const m = REFERENCE.exec(text);
  if (!m) return null;
  const label: TextPart = [1, 1 + m[1]!.length];
  if (m[2] === undefined) return { label, brackets: null, index: null };
  const [from, to] = trimmed(m[2]);
  const open = label[1];
  return {
    label,
    brackets: [open, text.length],
    index: [open + 1 + from, open + 1 + to],
  };
}

/** Parses a string that starts with a single `@`. */
export function parseReference(text: string): ParsedReference {
  const m = REFERENCE.exec(text);
  if (!m) {
    const bracket = /^@([A-Za-z_][A-Za-z0-9_]*)\[/.exec(text);
    return {
      ok: false,
      message: bracket
        ? `invalid reference "${text}": the index must be closed with ]`
        : `invalid reference "${text}"`,
      hint: `write "@label" or "@label[INDEX]" with INDEX ${INDEX_FORMS}; "@@text" is the literal "@text"`,
      // An unclosed index is about its opening bracket; anything else about the whole text.
      at: bracket ? [bracket[0].length - 1, bracket[0].length] : null,
    };
  }
  const label = m[1]!;
  if (m[2] === undefined) return { ok: true, label, index: null };
  const index = parseIndex(m[2]);
  if (!index.ok) {
    // The index text starts after `@`, the label and `[`.
    const shift = 2 + label.length;
    return {
      ok: false,
      message: index.message,
      hint: `write "@${label}[INDEX]" with INDEX ${INDEX_FORMS}`,
      at: [shift + index.at[0], shift + index.at[1]],
    };
  }
  return { ok: true, label, index: index.index };
}

export type InterpolationPart = string | { readonly var: 'i' | 'n' };

export type ParsedInterpolation =
  | { readonly ok: true; readonly parts: readonly InterpolationPart[] }
  | {
      readonly ok: false;
      readonly message: string;
      /** The offending brace or placeholder: characters `offset`..`end`. */
      readonly offset: number;
      readonly end: number;
    };

/**
 * Splits `user{n}@x` into text and variables. `{{` and `}}` are literal braces; any other brace
 * is an error (so a typo such as `{N}` is caught rather than written out).
 */
export function parseInterpolation(text: string): ParsedInterpolation {
  const parts: InterpolationPart[] = [];
  let buf = '';
  for (let p = 0; p < text.length;) {
    const ch = text[p]!;
    if (ch === '{' && text[p + 1] === '{') {
      buf += '{';
      p += 2;
    } else if (ch === '}' && text[p + 1] === '}') {
      buf += '}';
      p += 2;
    } else if (ch === '{') {
      const close = text.indexOf('}', p);
      const inner = close < 0 ? null : text.slice(p + 1, close);
      if (inner !== 'i' && inner !== 'n') {
        return {
          ok: false,
          offset: p,
          end: inner === null ? p + 1 : close + 1,
          message:
            inner === null
              ? `unclosed "{" in "${text}"`
              : `unknown placeholder "{${inner}}" in "${text}": only {i} and {n} exist`,
        };
      }
      if (buf !== '') parts.push(buf);
      buf = '';
      parts.push({ var: inner });
      p = close + 1;
    } else if (ch === '}') {
      return { ok: false, offset: p, end: p + 1, message: `unmatched "}" in "${text}"` };
    } else {
      buf += ch;
      p++;
    }
  }
  if (buf !== '') parts.push(buf);
  return { ok: true, parts };
}

/** The text of an interpolation for instance `i`. */
export function interpolate(parts: readonly InterpolationPart[], i: number): string {
  let out = '';
  for (const part of parts)
    out += typeof part === 'string' ? part : String(part.var === 'i' ? i : i + 1);
  return out;
}

export { evalIndex };

/** `users[i % 3]`-style text of an index, for messages. */
export function showIndex(index: IndexExpr): string {
  switch (index.kind) {
    case 'const':
      return String(index.value);
    case 'i':
      return 'i';
    case 'mod':
      return `i % ${index.k}`;
    case 'div':
      return `i // ${index.k}`;
  }
}
