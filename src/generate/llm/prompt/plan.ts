import { stringify as yamlStringify } from 'yaml';
import type { IndexExpr, Plan, PlanValue, ValueExpr } from '../../../plan/types.js';
import { moduleVariants } from '../../../plan/module-variants.js';
import { describeVariants } from './variants.js';
import type { CodeMode } from './mode.js';
import { foldValue } from '../../../plan/values.js';
import { renderValue } from '../../builtin/pyexpr.js';
import type { ExprContext } from '../../builtin/pyexpr.js';
import type { PromptContext, ValueRenderer } from './types.js';

/** The scenario document from its canonical JSON (keys sorted), without the description. */
export function scenarioYaml(plan: Plan): string {
  let doc: unknown;
  try {
    doc = JSON.parse(plan.canonical);
  } catch {
    return '# (not available)';
  }
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    const { description: _description, ...rest } = doc as Record<string, unknown>;
    void _description;
    doc = rest;
  }
  const text = yamlStringify(doc, { lineWidth: 0 }).trimEnd();
  return text === '{}' ? '# (no keys besides the description)' : text;
}

// The plan in words: labels, counts, values as Python expressions, references.

interface Described {
  readonly labels: string[];
  /** One entry per variant the module must provide: its changes from the base (see variants.ts). */
  readonly variants: string[];
  readonly imports: string[];
}

