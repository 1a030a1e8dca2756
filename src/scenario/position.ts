import { isAlias, isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import { error, type Diagnostic } from '../diagnostics/types.js';
import type { TextPart } from './forms.js';
import { sourceRange } from './scalar-offsets.js';
import type { Path, ScenarioSource } from './types.js';

/** A 1-based source span. */
export interface Span {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

interface Located {
  /** The value node at the path (null for an empty value such as `values:`). */
  readonly node: Node | null;
  /** The key node whose value it is, when the last step was a mapping key. */
  readonly key: Node | null;
  /** How many path segments were found; less than the path's length when it ran out. */
  readonly depth: number;
}

function keyText(key: unknown): string | null {
  if (!isScalar(key)) return null;
  // With merge keys on, `<<` parses to a symbol.
  if (typeof key.value === 'symbol') return key.value.description ?? null;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a scalar key: string, number or boolean
  return key.value === null ? '' : String(key.value);
}

/** The pair for `key` in a mapping, or in the mappings it merges with `<<: *anchor`. */
function findKey(
  src: ScenarioSource,
  map: YAMLMap,
  key: string,
  depth: number,
): { node: Node | null; key: Node | null } | null {
  for (const pair of map.items) {
    if (keyText(pair.key) === key)
      return { node: (pair.value as Node | null) ?? null, key: pair.key as Node };
  }
  if (depth > 10) return null;
  for (const pair of map.items) {
    if (keyText(pair.key) !== '<<') continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const item of sources) {
      const merged = isAlias(item) ? item.resolve(src.doc) : item;
      if (isMap(merged)) {
        const found = findKey(src, merged, key, depth + 1);
        if (found) return found;
      }
    }
  }
  return null;
}

/** Walks the YAML AST along `path`, following aliases, as far as it exists. */
export function locate(src: ScenarioSource, path: Path): Located {
  let node = (src.doc.contents as Node | null) ?? null;
  let key: Node | null = null;
  let depth = 0;
  for (const seg of path) {
    const target = isAlias(node) ? (node.resolve(src.doc) as Node | undefined) : node;
    let next: { node: Node | null; key: Node | null } | null = null;
    if (isMap(target)) {
      next = findKey(src, target, String(seg), 0);
    } else if (isSeq(target) && typeof seg === 'number') {
      const item = target.items[seg];
      if (item !== undefined) next = { node: item as Node, key: null };
    }
    if (next === null) break;
    node = next.node;
    key = next.key;
    depth++;
  }
  return { node, key, depth };
}

function spanOfRange(src: ScenarioSource, start: number, end: number): Span {
  const a = src.lineCounter.linePos(start);
  const b = src.lineCounter.linePos(Math.max(start, end));
  // linePos reports line 0 before the first newline was counted; the text starts on line 1.
  return {
    line: Math.max(1, a.line),
    column: a.col,
    endLine: Math.max(1, b.line),
    endColumn: b.col,
  };
}

/**
 * Where the node at `path` is written. `key` points at the mapping key instead of the value (for
 * unknown keys and for problems with a whole entry). Falls back to the nearest existing ancestor.
 */
export function spanAt(src: ScenarioSource, path: Path, which: 'key' | 'value' = 'value'): Span {
  const found = locate(src, path);
  const exact = found.depth === path.length;
  const pick =
    which === 'key' && exact && found.key !== null ? found.key : (found.node ?? found.key);
  if (pick?.range) return spanOfRange(src, pick.range[0], pick.range[1]);
  return { line: 1, column: 1, endLine: 1, endColumn: 1 };
}

/** A part of the string value written at a path that a diagnostic is about (see spanWithin). */
export interface Within {
  readonly value: string;
  readonly part: TextPart;
}

/**
 * Where part of the string at `path` is written, when that is exact (see scalar-offsets.ts): the
 * node must be the string scalar `value` itself, not an alias of it. Otherwise the span of the
 * whole node, as `spanAt` gives it.
 */
export function spanWithin(src: ScenarioSource, path: Path, value: string, part: TextPart): Span {
  const found = locate(src, path);
  const node = found.node;
  if (found.depth === path.length && isScalar(node) && node.value === value && node.range) {
    const [start, end] = node.range;
    const at = sourceRange(node.type, src.text.slice(start, end), value, part[0], part[1]);
    if (at !== null) return spanOfRange(src, start + at.start, start + at.end);
  }
  return spanAt(src, path);
}

/** The source text of a plain scalar at `path` (for exact numbers such as `1234.50`), or null. */
export function plainSourceAt(src: ScenarioSource, path: Path): string | null {
  const found = locate(src, path);
  if (found.depth !== path.length) return null;
  const node = isAlias(found.node) ? found.node.resolve(src.doc) : found.node;
  if (isScalar(node) && node.type === 'PLAIN' && typeof node.source === 'string') {
    return node.source;
  }
  return null;
}

/** The span of the node at `path`, or of the part of its string that `within` names. */
export function spanFor(
  src: ScenarioSource,
  path: Path,
  within: Within | undefined,
  which: 'key' | 'value' = 'value',
): Span {
  return within === undefined
    ? spanAt(src, path, which)
    : spanWithin(src, path, within.value, within.part);
}

/** Builds an error diagnostic positioned at `path`. */
export function diagAt(
  src: ScenarioSource,
  code: DiagnosticCode,
  message: string,
  path: Path,
  options: {
    which?: 'key' | 'value';
    hint?: string | undefined;
    /** Point at this part of the string written at `path`. */
    within?: Within | undefined;
  } = {},
): Diagnostic {
  const span = spanFor(src, path, options.within, options.which);
  return error(code, message, {
    file: src.file,
    ...span,
    ...(options.hint === undefined ? {} : { hint: options.hint }),
  });
}
