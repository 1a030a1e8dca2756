/**
 * The statements that create a scenario's own entities, in plan order: one constructor per
 * instance, a comprehension per list (a loop when a list refers to its own earlier instances, or
 * when values go to dataclass fields the constructor does not take), and the session calls. Flushes are placed where a value reads a column of a row not flushed yet, and
 * rows whose NOT NULL foreign key only a later collection sets are added to the session with it.
 */
import type { ModelInfo } from '../../catalog/types.js';
import type { Plan, PlanEntity, PlanValue, ValueExpr } from '../../plan/types.js';
import type { ExprContext } from './pyexpr.js';
import { foldValue, referencedLabels } from '../../plan/values.js';
import { pyString, renderArgument, renderAssignment } from './pyexpr.js';
import { bulkLines, bulkValues } from './bulk.js';

export interface EntityContext {
  readonly models: ReadonlyMap<string, ModelInfo>;
  /** Local name of a mapped class, registering its import. */
  readonly className: (module: string, cls: string) => string;
  readonly labelVar: (label: string) => string;
  readonly ctxFor: (i: 'loop' | number) => ExprContext;
  /**
   * Statements after a label's rows are built (the per-call overrides); none by default. Not for
   * rows inserted in bulk: `insert_rows` applies their overrides (bulk.ts).
   */
  readonly after?: (entity: PlanEntity) => string[];
  /** Async output: every flush is awaited. */
  readonly async?: boolean;
  /** Local name of the package's `insert_rows`, registering its import (bulk.ts). */
  readonly insertRows?: () => string;
}

interface Shape {
  /** Added to the session right after it is built (otherwise by its completing entity). */
  readonly add: boolean;
  /** Refers to its own earlier instances: built by a loop, not a comprehension. */
  readonly loop: boolean;
  /** Reads columns of its own earlier instances: each instance is flushed as it is built. */
  readonly flushEach: boolean;
}

const columnsRead = (v: PlanValue) => referencedLabels(v.value, true);

/** The instances a foreign-key value reads a column of (null: it is not only references). */
function instanceOf(expr: ValueExpr): ValueExpr | null {
  return foldValue<ValueExpr | null>(expr, {
    ref: (r) => ({ ...r, attribute: null }),
    literal: (l) => (l.value.kind === 'none' ? l : null),
    cycle: (c) => {
      const items = c.items.map(instanceOf);
      return items.every((x) => x !== null) ? { kind: 'cycle', items } : null;
    },
    interpolate: () => null,
    refList: () => null,
    synth: () => null,
  });
}

/**
 * The values as the constructor gets them, sorted by attribute. For a class mapped as a
 * dataclass, `__init__` sets every init field, a many-to-one relationship to its default None
 * too, and at flush that None wins over a foreign-key column set beside it: such a column's value
 * goes to the relationship as the instance instead (`owner=bob` for `owner_id: "@bob"`).
 */
function effectiveValues(entity: PlanEntity, model: ModelInfo | undefined): PlanValue[] {
  const values = [...entity.values].sort((a, b) => (a.attribute < b.attribute ? -1 : 1));
  const fields = model?.dataclassFields;
  if (fields === undefined) return values;
  const init = new Map(fields.map((f) => [f.key, f.init]));
  const written = new Set(values.map((v) => v.attribute));
  return values
    .map((v) => {
      if (init.get(v.attribute) !== false) return v;
      const rel = model?.relationships.find(
        (r) =>
          r.direction === 'MANYTOONE' &&
          r.localColumns.length === 1 &&
          r.localColumns[0] === v.attribute &&
          init.get(r.key) === true &&
          !written.has(r.key),
      );
      const value = rel ? instanceOf(v.value) : null;
      return rel && value ? { ...v, attribute: rel.key, value } : v;
    })
    .sort((a, b) => (a.attribute < b.attribute ? -1 : 1));
}

/** One keyword argument of a constructor call. */
interface Argument {
  readonly key: string;
  /** The value, laid out after `prefix` (by default `<key>=`) on a line indented by `indent`. */
  readonly render: (ctx: ExprContext, indent: string, prefix?: string) => string;
}

/**
 * The constructor's keyword arguments, and the values set after construction. A class mapped as
 * a dataclass takes only its `init` fields, and needs every required one: what the plan leaves
 * to the database or NULL is passed as None (an empty list for a collection).
 */
