/**
 * YAML parse errors turned into diagnostics that point where the author has to act: the opening
 * quote or bracket that is never closed (the parser notices only at the end of the value), the
 * first line whose indentation is off (the parser may notice a line earlier, at the value that line
 * runs into), and the second of two equal keys with the line of the first.
 */
import {
  isMap,
  isScalar,
  Parser,
  visit,
  YAMLParseError,
  type Document,
  type YAMLError,
} from 'yaml';
import { error, type Diagnostic } from '../diagnostics/types.js';
import { Codes } from '../diagnostics/scenario-codes.js';

/** An opening quote or bracket without its closing one, found in the concrete syntax tree. */
interface Unclosed {
  readonly offset: number;
  readonly open: string;
  readonly close: string;
}

function isClosedQuote(source: string, quote: string): boolean {
  if (source.length < 2 || !source.endsWith(quote)) return false;
  const body = source.slice(1);
  if (quote === '"') {
    let slashes = 0;
    for (let k = body.length - 2; k >= 0 && body[k] === '\\'; k--) slashes++;
    return slashes % 2 === 0;
  }
  // In single quotes, '' is an escaped quote: the string is closed by an odd run of quotes.
  let run = 0;
  for (let k = body.length - 1; k >= 0 && body[k] === "'"; k--) run++;
  return run % 2 === 1;
}

/** The last text scanned: several errors of one file each ask for its unclosed tokens. */
let lastScan: { readonly text: string; readonly tokens: Unclosed[] } | null = null;

function unclosedTokens(text: string): Unclosed[] {
  if (lastScan?.text !== text) lastScan = { text, tokens: scanUnclosed(text) };
  return lastScan.tokens;
}

function scanUnclosed(text: string): Unclosed[] {
  const out: Unclosed[] = [];
  const walk = (token: unknown): void => {
    if (token === null || typeof token !== 'object') return;
    if (Array.isArray(token)) {
      token.forEach(walk);
      return;
    }
    const t = token as { type?: string; offset?: number; source?: string };
    if (t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar') {
      const q = t.type === 'double-quoted-scalar' ? '"' : "'";
      if (!isClosedQuote(t.source ?? '', q)) out.push({ offset: t.offset ?? 0, open: q, close: q });
    }
    if (t.type === 'flow-collection') {
      const fc = token as { start: { source: string; offset: number }; end: { source: string }[] };
      const close = fc.start.source === '[' ? ']' : '}';
      if (!fc.end.some((e) => e.source === close))
        out.push({ offset: fc.start.offset, open: fc.start.source, close });
    }
    for (const [k, v] of Object.entries(token)) if (k !== 'source') walk(v);
  };
  try {
    for (const token of new Parser().parse(text)) walk(token);
  } catch {
    return [];
  }
  return out.sort((a, b) => a.offset - b.offset);
}

const OPENS_VALUE = /(?:^|\s)[|>][-+0-9]*$|[[{,]$/;

/** The content of a line without a trailing comment (a `#` after a space, outside quotes). */
function content(line: string): string {
  let quote: string | null = null;
  for (let k = 0; k < line.length; k++) {
    const ch = line[k]!;
    if (quote !== null) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (k === 0 || /\s/.test(line[k - 1]!))) return line.slice(0, k).trimEnd();
  }
  return line.trimEnd();
}

interface Misindented {
  /** 0-based line index. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/**
 * The first line from `from` on whose indentation fits no block above it: deeper than the line
 * before although that line opens nothing, or shallower but not back at an enclosing block's column.
 * A rough block-structure scan, used only once the parser has already refused the text.
 */
function misindentedLine(lines: readonly string[], from: number, to: number): Misindented | null {
  const stack: number[] = [];
  let first: number | null = null;
  let prev: { indent: number; opens: boolean; item: number | null } | null = null;
  let verbatim: number | null = null; // inside a block scalar or flow collection: lines deeper than this
  for (let n = 0; n < lines.length && n <= to; n++) {
    const raw = lines[n]!;
    const text = content(raw);
    if (text.trim() === '' || text.trimStart().startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    if (/^[ ]*\t/.test(raw)) return null; // tab indentation has its own diagnostic
    if (verbatim !== null) {
      if (indent > verbatim) continue;
      verbatim = null;
    }
    const body = text.trimStart();
    let problem: string | null = null;
    if (first === null) {
      first = n;
      stack.push(indent);
    } else if (indent < stack[0]!) {
      // The top level is indented, and this line is less so: the first line is the odd one.
      return {
        line: first,
        column: stack[0]! + 1,
        message: `the first key is indented by ${stack[0]} space${stack[0] === 1 ? '' : 's'}; top-level keys start at column 1`,
      };
    }
    if (prev !== null && indent > prev.indent) {
      if (prev.opens || (prev.item !== null && indent === prev.item)) stack.push(indent);
      else problem = 'this line is indented more than the line above it, which opens no block';
    } else if (prev !== null && indent < prev.indent) {
      while (stack.length > 1 && stack[stack.length - 1]! > indent) stack.pop();
      if (stack[stack.length - 1] !== indent) {
        problem = `this line starts at column ${indent + 1}, where no key or item above it starts`;
      }
    }
    if (problem !== null && n >= from) return { line: n, column: indent + 1, message: problem };
    if (problem !== null) return null; // an earlier oddity (a multi-line value?): do not guess
    const item = /^-(\s+)\S/.exec(body);
    prev = {
      indent,
      opens: /:$/.test(body) || /^-$/.test(body),
      item: item ? indent + 1 + item[1]!.length : null,
    };
    if (item && /:$/.test(body)) prev = { ...prev, opens: true };
    if (OPENS_VALUE.test(body)) verbatim = indent;
  }
  return null;
}

const INDENT_ERRORS = new Set([
  'BAD_INDENT',
  'BLOCK_AS_IMPLICIT_KEY',
  'MULTILINE_IMPLICIT_KEY',
  'UNEXPECTED_TOKEN',
]);

/** The key text of the pair whose key starts at `offset`, and the line of its first occurrence. */
function duplicateOf(doc: Document, text: string, offset: number) {
  let found: { key: string; firstLine: number } | null = null;
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        if (!isScalar(pair.key) || !pair.key.range) continue;
        const key = String(pair.key.value);
        const first = seen.get(key);
        if (first !== undefined && pair.key.range[0] === offset) {
          found = { key, firstLine: lineColumn(text, first).line };
          return visit.BREAK;
        }
        if (first === undefined) seen.set(key, pair.key.range[0]);
      }
      return undefined;
    },
  });
  return found as { key: string; firstLine: number } | null;
}