export function valueRenderer(plan: Plan): ValueRenderer {
  const lists = new Set<string>([
    ...plan.inherited.filter((x) => x.count !== null).map((x) => x.label),
    ...plan.entities.filter((e) => e.count !== null).map((e) => e.label),
  ]);
  const std = new Set<string>();
  const enums = new Map<string, Set<string>>();
  const exprCtx = (i: 'loop' | number): ExprContext => ({
    i,
    imports: std,
    enumName: (module, cls) => {
      const set = enums.get(module) ?? new Set<string>();
      set.add(cls);
      enums.set(module, set);
      return cls;
    },
    labelVar: (label) => label,
    isList: (label) => lists.has(label),
  });
  const expr = (v: PlanValue, count: number | null) =>
    renderValue(v.value, exprCtx(count === null ? 0 : 'loop'));
  return {
    expr,
    line: (v, count) => `${v.attribute} = ${expr(v, count)}${valueNote(v, lists)}`,
    imports: () => {
      const out: string[] = [];
      for (const m of [...std].sort()) out.push(`\`import ${m}\``);
      for (const [module, classes] of [...enums.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        out.push(`\`from ${module} import ${[...classes].sort().join(', ')}\``);
      }
      return out;
    },
  };
}

export function describePlan(plan: Plan, ctx: PromptContext): Described {
  const render = valueRenderer(plan);
  const labels: string[] = [];
  for (const x of plan.inherited) {
    const via = plan.extends.find(
      (p) =>
        (ctx.plans.get(p)?.inherited ?? []).some((y) => y.label === x.label) ||
        (ctx.plans.get(p)?.entities ?? []).some((e) => e.label === x.label),
    );
    labels.push(
      `- \`${x.label}\`: ${amount(x.count, x.className)} (${x.model}), inherited: take it from the \`${via ?? x.scenario}\` parent's dataclass (\`${via ?? x.scenario}.${x.label}\`); create nothing for it`,
    );
  }
  for (const entity of plan.entities) {
    const head =
      entity.count === null
        ? `- \`${entity.label}\`: one ${entity.className} (${entity.model})`
        : `- \`${entity.label}\`: a list of exactly ${entity.count} ${entity.className} (${entity.model}), i = 0..${entity.count - 1}`;
    const values = [...entity.values].sort((a, b) => (a.attribute < b.attribute ? -1 : 1));
    const lines = values.map((v) => `    ${render.line(v, entity.count)}`);
    labels.push(
      lines.length > 0
        ? `${head}, with:\n${lines.join('\n')}`
        : `${head}, with no values (every column is left to its default)`,
    );
  }
  const variants = describeVariants(plan, render);
  return { labels, variants, imports: render.imports() };
}

function amount(count: number | null, cls: string): string {
  return count === null ? `one ${cls}` : `a list of ${count} ${cls}`;
}

function valueNote(v: PlanValue, lists: ReadonlySet<string>): string {
  const notes: string[] = [];
  if (v.origin === 'autolink') {
    notes.push('not written in the scenario: a NOT NULL foreign key linked to the only candidate');
  } else if (v.origin === 'synth') {
    notes.push(
      'not written in the scenario: NOT NULL without a default, so fixturegen chose this value',
    );
  }
  if (v.collection) notes.push('a collection: assign a list (or append each member)');
  const refs = describeRefs(v.value, lists);
  if (refs) notes.push(refs);
  return notes.length > 0 ? `  # ${notes.join('; ')}` : '';
}

/** A reference that reads a column of another instance needs that instance flushed first. */
function describeRefs(expr: ValueExpr, lists: ReadonlySet<string>): string | null {
  return foldValue<string | null>(expr, {
    ref: (r) => {
      if (r.attribute !== null) {
        return `the ${r.attribute} of ${refText(r.label, r.index)}: flush it before reading it`;
      }
      if (r.index === null && lists.has(r.label)) return `every item of ${r.label}`;
      return null;
    },
    synth: (s) => describeRefs(s.expr, lists),
    // Lists and cycles of references are described by the attribute's type, not item by item.
    literal: () => null,
    interpolate: () => null,
    refList: () => null,
    cycle: () => null,
  });
}

function refText(label: string, index: IndexExpr | null): string {
  if (index === null) return label;
  switch (index.kind) {
    case 'const':
      return `${label}[${index.value}]`;
    case 'i':
      return `${label}[i]`;
    case 'mod':
      return `${label}[i % ${index.k}]`;
    case 'div':
      return `${label}[i // ${index.k}]`;
  }
}

export function countLines(plan: Plan): string[] {
  const entries = Object.entries(plan.expectCounts).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  if (entries.length === 0) return ['(none declared)'];
  return entries.map(([model, n]) => `${model}: exactly ${n}`);
}

/**
 * The module's names and signatures, exactly: the dataclass, the create function with its call
 * check and variant dispatch, each variant's create function, the fixtures and the factory. The
 * model copies them and writes the bodies where `...` stands.
 */
export function signatures(
  plan: Plan,
  ctx: PromptContext,
  parents: readonly { name: string; cls: string }[],
  mode: CodeMode,
  bulk: boolean,
): string {
  const variants = moduleVariants(plan);
  const fields = [
    ...plan.inherited.map((x) => ({ label: x.label, cls: x.className, count: x.count })),
    ...plan.entities.map((e) => ({ label: e.label, cls: e.className, count: e.count })),
  ];
  const runtime = ['apply_overrides', 'check_scenario_call'];
  if (bulk) runtime.push('insert_rows');
  if (parents.length > 0) runtime.push('parent_overrides');
  runtime.push('scenario_factory');
  const lines = [
    `from ${ctx.packageName} import ${runtime.join(', ')}`,
    '',
    '',
    '@dataclasses.dataclass(frozen=True)',
    `class ${plan.className}:`,
  ];
  if (fields.length === 0) lines.push('    pass  # the scenario declares no labels');
  for (const f of fields)
    lines.push(`    ${f.label}: ${f.count === null ? f.cls : `list[${f.cls}]`}`);
  const parentParams = parents.map((p) => `${p.name}: ${p.cls} | None = None`);
  const parentArgs = parents.map((p) => `${p.name}=${p.name}`);
  const createParams = [
    'session',
    ...parentParams,
    'variant: str | None = None',
    'overrides: dict | None = None',
  ];
  const removed = variants.map((v) => `"${v.name}": ${pyTuple(v.removed)}`);
  lines.push(
    '',
    '',
    `${mode.def} create_${plan.name}(${createParams.join(', ')}) -> ${plan.className}:`,
    `    check_scenario_call(${plan.className}, "${plan.name}", variant, {${removed.join(', ')}}, overrides)`,
  );
  for (const v of variants) {
    lines.push(
      `    if variant == "${v.name}":`,
      `        return ${mode.await}create_${plan.name}__${v.name}(${['session', ...parentArgs, 'overrides=overrides'].join(', ')})`,
    );
  }
  lines.push('    ...  # the base rows (see "What the module must create")');
  for (const v of variants) {
    lines.push(
      '',
      '',
      `${mode.def} create_${plan.name}__${v.name}(${['session', ...parentParams, 'overrides: dict | None = None'].join(', ')}) -> ${plan.className}:`,
      `    ...  # the rows of variant \`${v.name}\``,
    );
  }
  const fixtureParams = [ctx.sessionFixture, ...parents.map((p) => p.name)].join(', ');
  const call = [ctx.sessionFixture, ...parentArgs];
  const fixture = (name: string, args: readonly string[]) => [
    '',
    '',
    mode.fixture,
    `${mode.def} ${name}(${fixtureParams}) -> ${plan.className}:`,
    `    return ${mode.await}create_${plan.name}(${args.join(', ')})`,
  ];
  lines.push(...fixture(plan.name, call));
  for (const v of variants)
    lines.push(...fixture(`${plan.name}__${v.name}`, [...call, `variant="${v.name}"`]));
  lines.push(
    '',
    '',
    mode.fixture,
    `${mode.def} make_${plan.name}(${ctx.sessionFixture}):`,
    `    return scenario_factory(create_${plan.name}, ${ctx.sessionFixture})`,
  );
  return lines.join('\n');
}

function pyTuple(items: readonly string[]): string {
  const quoted = items.map((x) => `"${x}"`);
  return quoted.length === 1 ? `(${quoted[0]},)` : `(${quoted.join(', ')})`;
}