function argumentsOf(
  values: readonly PlanValue[],
  model: ModelInfo | undefined,
): { args: Argument[]; after: PlanValue[] } {
  const valueArg = (v: PlanValue): Argument => ({
    key: v.attribute,
    render: (ctx, indent, prefix = `${v.attribute}=`) =>
      renderArgument(v.value, ctx, indent, prefix),
  });
  const fields = model?.dataclassFields;
  if (fields === undefined) return { args: values.map(valueArg), after: [] };
  const init = new Map(fields.map((f) => [f.key, f.init]));
  const args = values.filter((v) => init.get(v.attribute) !== false).map(valueArg);
  for (const f of fields) {
    if (!f.required || values.some((v) => v.attribute === f.key)) continue;
    const many = model?.relationships.some((r) => r.key === f.key && r.uselist) ?? false;
    args.push({ key: f.key, render: () => (many ? '[]' : 'None') });
  }
  args.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { args, after: values.filter((v) => init.get(v.attribute) === false) };
}

function constructor(
  cls: string,
  args: readonly Argument[],
  ctx: ExprContext,
  indent: string,
): string[] {
  if (args.length === 0) return [`${indent}${cls}()`];
  return [
    `${indent}${cls}(`,
    ...args.map((a) => `${indent}    ${a.key}=${a.render(ctx, `${indent}    `)},`),
    `${indent})`,
  ];
}

/** A row inserted in bulk: the constructor's keyword arguments as a dict display (bulk.ts). */
function rowDict(args: readonly Argument[], ctx: ExprContext, indent: string): string[] {
  if (args.length === 0) return [`${indent}{}`];
  return [
    `${indent}{`,
    ...args.map((a) => {
      const key = `${pyString(a.key)}: `;
      return `${indent}    ${key}${a.render(ctx, `${indent}    `, key)},`;
    }),
    `${indent}}`,
  ];
}

function addStatement(entity: PlanEntity, variable: string): string {
  return entity.count === null
    ? `    session.add(${variable})`
    : `    session.add_all(${variable})`;
}

function entityLines(
  entity: PlanEntity,
  ectx: EntityContext,
  shape: Shape,
  variable: string,
): string[] {
  const cls = ectx.className(entity.module, entity.className);
  const model = ectx.models.get(entity.model);
  const { args, after } = argumentsOf(effectiveValues(entity, model), model);
  const add = shape.add ? [addStatement(entity, variable)] : [];
  const assign = (target: string, ctx: ExprContext, indent: string) =>
    after.map((v) => renderAssignment(v.value, ctx, indent, `${target}.${v.attribute}`));
  if (entity.count === null) {
    const ctx = ectx.ctxFor(0);
    const ctor = constructor(cls, args, ctx, '    ');
    return [
      `    ${variable} = ${ctor[0]!.trimStart()}`,
      ...ctor.slice(1),
      ...assign(variable, ctx, '    '),
      ...add,
    ];
  }
  const ctx = ectx.ctxFor('loop');
  if (!shape.loop && after.length === 0) {
    return [
      `    ${variable} = [`,
      ...constructor(cls, args, ctx, '        '),
      `        for i in range(${entity.count})`,
      '    ]',
      ...add,
    ];
  }
  const lines = [
    `    ${variable}: list[${cls}] = []`,
    `    for i in range(${entity.count}):`,
    `        ${variable}.append(`,
    ...constructor(cls, args, ctx, '            '),
    '        )',
    ...assign(`${variable}[i]`, ctx, '        '),
  ];
  if (shape.flushEach) {
    lines.push(
      `        session.add(${variable}[i])`,
      `        ${ectx.async ? 'await ' : ''}session.flush()`,
    );
  }
  return shape.flushEach ? lines : [...lines, ...add];
}

/**
 * For each own label whose rows a later entity's one-to-many collection completes (it sets their
 * foreign key), the position of the last such entity.
 */
function completers(
  plan: Pick<Plan, 'entities'>,
  models: ReadonlyMap<string, ModelInfo>,
): Map<string, number> {
  const position = new Map(plan.entities.map((e, k) => [e.label, k]));
  const out = new Map<string, number>();
  plan.entities.forEach((e, k) => {
    const model = models.get(e.model);
    for (const v of e.values) {
      const rel = model?.relationships.find((r) => r.key === v.attribute);
      if (rel?.direction !== 'ONETOMANY') continue;
      for (const label of referencedLabels(v.value)) {
        const at = position.get(label);
        if (at !== undefined && at < k) out.set(label, Math.max(out.get(label) ?? -1, k));
      }
    }
  });
  return out;
}

