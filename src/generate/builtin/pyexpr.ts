import { evalIndex } from '../../plan/index-expr.js';
import type { IndexExpr, PyLiteral, ValueExpr } from '../../plan/types.js';
import { referencedLabels } from '../../plan/values.js';
import type { Doc } from './layout.js';
import { call, cond, dict, flat, layout, list, seq, statement, tuple, width } from './layout.js';
import { pyBytes, pyFString, pyFloat, pyNumber, pyString } from './pystr.js';

export { pyString } from './pystr.js';

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

function tzExpr(offsetMinutes: number, ctx: ExprContext): Doc {
  ctx.imports.add('datetime');
  // Not `timezone.utc` (ruff's UP017 wants `datetime.UTC` from Python 3.11) nor `datetime.UTC`
  // (absent before 3.11): this is the same object on every version.
  if (offsetMinutes === 0) return call('datetime.timezone', [call('datetime.timedelta', ['0'])]);
  const delta =
    offsetMinutes % 60 === 0 ? `hours=${offsetMinutes / 60}` : `minutes=${offsetMinutes}`;
  return call('datetime.timezone', [call('datetime.timedelta', [delta])]);
}

/** Trailing zero components are dropped: `datetime.time(9, 30)` rather than `(9, 30, 0, 0)`. */
function trimmedParts(parts: readonly number[], keep: number): string[] {
  const out = [...parts];
  while (out.length > keep && out[out.length - 1] === 0) out.pop();
  return out.map(String);
}

function jsonDoc(value: unknown): Doc {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : pyFloat(String(value));
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return list(value.map(jsonDoc));
  const entries = Object.entries(value as Record<string, unknown>);
  return dict(entries.map(([k, v]) => seq(`${pyString(k)}: `, jsonDoc(v))));
}

/** A PyLiteral as a layout document (see layout.ts). */
export function literalDoc(lit: PyLiteral, ctx: ExprContext): Doc {
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
      // A whole number as an int: ruff's FURB157 flags `Decimal("5")`.
      return call('decimal.Decimal', [
        /^[+-]?\d+$/.test(lit.value) ? BigInt(lit.value).toString() : pyString(lit.value),
      ]);
    case 'str':
      return pyString(lit.value);
    case 'bytes':
      return pyBytes(lit.value);
    case 'date':
      ctx.imports.add('datetime');
      return call('datetime.date', [String(lit.year), String(lit.month), String(lit.day)]);
    case 'datetime': {
      ctx.imports.add('datetime');
      const args: Doc[] = trimmedParts(lit.parts, 3);
      if (lit.offsetMinutes !== null) args.push(seq('tzinfo=', tzExpr(lit.offsetMinutes, ctx)));
      return call('datetime.datetime', args);
    }
    case 'time':
      ctx.imports.add('datetime');
      return call('datetime.time', trimmedParts(lit.parts, 2));
    case 'interval':
      ctx.imports.add('datetime');
      return call('datetime.timedelta', [`seconds=${pyNumber(lit.seconds)}`]);
    case 'uuid':
      ctx.imports.add('uuid');
      return call('uuid.UUID', [pyString(lit.value)]);
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
      return jsonDoc(lit.value);
    case 'list':
      return list(lit.items.map((item) => literalDoc(item, ctx)));
  }
}

export function renderLiteral(lit: PyLiteral, ctx: ExprContext): string {
  return flat(literalDoc(lit, ctx));
}

function renderIndex(index: IndexExpr, ctx: ExprContext): string {
  if (index.kind === 'const') return String(index.value);
  if (ctx.i !== 'loop') return String(evalIndex(index, ctx.i));
  if (index.kind === 'i') return 'i';
  return index.kind === 'mod' ? `i % ${index.k}` : `i // ${index.k}`;
}

