/**
 * The statements that create a scenario's own entities, in plan order: one constructor per
 * instance, a comprehension per list (a loop when a list refers to its own earlier instances), and
 * the session calls. Flushes are placed where a value reads a column of a row not flushed yet, and
 * rows whose NOT NULL foreign key only a later collection sets are added to the session with it.
 */
import type { ModelInfo } from '../../catalog/types.js';
import type { Plan, PlanEntity, PlanValue } from '../../plan/types.js';
import type { ExprContext } from './pyexpr.js';
import { referencedLabels, renderArgument } from './pyexpr.js';

export interface EntityContext {
  readonly models: ReadonlyMap<string, ModelInfo>;
  /** Local name of a mapped class, registering its import. */
  readonly className: (module: string, cls: string) => string;
  readonly labelVar: (label: string) => string;
  readonly ctxFor: (i: 'loop' | number) => ExprContext;
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

function constructor(
  cls: string,
  values: readonly PlanValue[],
  ctx: ExprContext,
  indent: string,
): string[] {
  if (values.length === 0) return [`${indent}${cls}()`];
  return [
    `${indent}${cls}(`,
    ...values.map((v) => {
      const arg = `${indent}    ${v.attribute}=`;
      return `${arg}${renderArgument(v.value, ctx, `${indent}    `, `${v.attribute}=`)},`;
    }),
    `${indent})`,
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
  const values = [...entity.values].sort((a, b) => (a.attribute < b.attribute ? -1 : 1));
  const add = shape.add ? [addStatement(entity, variable)] : [];
  if (entity.count === null) {
    const ctor = constructor(cls, values, ectx.ctxFor(0), '    ');
    return [`    ${variable} = ${ctor[0]!.trimStart()}`, ...ctor.slice(1), ...add];
  }
  const ctx = ectx.ctxFor('loop');
  if (!shape.loop) {
    return [
      `    ${variable} = [`,
      ...constructor(cls, values, ctx, '        '),
      `        for i in range(${entity.count})`,
      '    ]',
      ...add,
    ];
  }
  const lines = [
    `    ${variable}: list[${cls}] = []`,
    `    for i in range(${entity.count}):`,
    `        ${variable}.append(`,
    ...constructor(cls, values, ctx, '            '),
    '        )',
  ];
  if (shape.flushEach) lines.push(`        session.add(${variable}[i])`, '        session.flush()');
  return shape.flushEach ? lines : [...lines, ...add];
}

/**
 * For each own label whose rows a later entity's one-to-many collection completes (it sets their
 * foreign key), the position of the last such entity.
 */
function completers(plan: Plan, models: ReadonlyMap<string, ModelInfo>): Map<string, number> {
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

/** The statements creating `plan.entities`, ending with the final flush. */
export function entityStatements(plan: Plan, ectx: EntityContext): string[] {
  const body: string[] = [];
  const completedBy = completers(plan, ectx.models);
  const later = new Map<number, PlanEntity[]>();
  /** Labels added to the session and not flushed since. */
  const unflushed = new Set<string>();
  const flush = () => {
    body.push('    session.flush()');
    unflushed.clear();
  };
  plan.entities.forEach((entity, k) => {
    const reads = new Set(entity.values.flatMap((v) => [...columnsRead(v)]));
    const refersToSelf = entity.values.some((v) => referencedLabels(v.value).has(entity.label));
    const readsSelf = reads.delete(entity.label);
    if ([...reads].some((l) => unflushed.has(l))) flush();
    const completer = completedBy.get(entity.label);
    const shape: Shape = {
      add: completer === undefined || readsSelf,
      loop: entity.count !== null && refersToSelf,
      flushEach: entity.count !== null && readsSelf,
    };
    body.push(...entityLines(entity, ectx, shape, ectx.labelVar(entity.label)));
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
  if (unflushed.size > 0 || !body.some((line) => line.trim() === 'session.flush()')) flush();
  return body;
}