/**
 * The parser's DUPLICATE_KEY errors, found in linear time: its own check (`uniqueKeys`) compares
 * each key with every key before it, which takes seconds on a mapping of a few thousand keys.
 * Keys are equal as the parser compares them: the same scalar value.
 */
export function duplicateKeyErrors(doc: Document): YAMLError[] {
  const out: YAMLError[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = pair.key.value;
        if (seen.has(key) && pair.key.range) {
          const at = pair.key.range[0];
          out.push(new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
        }
        seen.add(key);
      }
    },
  });
  return out;
}

export interface Located {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** 1-based line and column of `offset`, counted in the text itself and clamped to it. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const o = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let start = 0;
  for (let k = text.indexOf('\n'); k >= 0 && k < o; k = text.indexOf('\n', k + 1)) {
    line++;
    start = k + 1;
  }
  return { line, column: o - start + 1 };
}

/** The span from `start` to `end` (offsets; the parser may give them past the end of the text). */
export function positioned(file: string, text: string, start: number, end: number): Located {
  const a = lineColumn(text, start);
  const b = lineColumn(text, Math.max(start, end));
  return { file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
}

/**
 * A better diagnostic for a parse error, or null to keep the parser's own. `text` and `doc` are
 * the file and what the parser made of it.
 */
export function refineYamlError(
  e: YAMLError,
  file: string,
  text: string,
  doc: Document,
): Diagnostic | null {
  const unclosedQuote = e.code === 'MISSING_CHAR' && /closing ["']quote/.test(e.message);
  const unclosedFlow = /end with an? [\]}]/.test(e.message);
  if (unclosedQuote || unclosedFlow) {
    const want = unclosedQuote ? ['"', "'"] : ['[', '{'];
    const open = unclosedTokens(text)
      .filter((u) => want.includes(u.open) && u.offset <= e.pos[0])
      .at(-1);
    if (open === undefined) return null;
    return error(Codes.unclosed, `the ${open.open} opened here is never closed`, {
      ...positioned(file, text, open.offset, open.offset + 1),
      hint: unclosedQuote
        ? `end the string with ${open.close}`
        : `close it with ${open.close}; a flow list or mapping may span lines only when they are indented`,
    });
  }
  if (INDENT_ERRORS.has(e.code) || (e.code === 'MISSING_CHAR' && /map values/.test(e.message))) {
    const lines = text.split('\n');
    const at = lineColumn(text, e.pos[0]).line - 1;
    const next = lines.findIndex((l, n) => n > at && content(l).trim() !== '');
    const bad = misindentedLine(lines, at, next < 0 ? at : next);
    if (bad === null) return null;
    const start = lines.slice(0, bad.line).reduce((n, l) => n + l.length + 1, 0) + bad.column - 1;
    return error(Codes.badIndent, bad.message, {
      ...positioned(file, text, start, start + content(lines[bad.line]!).trim().length),
      hint: 'keys of one mapping and items of one list start at the same column; nested ones go deeper, under a key that ends with ":"',
    });
  }
  if (e.code === 'DUPLICATE_KEY') {
    const dup = duplicateOf(doc, text, e.pos[0]);
    if (dup === null) return null;
    const where = positioned(file, text, e.pos[0], e.pos[0] + dup.key.length);
    return error(
      Codes.duplicateKey,
      `duplicate key "${dup.key}": it is already written on line ${dup.firstLine}`,
      { ...where, hint: 'each key may appear once per mapping; keep one of them' },
    );
  }
  if (e.code === 'MULTIPLE_DOCS') {
    return error(
      Codes.multipleDocuments,
      'a second YAML document starts here; a scenario file holds one',
      {
        ...positioned(file, text, e.pos[0], e.pos[0] + 3),
        hint: 'put each scenario in its own file',
      },
    );
  }
  return null;
}
