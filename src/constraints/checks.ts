/**
 * A value a CHECK constraint refuses, derived from its SQL text when the text is simple enough:
 * a conjunction (AND) of comparisons of a column with a number or another column, `IN` lists,
 * `BETWEEN`, `length(col)` comparisons and `IS NOT NULL`. Breaking one conjunct breaks the whole.
 * Anything else (OR, functions, casts, subqueries) gives null and the CHECK is skipped with a note.
 */
import type { ColumnInfo, ModelInfo } from '../catalog/types.js';

/** What to write into the column: a Python literal's parts, or another column of the row. */
export type Violation =
  | { readonly kind: 'int' | 'float'; readonly text: string }
  | { readonly kind: 'decimal'; readonly text: string }
  | { readonly kind: 'str'; readonly text: string }
  | { readonly kind: 'null' }
  | { readonly kind: 'column'; readonly name: string };

export interface CheckViolation {
  /** The database column written. */
  readonly column: ColumnInfo;
  readonly value: Violation;
  /** The conjunct it breaks, as written. */
  readonly breaks: string;
}

const NUM = String.raw`[-+]?\d+(?:\.\d+)?`;
const ID = String.raw`"[^"]+"|[A-Za-z_][A-Za-z0-9_]*`;
const OPS = String.raw`>=|<=|<>|!=|=|>|<`;

const unquote = (id: string) => (id.startsWith('"') ? id.slice(1, -1) : id);

function stripParens(text: string): string {
  let t = text.trim();
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1)))
    t = t.slice(1, -1).trim();
  return t;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** Top-level AND conjuncts; null when the text has a top-level OR. `BETWEEN x AND y` stays whole. */
