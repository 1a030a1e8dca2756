/**
 * Line layout of generated Python expressions, in the one shape black and ruff format both leave
 * alone: an expression stays on its line when the line fits in 88 columns; otherwise its last
 * bracketed list is spread one item per line with a trailing comma (a "magic trailing comma",
 * which both formatters keep spread at any line length), and a conditional expression goes into
 * parentheses, split before `if` and `else` when it does not fit there either. A conditional inside
 * a conditional is always parenthesized: the two formatters split an unparenthesized chain apart
 * differently.
 */

/** Columns per line of the formatters' defaults (black and ruff: 88). */
export const LINE_WIDTH = 88;

/**
 * Display columns of a line as the formatters count them: East Asian wide characters take two,
 * combining marks none.
 */
export function width(text: string): number {
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x300) n += 1;
    else if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f)) n += 0;
    else if (
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1f64f) ||
      (c >= 0x1f900 && c <= 0x1f9ff) ||
      (c >= 0x20000 && c <= 0x3fffd)
    )
      n += 2;
    else n += 1;
  }
  return n;
}

export type Doc =
  | string
  | { readonly kind: 'seq'; readonly parts: readonly Doc[] }
  | {
      readonly kind: 'group';
      readonly open: string;
      readonly items: readonly Doc[];
      readonly close: string;
    }
  | { readonly kind: 'cond'; readonly then: Doc; readonly test: string; readonly else: Doc };

export const seq = (...parts: Doc[]): Doc => ({ kind: 'seq', parts });

/** `callee(a, b)`; `items` empty gives `callee()`. */
export const call = (callee: string, items: readonly Doc[]): Doc =>
  seq(callee, { kind: 'group', open: '(', items, close: ')' });

export const list = (items: readonly Doc[]): Doc => ({
  kind: 'group',
  open: '[',
  items,
  close: ']',
});

export const dict = (items: readonly Doc[]): Doc => ({
  kind: 'group',
  open: '{',
  items,
  close: '}',
});

/** A tuple of two or more items (a one-item tuple's comma is not a magic trailing comma). */
export function tuple(items: readonly Doc[]): Doc {
  if (items.length < 2) throw new Error('layout: tuple of fewer than two items');
  return { kind: 'group', open: '(', items, close: ')' };
}

/** `then if test else otherwise`. */
export const cond = (then: Doc, test: string, otherwise: Doc): Doc => ({
  kind: 'cond',
  then,
  test,
  else: otherwise,
});

const isCond = (doc: Doc) => typeof doc !== 'string' && doc.kind === 'cond';

/** The expression on one line. */
export function flat(doc: Doc): string {
  if (typeof doc === 'string') return doc;
  switch (doc.kind) {
    case 'seq':
      return doc.parts.map(flat).join('');
    case 'group':
      return `${doc.open}${doc.items.map(flat).join(', ')}${doc.close}`;
    case 'cond': {
      const part = (d: Doc) => (isCond(d) ? `(${flat(d)})` : flat(d));
      return `${part(doc.then)} if ${doc.test} else ${part(doc.else)}`;
    }
  }
}

function lastGroup(doc: Doc): number {
  if (typeof doc === 'string' || doc.kind !== 'seq') return -1;
  for (let k = doc.parts.length - 1; k >= 0; k--) {
    if (typeof doc.parts[k] !== 'string') return k;
  }
  return -1;
}

/** A conditional in parentheses, on one line inside them when it fits there. */
function brokenCond(doc: Extract<Doc, { kind: 'cond' }>, indent: string): string {
  const inner = `${indent}    `;
  const one = flat(doc);
  if (width(inner + one) <= LINE_WIDTH) return `(\n${inner}${one}\n${indent})`;
  const part = (d: Doc, lead: number) =>
    isCond(d) ? nested(d, inner, lead) : layout(d, inner, lead, 0);
  return [
    '(',
    `${inner}${part(doc.then, width(inner))}`,
    `${inner}if ${doc.test}`,
    `${inner}else ${part(doc.else, width(inner) + 5)}`,
    `${indent})`,
  ].join('\n');
}

/** A conditional that is part of a conditional: always in parentheses. */
function nested(doc: Doc, indent: string, lead: number): string {
  const one = `(${flat(doc)})`;
  if (lead + width(one) <= LINE_WIDTH) return one;
  return brokenCond(doc as Extract<Doc, { kind: 'cond' }>, indent);
}

/**
 * The expression laid out from column `lead` of a line indented by `indent`, with `tail` more
 * columns after its last line (a closing bracket or comma).
 */
export function layout(doc: Doc, indent: string, lead: number, tail: number): string {
  const one = flat(doc);
  if (typeof doc === 'string' || lead + width(one) + tail <= LINE_WIDTH) return one;
  switch (doc.kind) {
    case 'cond':
      return brokenCond(doc, indent);
    case 'group': {
      if (doc.items.length === 0) return one;
      const inner = `${indent}    `;
      const items = doc.items.map((item) => `${inner}${layout(item, inner, width(inner), 1)},`);
      return `${doc.open}\n${items.join('\n')}\n${indent}${doc.close}`;
    }
    case 'seq': {
      const k = lastGroup(doc);
      if (k < 0) return one;
      const before = doc.parts.slice(0, k).map(flat).join('');
      const after = doc.parts
        .slice(k + 1)
        .map(flat)
        .join('');
      const last = width(after);
      return `${before}${layout(doc.parts[k]!, indent, lead + width(before), last + tail)}${after}`;
    }
  }
}

/**
 * A statement `<head><value>` (an assignment) on a line indented by `indent`. A value without
 * brackets to spread goes inside parentheses of its own when that makes it fit, as the formatters
 * do with the right-hand side of an assignment.
 */
export function statement(indent: string, head: string, doc: Doc): string {
  const lead = width(indent + head);
  const one = flat(doc);
  if (lead + width(one) <= LINE_WIDTH) return `${indent}${head}${one}`;
  if (typeof doc === 'string') {
    const inner = `${indent}    `;
    if (width(inner + one) <= LINE_WIDTH) return `${indent}${head}(\n${inner}${one}\n${indent})`;
    return `${indent}${head}${one}`;
  }
  return `${indent}${head}${layout(doc, indent, lead, 0)}`;
}
