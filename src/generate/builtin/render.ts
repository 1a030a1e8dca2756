import { join } from 'node:path';
import type { Catalog, ModelInfo } from '../../catalog/types.js';
import type { Plan, PlanEntity, PlanValue } from '../../plan/types.js';
import { TEMPLATES_DIR, template } from '../templates.js';
import type { ExprContext } from './pyexpr.js';
import { pyString, readsFlushedColumn, renderValue } from './pyexpr.js';

const BUILTIN_DIR = join(TEMPLATES_DIR, 'builtin');

/** Names a label's local variable must not take: the function's own names and Python's. */
const RESERVED = new Set([
  'session',
  'i',
  'pytest',
  'dataclasses',
  'datetime',
  'decimal',
  'uuid',
  'list',
  'range',
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);

export function docstring(text: string, indent: string): string {
  const escaped = text.trim().replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');
  const lines = escaped.split('\n').map((l) => l.trimEnd());
  if (lines.length === 1) return `"""${lines[0]}${lines[0]?.endsWith('"') ? ' ' : ''}"""`;
  return `"""${lines.map((l, n) => (n === 0 || l === '' ? l : indent + l)).join('\n')}\n${indent}"""`;
}

/** Import bookkeeping: one local name per (module, class), aliased when two modules clash. */
class Imports {
  private readonly byQualname = new Map<string, { module: string; cls: string; local: string }>();
  readonly std = new Set<string>();

  name(module: string, cls: string): string {
    const key = `${module}.${cls}`;
    const found = this.byQualname.get(key);
    if (found) return found.local;
    const clash = [...this.byQualname.values()].some((v) => v.cls === cls && v.module !== module);
    const local = clash ? `${module.replace(/\./g, '_')}_${cls}` : cls;
    this.byQualname.set(key, { module, cls, local });
    return local;
  }

  fromImports(): { module: string; names: string }[] {
    const groups = new Map<string, string[]>();
    for (const { module, cls, local } of this.byQualname.values()) {
      const list = groups.get(module) ?? [];
      list.push(local === cls ? cls : `${cls} as ${local}`);
      groups.set(module, list);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([module, names]) => ({ module, names: names.sort().join(', ') }));
  }
}

function entityLines(
  entity: PlanEntity,
  model: ModelInfo | undefined,
  ctxFor: (i: 'loop' | number) => ExprContext,
  cls: string,
  variable: string,
): string[] {
  const values = [...entity.values].sort((a, b) => (a.attribute < b.attribute ? -1 : 1));
  void model;
  const kw = (v: PlanValue, ctx: ExprContext) => `${v.attribute}=${renderValue(v.value, ctx)},`;
  if (entity.count === null) {
    const ctx = ctxFor(0);
    if (values.length === 0) return [`    ${variable} = ${cls}()`, `    session.add(${variable})`];
    return [
      `    ${variable} = ${cls}(`,
      ...values.map((v) => `        ${kw(v, ctx)}`),
      '    )',
      `    session.add(${variable})`,
    ];
  }
  const ctx = ctxFor('loop');
  const ctor =
    values.length === 0
      ? [`        ${cls}()`]
      : [`        ${cls}(`, ...values.map((v) => `            ${kw(v, ctx)}`), '        )'];
  return [
    `    ${variable} = [`,
    ...ctor,
    `        for i in range(${entity.count})`,
    '    ]',
    `    session.add_all(${variable})`,
  ];
}

export interface RenderOptions {
  readonly catalog: Catalog;
  readonly packageName: string;
  readonly sessionFixture: string;
  readonly plans: ReadonlyMap<string, Plan>;
}

export function className(name: string): string {
  return name
    .split('_')
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

/** The body of `<output>/<name>.py` (everything after the header). */
export function renderScenarioModule(plan: Plan, options: RenderOptions): string {
  const imports = new Imports();
  const models = new Map(options.catalog.models.map((m) => [m.qualname, m]));
  const vars = new Map<string, string>();
  const lists = new Set<string>();
  const fields: { name: string; type: string }[] = [];

  const bind = (label: string, module: string, cls: string, count: number | null) => {
    vars.set(label, RESERVED.has(label) ? `${label}_` : label);
    if (count !== null) lists.add(label);
    const local = imports.name(module, cls);
    fields.push({ name: label, type: count === null ? local : `list[${local}]` });
  };

  const body: string[] = [];
  for (const parent of plan.extends) {
    const parentPlan = options.plans.get(parent);
    const parentClass = parentPlan?.className ?? className(parent);
    body.push(`    if ${parent} is None:`, `        ${parent} = create_${parent}(session)`);
    imports.name(`${options.packageName}.${parent}`, parentClass);
    imports.name(`${options.packageName}.${parent}`, `create_${parent}`);
  }
  for (const inherited of plan.inherited) {
    bind(inherited.label, inherited.module, inherited.className, inherited.count);
  }
  // Labels reached through an extended scenario's dataclass: the nearest parent that carries them.
  for (const inherited of plan.inherited) {
    const via = plan.extends.find(
      (p) =>
        (options.plans.get(p)?.inherited ?? []).some((x) => x.label === inherited.label) ||
        (options.plans.get(p)?.entities ?? []).some((e) => e.label === inherited.label),
    );
    body.push(`    ${vars.get(inherited.label)} = ${via ?? inherited.scenario}.${inherited.label}`);
  }
  for (const entity of plan.entities)
    bind(entity.label, entity.module, entity.className, entity.count);

  const ctxFor = (i: 'loop' | number): ExprContext => ({
    i,
    imports: imports.std,
    enumName: (module, cls) => imports.name(module, cls),
    labelVar: (label) => vars.get(label) ?? label,
    isList: (label) => lists.has(label),
  });

  let unflushed = false;
  for (const entity of plan.entities) {
    if (unflushed && entity.values.some((v) => readsFlushedColumn(v.value))) {
      body.push('    session.flush()');
      unflushed = false;
    }
    const cls = imports.name(entity.module, entity.className);
    body.push(
      ...entityLines(entity, models.get(entity.model), ctxFor, cls, vars.get(entity.label)!),
    );
    unflushed = true;
  }
  body.push('    session.flush()');
  const labels = [...plan.inherited.map((x) => x.label), ...plan.entities.map((e) => e.label)];
  body.push(`    return ${plan.className}(`);
  for (const label of labels) body.push(`        ${label}=${vars.get(label)},`);
  body.push('    )');

  const extendsParams = plan.extends.map((p) => {
    const cls = options.plans.get(p)?.className ?? className(p);
    return `${p}: ${imports.name(`${options.packageName}.${p}`, cls)} | None = None`;
  });
  const fixtureArgs = plan.extends.map((p) => `${p}=${p}`);
  const doc = plan.description ?? `Creates the rows of the \`${plan.name}\` scenario.`;
  return template(
    BUILTIN_DIR,
    'scenario.py.hbs',
  )({
    name: plan.name,
    className: plan.className,
    source: plan.source,
    stdImports: [...imports.std].sort(),
    fromImports: imports.fromImports(),
    fields,
    createParams: ['session', ...extendsParams].join(', '),
    fixtureParams: [options.sessionFixture, ...plan.extends].join(', '),
    fixtureCall: [options.sessionFixture, ...fixtureArgs].join(', '),
    docstring: docstring(doc, '    '),
    body,
  });
}

/** The body of `<output>/__init__.py`: the plugin list and, by default, db_engine and db_session. */
export function renderInitModule(options: {
  readonly catalog: Catalog;
  readonly packageName: string;
  readonly scenarioNames: readonly string[];
  readonly ownSession: boolean;
  readonly databaseUrl: string;
}): string {
  const imports = new Imports();
  const models = options.catalog.models
    .filter((m) => !m.abstract)
    .map((m) => imports.name(m.module, m.name));
  return template(
    BUILTIN_DIR,
    'init.py.hbs',
  )({
    package: options.packageName,
    ownSession: options.ownSession,
    modelImports: imports.fromImports(),
    plugins: [...options.scenarioNames].sort().map((n) => `${options.packageName}.${n}`),
    databaseUrl: pyString(options.databaseUrl),
    models: models.sort(),
  });
}
