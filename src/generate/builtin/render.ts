import { join } from 'node:path';
import type { CatalogView } from '../../catalog/slice.js';
import type { Catalog } from '../../catalog/types.js';
import type { Plan } from '../../plan/types.js';
import { TEMPLATES_DIR, template } from '../templates.js';
import { entityStatements } from './entities.js';
import { Imports, RESERVED } from './imports.js';
import { labelsOf, parentStatements } from './parents.js';
import type { ExprContext } from './pyexpr.js';
import { pyString } from './pyexpr.js';

const BUILTIN_DIR = join(TEMPLATES_DIR, 'builtin');

export function docstring(text: string, indent: string): string {
  const escaped = text.trim().replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');
  const lines = escaped.split('\n').map((l) => l.trimEnd());
  if (lines.length === 1) return `"""${lines[0]}${lines[0]?.endsWith('"') ? ' ' : ''}"""`;
  return `"""${lines.map((l, n) => (n === 0 || l === '' ? l : indent + l)).join('\n')}\n${indent}"""`;
}

export interface RenderOptions {
  readonly catalog: CatalogView;
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

/**
 * Arguments or parameters between `head` and `tail` (the rest of their line): on that line when it
 * stays within 100 columns, else one per line.
 */
function argumentList(
  head: string,
  items: readonly string[],
  tail: string,
  indent: string,
): string {
  const flat = items.join(', ');
  if (head.length + flat.length + tail.length <= 100) return flat;
  return `\n${items.map((item) => `${indent}    ${item},`).join('\n')}\n${indent}`;
}

/** The body of `<output>/<name>.py` (everything after the header). */
export function renderScenarioModule(plan: Plan, options: RenderOptions): string {
  // The first pass only learns which classes are imported, so that aliases are stable.
  const defined = new Set([plan.className]);
  const first = new Imports([], defined);
  renderWith(plan, options, first);
  return renderWith(plan, options, new Imports(first.used(), defined));
}

function renderWith(plan: Plan, options: RenderOptions, imports: Imports): string {
  const models = new Map(options.catalog.models.map((m) => [m.qualname, m]));
  const parentsOf = (name: string) => options.plans.get(name)?.extends ?? [];
  const scenarios = new Set<string>();
  const walk = (name: string): void => {
    if (scenarios.has(name)) return;
    scenarios.add(name);
    parentsOf(name).forEach(walk);
  };
  plan.extends.forEach(walk);
  const vars = new Map<string, string>();
  const lists = new Set<string>();
  const fields: { name: string; type: string }[] = [];

  const taken = imports.locals();
  const bind = (label: string, module: string, cls: string, count: number | null) => {
    let name = label;
    while (RESERVED.has(name) || scenarios.has(name) || taken.has(name)) name = `${name}_`;
    vars.set(label, name);
    if (count !== null) lists.add(label);
    const local = imports.name(module, cls);
    fields.push({ name: label, type: count === null ? local : `list[${local}]` });
  };

  const body = parentStatements({
    plan,
    plans: options.plans,
    packageName: options.packageName,
    className: (module, cls) => imports.name(module, cls),
    fallbackClass: className,
  });
  for (const inherited of plan.inherited) {
    bind(inherited.label, inherited.module, inherited.className, inherited.count);
  }
  // Labels reached through an extended scenario's dataclass: the first parent that carries them.
  for (const inherited of plan.inherited) {
    const via = plan.extends.find((p) => {
      const parent = options.plans.get(p);
      return parent !== undefined && labelsOf(parent).includes(inherited.label);
    });
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
  body.push(
    ...entityStatements(plan, {
      models,
      className: (module, cls) => imports.name(module, cls),
      labelVar: (label) => vars.get(label) ?? label,
      ctxFor,
    }),
  );
  const labels = labelsOf(plan);
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
    createParams: argumentList(
      `def create_${plan.name}(`,
      ['session', ...extendsParams],
      `) -> ${plan.className}:`,
      '',
    ),
    fixtureParams: argumentList(
      `def ${plan.name}(`,
      [options.sessionFixture, ...plan.extends],
      `) -> ${plan.className}:`,
      '',
    ),
    fixtureCall: argumentList(
      `    return create_${plan.name}(`,
      [options.sessionFixture, ...fixtureArgs],
      ')',
      '    ',
    ),
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
  const imports = new Imports(
    options.catalog.models.map((m) => ({ module: m.module, cls: m.name })),
  );
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
