import { evalIndex } from '../../plan/index-expr.js';
import type { IndexExpr, PyLiteral, ValueExpr } from '../../plan/types.js';

/**
 * Renders Plan values as Python expressions. `i` is either the loop variable (a list entity) or a
 * known constant (a single entity, i = 0), in which case interpolations fold to literals.
 */
export interface ExprContext {
  readonly i: 'loop' | number;
  /** Stdlib modules the expression needs (`datetime`, `decimal`, `uuid`). */
  readonly imports: Set<string>;
  /** Local name of an enum class, registering its import. */
  readonly enumName: (module: string, cls: string) => string;
  /** Local variable holding a label's value. */
  readonly labelVar: (label: string) => string;
  /** Whether a label holds a list (an entity with `count`). */
  readonly isList: (label: string) => boolean;
}

export function pyString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || (code >= 0x2028 && code <= 0x2029)) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

function pyJson(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : pyFloat(String(value));
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pyString(k)}: ${pyJson(v)}`).join(', ')}}`;
}

/**
 * A JSON value as Python, one item per line where the one-line form would not fit in `width`
 * columns; `lead` columns precede it on its first line, later lines are indented from `indent`.
 */
function pyJsonBlock(value: unknown, indent: string, lead: number, width: number): string {
  const flat = pyJson(value);
  if (lead + flat.length + 1 <= width || value === null || typeof value !== 'object') return flat;
  const inner = `${indent}    `;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v) => ['', v])
    : Object.entries(value as Record<string, unknown>).map(([k, v]) => [`${pyString(k)}: `, v]);
  if (entries.length === 0) return flat;
  const lines = entries.map(
    ([key, v]) => `${inner}${key}${pyJsonBlock(v, inner, inner.length + key.length, width)},`,
  );
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${lines.join('\n')}\n${indent}${close}`;
}

/**
 * `renderValue` for a keyword argument `prefix` (e.g. `settings=`) on a line indented by
 * `indent`: a JSON literal too long for one line of `width` columns is spread over several.
 */
export function renderArgument(
  expr: ValueExpr,
  ctx: ExprContext,
  indent: string,
  prefix: string,
  width = 100,
): string {
  const lit = expr.kind === 'synth' ? expr.expr : expr;
  if (lit.kind === 'literal' && lit.value.kind === 'json') {
    return pyJsonBlock(lit.value.value, indent, indent.length + prefix.length, width);
  }
  const flat = renderValue(expr, ctx);
  // A long tuple of per-instance values (synthesized dates, UUIDs…): one item per line.
  if (
    indent.length + prefix.length + flat.length + 1 > width &&
    ctx.i === 'loop' &&
    lit.kind === 'cycle' &&
    lit.items.length > 1 &&
    !lit.items.some(hasReference)
  ) {
    const items = lit.items.map((item) => `${indent}    ${renderValue(item, ctx)},`);
    return `(\n${items.join('\n')}\n${indent})[i % ${lit.items.length}]`;
  }
  return flat;
}

function pyFloat(text: string): string {
  const n = Number(text);
  if (Number.isNaN(n)) return 'float("nan")';
  if (n === Infinity) return 'float("inf")';
  if (n === -Infinity) return 'float("-inf")';
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

function tzExpr(offsetMinutes: number, ctx: ExprContext): string {
  ctx.imports.add('datetime');
  if (offsetMinutes === 0) return 'datetime.timezone.utc';
  const delta =
    offsetMinutes % 60 === 0 ? `hours=${offsetMinutes / 60}` : `minutes=${offsetMinutes}`;
  return `datetime.timezone(datetime.timedelta(${delta}))`;
}

/** Trailing zero components are dropped: `datetime.time(9, 30)` rather than `(9, 30, 0, 0)`. */
function trimmedParts(parts: readonly number[], keep: number): string {
  const out = [...parts];
  while (out.length > keep && out[out.length - 1] === 0) out.pop();
  return out.join(', ');
}

export function renderLiteral(lit: PyLiteral, ctx: ExprContext): string {
  switch (lit.kind) {
    case 'none':
      return 'None';
    case 'bool':
      return lit.value ? 'True' : 'False';
    case 'int':
      return lit.value;
    case 'float':
      return pyFloat(lit.value);
    case 'decimal':
      ctx.imports.add('decimal');
      return `decimal.Decimal(${pyString(lit.value)})`;
    case 'str':
      return pyString(lit.value);
    case 'bytes':
      return `${pyString(lit.value)}.encode()`;
    case 'date':
      ctx.imports.add('datetime');
      return `datetime.date(${lit.year}, ${lit.month}, ${lit.day})`;
    case 'datetime': {
      ctx.imports.add('datetime');
      const args = trimmedParts(lit.parts, 3);
      const tz = lit.offsetMinutes === null ? '' : `, tzinfo=${tzExpr(lit.offsetMinutes, ctx)}`;
      return `datetime.datetime(${args}${tz})`;
    }
    case 'time':
      ctx.imports.add('datetime');
      return `datetime.time(${trimmedParts(lit.parts, 2)})`;
    case 'interval':
      ctx.imports.add('datetime');
      return `datetime.timedelta(seconds=${lit.seconds})`;
    case 'uuid':
      ctx.imports.add('uuid');
      return `uuid.UUID(${pyString(lit.value)})`;
    case 'enum':
      if (lit.enumModule && lit.enumClass) {
        const name = ctx.enumName(lit.enumModule, lit.enumClass);
        const member = /^[A-Za-z_][A-Za-z0-9_]*$/.test(lit.member)
          ? `${name}.${lit.member}`
          : `${name}[${pyString(lit.member)}]`;
        return lit.asValue ? `${member}.value` : member;
      }
      return pyString(lit.member);
    case 'json':
      return pyJson(lit.value);
    case 'list':
      return `[${lit.items.map((item) => renderLiteral(item, ctx)).join(', ')}]`;
  }
}

function renderIndex(index: IndexExpr, ctx: ExprContext): string {
  if (index.kind === 'const') return String(index.value);
  if (ctx.i !== 'loop') return String(evalIndex(index, ctx.i));
  if (index.kind === 'i') return 'i';
  return index.kind === 'mod' ? `i % ${index.k}` : `i // ${index.k}`;
}