function conjuncts(text: string): string[] | null {
  const t = stripParens(text);
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let between = false;
  const words = /\b(AND|OR|BETWEEN)\b|[()']/gi;
  let inString = false;
  for (let m = words.exec(t); m !== null; m = words.exec(t)) {
    const w = m[0];
    if (w === "'") {
      inString = !inString;
      continue;
    }
    if (inString) continue;
    if (w === '(') depth++;
    else if (w === ')') depth--;
    else if (depth === 0) {
      const upper = w.toUpperCase();
      if (upper === 'OR') return null;
      if (upper === 'BETWEEN') between = true;
      else if (upper === 'AND') {
        if (between) between = false;
        else {
          parts.push(t.slice(start, m.index).trim());
          start = m.index + w.length;
        }
      }
    }
  }
  parts.push(t.slice(start).trim());
  return parts.map(stripParens);
}

const FLIP: Record<string, string> = { '>': '<', '<': '>', '>=': '<=', '<=': '>=' };

/** The smallest step of a numeric column: 1 for integers, 10^-scale for Numeric. */
function step(column: ColumnInfo): number {
  if (column.family === 'integer') return 1;
  if (column.family === 'numeric' && column.scale !== null) return 10 ** -column.scale;
  return 1;
}

function numberValue(column: ColumnInfo, value: number): Violation | null {
  if (!Number.isFinite(value)) return null;
  switch (column.family) {
    case 'integer':
      return Number.isInteger(value) ? { kind: 'int', text: String(value) } : null;
    case 'float':
      return { kind: 'float', text: Number.isInteger(value) ? `${value}.0` : String(value) };
    case 'numeric':
      return { kind: 'decimal', text: value.toFixed(column.scale ?? 0) };
    case 'boolean':
    case 'string':
    case 'date':
    case 'datetime':
    case 'time':
    case 'interval':
    case 'enum':
    case 'uuid':
    case 'json':
    case 'binary':
    case 'array':
    case 'other':
      return null;
  }
}

/** A number the comparison `column <op> bound` refuses. */
function breakComparison(column: ColumnInfo, op: string, bound: number): Violation | null {
  const s = step(column);
  const round = (x: number) => Number(x.toFixed(10));
  switch (op) {
    case '>':
    case '<>':
    case '!=':
      return numberValue(column, bound);
    case '>=':
      return numberValue(column, round(bound - s));
    case '<':
      return numberValue(column, bound);
    case '<=':
    case '=':
      return numberValue(column, round(bound + s));
    default:
      return null;
  }
}

/** A string of `n` characters, if the column's length lets it through to the CHECK. */
function text(column: ColumnInfo, n: number): Violation | null {
  if (column.family !== 'string' || n < 0) return null;
  if (column.length !== null && n > column.length) return null;
  return { kind: 'str', text: 'x'.repeat(n) };
}

function breakConjunct(
  atom: string,
  byName: ReadonlyMap<string, ColumnInfo>,
): { column: ColumnInfo; value: Violation } | null {
  const col = (id: string) => byName.get(unquote(id));
  let m = new RegExp(String.raw`^(${ID})\s+IS\s+NOT\s+NULL$`, 'i').exec(atom);
  if (m) {
    const c = col(m[1]!);
    return c && c.nullable ? { column: c, value: { kind: 'null' } } : null;
  }
  m = new RegExp(String.raw`^(${ID})\s+BETWEEN\s+(${NUM})\s+AND\s+(${NUM})$`, 'i').exec(atom);
  if (m) {
    const c = col(m[1]!);
    const v = c ? breakComparison(c, '<=', Number(m[3])) : null;
    return c && v ? { column: c, value: v } : null;
  }
  m = new RegExp(String.raw`^(${ID})\s+IN\s*\((.*)\)$`, 'i').exec(atom);
  if (m) {
    const c = col(m[1]!);
    if (!c) return null;
    const items = m[2]!.split(',').map((x) => x.trim());
    if (items.every((x) => /^'(?:[^']|'')*'$/.test(x))) {
      const taken = new Set(items.map((x) => x.slice(1, -1).replace(/''/g, "'")));
      for (const candidate of ['x', 'y', 'z', 'xx', 'xy', 'zz']) {
        const v = text(c, candidate.length);
        if (v && !taken.has(candidate))
          return { column: c, value: { kind: 'str', text: candidate } };
      }
      return null;
    }
    if (items.every((x) => new RegExp(`^${NUM}$`).test(x))) {
      const v = numberValue(c, Math.max(...items.map(Number)) + 1);
      return v ? { column: c, value: v } : null;
    }
    return null;
  }
  m = new RegExp(
    String.raw`^(?:length|char_length|character_length)\s*\(\s*(${ID})\s*\)\s*(${OPS})\s*(\d+)$`,
    'i',
  ).exec(atom);
  if (m) {
    const c = col(m[1]!);
    if (!c) return null;
    const n = Number(m[3]);
    const want = { '>': n, '>=': n - 1, '<': n, '<=': n + 1, '=': n + 1, '<>': n, '!=': n }[m[2]!];
    const v = want === undefined ? null : text(c, want);
    if (v) return { column: c, value: v };
    // `length(x) = n` with n at the column's limit: one character short breaks it too.
    const short = m[2] === '=' ? text(c, n - 1) : null;
    return short ? { column: c, value: short } : null;
  }
  m = new RegExp(String.raw`^(${ID})\s*(${OPS})\s*(${NUM})$`).exec(atom);
  const n = new RegExp(String.raw`^(${NUM})\s*(${OPS})\s*(${ID})$`).exec(atom);
  if (m || n) {
    const [id, op, num] = m ? [m[1]!, m[2]!, m[3]!] : [n![3]!, FLIP[n![2]!] ?? n![2]!, n![1]!];
    const c = col(id);
    const v = c ? breakComparison(c, op, Number(num)) : null;
    return c && v ? { column: c, value: v } : null;
  }
  m = new RegExp(String.raw`^(${ID})\s*(<>|!=)\s*''$`).exec(atom);
  if (m) {
    const c = col(m[1]!);
    const v = c ? text(c, 0) : null;
    return c && v ? { column: c, value: v } : null;
  }
  m = new RegExp(String.raw`^(${ID})\s*(>|<|<>|!=)\s*(${ID})$`).exec(atom);
  if (m) {
    const a = col(m[1]!);
    const b = col(m[3]!);
    return a && b && a !== b ? { column: a, value: { kind: 'column', name: b.name } } : null;
  }
  return null;
}

/** A value breaking the CHECK `sql` on `model`'s own table, or null when none can be derived. */
export function breakCheck(sql: string, model: ModelInfo): CheckViolation | null {
  const parts = conjuncts(sql);
  if (parts === null) return null;
  const byName = new Map(
    model.columns.filter((c) => c.table === model.table).map((c) => [c.name, c]),
  );
  for (const part of parts) {
    const found = breakConjunct(part, byName);
    if (found && !found.column.primaryKey) return { ...found, breaks: part };
  }
  return null;
}