/**
 * An entity inserted in bulk (bulk.ts): its statement and the labels whose columns it reads, or
 * null when the unit of work creates it.
 */
function bulkStatement(
  entity: PlanEntity,
  ectx: EntityContext,
  completed: boolean,
): { lines: string[]; reads: Set<string> } | null {
  const decided = ectx.insertRows ? bulkDecision(entity, ectx.models, completed) : null;
  if (decided === null) return null;
  const cls = ectx.className(entity.module, entity.className);
  const ctx = ectx.ctxFor('loop');
  const lines = bulkLines(
    entity,
    ectx.insertRows!(),
    cls,
    ectx.labelVar(entity.label),
    pyString(entity.label),
    (indent) => rowDict(decided.args, ctx, indent),
    ectx.async === true,
  );
  return { lines, reads: new Set(decided.values.flatMap((v) => [...columnsRead(v)])) };
}

/** The values and constructor arguments of an entity inserted in bulk, or null. */
function bulkDecision(
  entity: PlanEntity,
  models: ReadonlyMap<string, ModelInfo>,
  completed: boolean,
): { values: PlanValue[]; args: Argument[] } | null {
  const model = models.get(entity.model);
  const values = completed ? null : bulkValues(entity, model, models);
  if (values === null) return null;
  if (values.some((v) => referencedLabels(v.value).has(entity.label))) return null;
  const { args, after } = argumentsOf(values, model);
  return after.length > 0 ? null : { values, args };
}

/** Whether the builtin generator inserts some entity of the plan or a variant in bulk (bulk.ts). */
export function usesBulk(plan: Plan, models: ReadonlyMap<string, ModelInfo>): boolean {
  return [plan, ...(plan.variants ?? [])].some((p) => bulkLabels(p, models).length > 0);
}

/** The labels of `plan.entities` the builtin generator inserts in bulk (bulk.ts), in order. */
export function bulkLabels(
  plan: Pick<Plan, 'entities'>,
  models: ReadonlyMap<string, ModelInfo>,
): string[] {
  const completedBy = completers(plan, models);
  return plan.entities
    .filter((e) => bulkDecision(e, models, completedBy.has(e.label)) !== null)
    .map((e) => e.label);
}

/** The statements creating `plan.entities`, ending with the final flush. */
export function entityStatements(plan: Pick<Plan, 'entities'>, ectx: EntityContext): string[] {
  const body: string[] = [];
  const completedBy = completers(plan, ectx.models);
  const later = new Map<number, PlanEntity[]>();
  /** Labels added to the session and not flushed since. */
  const unflushed = new Set<string>();
  const flushCall = `${ectx.async ? 'await ' : ''}session.flush()`;
  const flush = () => {
    body.push(`    ${flushCall}`);
    unflushed.clear();
  };
  plan.entities.forEach((entity, k) => {
    const bulk = bulkStatement(entity, ectx, completedBy.has(entity.label));
    if (bulk !== null) {
      if ([...bulk.reads].some((l) => unflushed.has(l))) flush();
      body.push(...bulk.lines);
      return;
    }
    const values = effectiveValues(entity, ectx.models.get(entity.model));
    const reads = new Set(values.flatMap((v) => [...columnsRead(v)]));
    const refersToSelf = values.some((v) => referencedLabels(v.value).has(entity.label));
    const readsSelf = reads.delete(entity.label);
    if ([...reads].some((l) => unflushed.has(l))) flush();
    const completer = completedBy.get(entity.label);
    const shape: Shape = {
      add: completer === undefined || readsSelf,
      loop: entity.count !== null && refersToSelf,
      flushEach: entity.count !== null && readsSelf,
    };
    body.push(...entityLines(entity, ectx, shape, ectx.labelVar(entity.label)));
    body.push(...(ectx.after?.(entity) ?? []));
    if (shape.flushEach) unflushed.clear();
    else if (shape.add) unflushed.add(entity.label);
    else later.set(completer!, [...(later.get(completer!) ?? []), entity]);
    for (const child of later.get(k) ?? []) {
      body.push(addStatement(child, ectx.labelVar(child.label)));
      unflushed.add(child.label);
    }
  });
  // Every row is flushed before the function returns (a loop that flushed each instance last
  // leaves nothing to flush).
  if (unflushed.size > 0 || !body.some((line) => line.trim() === flushCall)) flush();
  return body;
}