function fStringText(text: string): string {
  return pyString(text).slice(1, -1).replace(/\{/g, '{{').replace(/\}/g, '}}');
}

/** Python conversion applied to an interpolated string, by the column's type family. */
function convertInterpolated(
  text: string,
  expr: Extract<ValueExpr, { kind: 'interpolate' }>,
  ctx: ExprContext,
): string {
  switch (expr.convert) {
    case 'integer':
      return `int(${text})`;
    case 'float':
      return `float(${text})`;
    case 'numeric':
      ctx.imports.add('decimal');
      return `decimal.Decimal(${text})`;
    case 'boolean':
      return `(${text}).lower() in ("true", "1", "yes")`;
    case 'date':
      ctx.imports.add('datetime');
      return `datetime.date.fromisoformat(${text})`;
    case 'datetime':
      ctx.imports.add('datetime');
      return `datetime.datetime.fromisoformat(${text})`;
    case 'time':
      ctx.imports.add('datetime');
      return `datetime.time.fromisoformat(${text})`;
    case 'uuid':
      ctx.imports.add('uuid');
      return `uuid.UUID(${text})`;
    case 'binary':
      return `${text}.encode()`;
    case 'enum':
      if (expr.enumModule && expr.enumClass) {
        const member = `${ctx.enumName(expr.enumModule, expr.enumClass)}[${text}]`;
        return expr.enumAsValue ? `${member}.value` : member;
      }
      return text;
    default:
      return text;
  }
}

export function renderValue(expr: ValueExpr, ctx: ExprContext): string {
  switch (expr.kind) {
    case 'literal':
      return renderLiteral(expr.value, ctx);
    case 'synth':
      return renderValue(expr.expr, ctx);
    case 'interpolate': {
      const i = ctx.i;
      if (i !== 'loop') {
        const text = expr.parts
          .map((p) => (typeof p === 'string' ? p : String(p.var === 'i' ? i : i + 1)))
          .join('');
        return convertInterpolated(pyString(text), expr, ctx);
      }
      // `{n}` alone on an integer column is just `i + 1`: keep the common case readable.
      const only = expr.parts.length === 1 ? expr.parts[0] : undefined;
      if (only !== undefined && typeof only !== 'string' && expr.convert === 'integer') {
        return only.var === 'i' ? 'i' : 'i + 1';
      }
      const body = expr.parts
        .map((p) => (typeof p === 'string' ? fStringText(p) : p.var === 'i' ? '{i}' : '{i + 1}'))
        .join('');
      return convertInterpolated(`f"${body}"`, expr, ctx);
    }
    case 'ref': {
      const name = ctx.labelVar(expr.label);
      // A whole list label set on a collection gets a list of its own, never the label's list.
      if (!expr.index && !expr.attribute && ctx.isList(expr.label)) return `list(${name})`;
      const indexed = expr.index ? `${name}[${renderIndex(expr.index, ctx)}]` : name;
      return expr.attribute ? `${indexed}.${expr.attribute}` : indexed;
    }
    case 'refList':
      return `[${expr.items.map((item) => renderValue(item, ctx)).join(', ')}]`;
    case 'cycle': {
      const i = ctx.i;
      if (i !== 'loop') {
        const item = expr.items[i % expr.items.length];
        return item ? renderValue(item, ctx) : 'None';
      }
      const n = expr.items.length;
      const items = expr.items.map((item) => renderValue(item, ctx));
      // A tuple evaluates every item for every instance: fine for values, not for references,
      // whose index may be out of range (or the instance not created yet) where the item is unused.
      if (n === 1) return items[0]!;
      if (!expr.items.some(hasReference)) return `(${items.join(', ')})[i % ${n}]`;
      const nested = (e: ValueExpr) => e.kind === 'cycle' && e.items.length > 1 && hasReference(e);
      const lazy = items.map((text, k) => (nested(expr.items[k]!) ? `(${text})` : text));
      return [
        ...lazy.slice(0, -1).map((text, k) => `${text} if i % ${n} == ${k} else `),
        lazy.at(-1)!,
      ].join('');
    }
  }
}

function hasReference(expr: ValueExpr): boolean {
  switch (expr.kind) {
    case 'ref':
      return true;
    case 'refList':
    case 'cycle':
      return expr.items.some(hasReference);
    case 'synth':
      return hasReference(expr.expr);
    default:
      return false;
  }
}

/** Labels whose references the expression holds (`attribute` set: columns read after a flush). */
export function referencedLabels(expr: ValueExpr, columnsOnly = false): Set<string> {
  const out = new Set<string>();
  const walk = (e: ValueExpr): void => {
    if (e.kind === 'ref') {
      if (!columnsOnly || e.attribute !== null) out.add(e.label);
    } else if (e.kind === 'refList' || e.kind === 'cycle') e.items.forEach(walk);
    else if (e.kind === 'synth') walk(e.expr);
  };
  walk(expr);
  return out;
}