/** Python conversion applied to an interpolated string, by the column's type family. */
function convertInterpolated(
  text: string,
  expr: Extract<ValueExpr, { kind: 'interpolate' }>,
  ctx: ExprContext,
): Doc {
  switch (expr.convert) {
    case 'integer':
      return call('int', [text]);
    case 'float':
      return call('float', [text]);
    case 'numeric':
      ctx.imports.add('decimal');
      return call('decimal.Decimal', [text]);
    case 'boolean':
      return seq(`(${text}).lower() in `, tuple(['"true"', '"1"', '"yes"']));
    case 'date':
      ctx.imports.add('datetime');
      return call('datetime.date.fromisoformat', [text]);
    case 'datetime':
      ctx.imports.add('datetime');
      return call('datetime.datetime.fromisoformat', [text]);
    case 'time':
      ctx.imports.add('datetime');
      return call('datetime.time.fromisoformat', [text]);
    case 'uuid':
      ctx.imports.add('uuid');
      return call('uuid.UUID', [text]);
    case 'binary':
      return `${text}.encode()`;
    case 'enum':
      if (expr.enumModule && expr.enumClass) {
        const member = `${ctx.enumName(expr.enumModule, expr.enumClass)}[${text}]`;
        return expr.enumAsValue ? `${member}.value` : member;
      }
      return text;
    // Text stays text; interval, JSON, array and unknown types take the string as written.
    case 'string':
    case 'interval':
    case 'json':
    case 'array':
    case 'other':
      return text;
  }
}

/** A plan value as a layout document (see layout.ts). */
export function valueDoc(expr: ValueExpr, ctx: ExprContext): Doc {
  switch (expr.kind) {
    case 'literal':
      return literalDoc(expr.value, ctx);
    case 'synth':
      return valueDoc(expr.expr, ctx);
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
      const parts = expr.parts.map((p) =>
        typeof p === 'string' ? { text: p } : { expr: p.var === 'i' ? 'i' : 'i + 1' },
      );
      return convertInterpolated(pyFString(parts), expr, ctx);
    }
    case 'ref': {
      const name = ctx.labelVar(expr.label);
      // A whole list label set on a collection gets a list of its own, never the label's list.
      if (!expr.index && !expr.attribute && ctx.isList(expr.label)) return call('list', [name]);
      const indexed = expr.index ? `${name}[${renderIndex(expr.index, ctx)}]` : name;
      return expr.attribute ? `${indexed}.${expr.attribute}` : indexed;
    }
    case 'refList':
      return list(expr.items.map((item) => valueDoc(item, ctx)));
    case 'cycle': {
      const i = ctx.i;
      if (i !== 'loop') {
        const item = expr.items[i % expr.items.length];
        return item ? valueDoc(item, ctx) : 'None';
      }
      const n = expr.items.length;
      const items = expr.items.map((item) => valueDoc(item, ctx));
      // A tuple evaluates every item for every instance: fine for values, not for references,
      // whose index may be out of range (or the instance not created yet) where the item is unused.
      if (n === 1) return items[0]!;
      if (!expr.items.some(hasReference)) return seq(tuple(items), `[i % ${n}]`);
      let out = items[n - 1]!;
      for (let k = n - 2; k >= 0; k--) out = cond(items[k]!, `i % ${n} == ${k}`, out);
      return out;
    }
  }
}

/** A plan value as one line of Python. */
export function renderValue(expr: ValueExpr, ctx: ExprContext): string {
  return flat(valueDoc(expr, ctx));
}

/**
 * A value after `prefix` (e.g. `settings=`) on a line indented by `indent`, followed by a comma:
 * spread over several lines where it would not fit in one (layout.ts).
 */
export function renderArgument(
  expr: ValueExpr,
  ctx: ExprContext,
  indent: string,
  prefix: string,
): string {
  return layout(valueDoc(expr, ctx), indent, width(indent + prefix), 1);
}

/** The statement `<target> = <value>` on a line indented by `indent` (layout.ts). */
export function renderAssignment(
  expr: ValueExpr,
  ctx: ExprContext,
  indent: string,
  target: string,
): string {
  return statement(indent, `${target} = `, valueDoc(expr, ctx));
}

function hasReference(expr: ValueExpr): boolean {
  return referencedLabels(expr).size > 0;
}
