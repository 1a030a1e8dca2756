import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogView } from '../../catalog/slice.js';
import { sqlalchemyFamily } from '../../catalog/sqlalchemy.js';
import type { Catalog } from '../../catalog/types.js';
import { leavesRowsOut, renderEdgeBlock } from './edge-cases.js';
import type { Plan, PlanEntity } from '../../plan/types.js';
import { TEMPLATES_DIR, template } from '../templates.js';
import { INSERT_ROWS } from './bulk.js';
import { entityStatements } from './entities.js';
import type { IsFirstParty } from './import-block.js';
import { importBlock } from './import-block.js';
import { Imports, RESERVED, type AccessOf } from './imports.js';
import { LINE_WIDTH, call, dict, seq, statement, tuple, width, type Doc } from './layout.js';
import { labelsOf, parentStatements } from './parents.js';
import type { ExprContext } from './pyexpr.js';
import { pyString } from './pyexpr.js';

const BUILTIN_DIR = join(TEMPLATES_DIR, 'builtin');

/** The package's session fixture a scenario of each scope takes (init.py.hbs). */
export const SCOPE_SESSION = { module: 'db_module_session', session: 'db_shared_session' } as const;

/** The catalog's access of each model that is not imported as `from <module> import <name>`. */
export function accessOf(catalog: Pick<Catalog, 'models'>): AccessOf {
  const byClass = new Map(
    catalog.models.flatMap((m) =>
      m.access ? [[`${m.module}\0${m.name}`, m.access] as const] : [],
    ),
  );
  return (module, cls) => byClass.get(`${module}\0${cls}`);
}

/**
 * A docstring as black and ruff format leave it: lines after the first lose their common
 * indentation (then get `indent`), tabs are written as `\\t`, and a quote never touches the
 * closing quotes.
 */
export function docstring(text: string, indent: string): string {
  const escaped = text
    .trim()
    .replace(/\\/g, '\\\\')
    .replace(/"""/g, '\\"\\"\\"')
    .replace(/\t/g, '\\t');
  const [first = '', ...rest] = escaped.split('\n').map((l) => l.trimEnd());
  const margins = rest.filter((l) => l !== '').map((l) => l.length - l.trimStart().length);
  const cut = margins.length > 0 ? Math.min(...margins) : 0;
  const head = first.startsWith('"') ? ` ${first}` : first;
  if (rest.length === 0) return `"""${head}${head.endsWith('"') ? ' ' : ''}"""`;
  const lines = rest.map((l) => (l === '' ? l : indent + l.slice(cut)));
  return `"""${[head, ...lines].join('\n')}\n${indent}"""`;
}

/**
 * Whether isort and ruff will count a module as the project's own: the output package, or a module
 * found as a folder or `.py` file under the project root or its `src/` (their default search path).
 */
export function firstPartyIn(root: string | undefined, packageName: string): IsFirstParty {
  return (module) => {
    if (module === packageName || module.startsWith(`${packageName}.`)) return true;
    if (root === undefined) return false;
    const rel = module.split('.');
    return [root, join(root, 'src')].some((base) => {
      const path = join(base, ...rel);
      return existsSync(`${path}.py`) || existsSync(join(path, '__init__.py')) || existsSync(path);
    });
  };
}

export interface RenderOptions {
  readonly catalog: CatalogView;
  /** Project root: decides which model modules are first party in the import block. */
  readonly root?: string;
  readonly packageName: string;
  readonly sessionFixture: string;
  readonly plans: ReadonlyMap<string, Plan>;
  /** `async: true`: `async def create_<name>` awaiting the session, a pytest-asyncio fixture. */
  readonly async?: boolean;
  /** `constraint_tests` of the config (default true), for the edge-case block's comments. */
  readonly constraintTests?: boolean;
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
 * stays within 88 columns, else one per line with a trailing comma (which formatters keep spread).
 */
function argumentList(
  head: string,
  items: readonly string[],
  tail: string,
  indent: string,
): string {
  const flat = items.join(', ');
  if (width(head + flat + tail) <= LINE_WIDTH) return flat;
  return `\n${items.map((item) => `${indent}    ${item},`).join('\n')}\n${indent}`;
}

/** A tuple of any length: `()`, `("a",)`, `("a", "b")`. */
function pyTuple(items: readonly string[]): Doc {
  if (items.length === 0) return '()';
  if (items.length === 1) return `(${items[0]},)`;
  return tuple(items);
}

/** The body of `<output>/<name>.py` (everything after the header). */
export function renderScenarioModule(plan: Plan, options: RenderOptions): string {
  // The first pass only learns which classes are imported, so that aliases are stable.
  const defined = new Set([plan.className]);
  const access = accessOf(options.catalog);
  const first = new Imports([], defined, access);
  renderWith(plan, options, first);
  return renderWith(plan, options, new Imports(first.used(), defined, access));
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

  const isAsync = options.async === true;
  for (const inherited of plan.inherited) {
    bind(inherited.label, inherited.module, inherited.className, inherited.count);
  }
  for (const entity of plan.entities)
    bind(entity.label, entity.module, entity.className, entity.count);

  const runtime = (fn: string) => imports.name(options.packageName, fn);
  const ctxFor = (i: 'loop' | number): ExprContext => ({
    i,
    imports: imports.std,
    enumName: (module, cls) => imports.name(module, cls),
    labelVar: (label) => vars.get(label) ?? label,
    isList: (label) => lists.has(label),
  });
  const applyOverrides = (label: string) =>
    statement(
      '    ',
      '',
      call(runtime('apply_overrides'), ['overrides', pyString(label), vars.get(label)!]),
    );
  /** Parents, inherited labels, the given entities (overrides applied to each) and the return. */
  const creation = (entities: readonly PlanEntity[], removed: readonly string[]): string[] => {
    const body = parentStatements({
      async: isAsync,
      plan,
      plans: options.plans,
      packageName: options.packageName,
      className: (module, cls) => imports.name(module, cls),
      fallbackClass: className,
      createArgs: (_name, dataclass) => [
        `overrides=${runtime('parent_overrides')}(overrides, ${dataclass})`,
      ],
    });
    // Labels reached through an extended scenario's dataclass: the first parent that carries them.
    for (const inherited of plan.inherited) {
      const via = plan.extends.find((p) => {
        const parent = options.plans.get(p);
        return parent !== undefined && labelsOf(parent).includes(inherited.label);
      });
      const head = `${vars.get(inherited.label)} = `;
      body.push(statement('    ', head, `${via ?? inherited.scenario}.${inherited.label}`));
    }
    for (const inherited of plan.inherited) body.push(applyOverrides(inherited.label));
    body.push(
      ...entityStatements(
        { entities },
        {
          async: isAsync,
          models,
          className: (module, cls) => imports.name(module, cls),
          labelVar: (label) => vars.get(label) ?? label,
          ctxFor,
          after: (entity) => [applyOverrides(entity.label)],
          insertRows: () => runtime(INSERT_ROWS),
        },
      ),
    );
    body.push(`    return ${plan.className}(`);
    for (const label of labelsOf(plan)) {
      const value = !removed.includes(label) ? vars.get(label) : lists.has(label) ? '[]' : 'None';
      body.push(`        ${label}=${value},`);
    }
    body.push('    )');
    return body;
  };

  const variants = plan.variants ?? [];
  const extendsParams = plan.extends.map((p) => {
    const cls = options.plans.get(p)?.className ?? className(p);
    return `${p}: ${imports.name(`${options.packageName}.${p}`, cls)} | None = None`;
  });
  const parentArgs = plan.extends.map((p) => `${p}=${p}`);
  const check = statement(
    '    ',
    '',
    call(runtime('check_scenario_call'), [
      plan.className,
      pyString(plan.name),
      'variant',
      dict(
        variants.map((v) =>
          seq(`${pyString(v.name)}: `, pyTuple(v.removed.map((r) => pyString(r)))),
        ),
      ),
      'overrides',
    ]),
  );
  const def = isAsync ? 'async def' : 'def';
  const awaiting = isAsync ? 'await ' : '';
  // A scenario created once per module or session takes the session those share (init.py.hbs);
  // its variants' fixtures and make_<name> are per test.
  const session = plan.scope ? SCOPE_SESSION[plan.scope] : options.sessionFixture;
  // A parent created once per module or session is requested before the session, so that a
  // request by name (request.getfixturevalue) creates it before the test's savepoint begins.
  const scopedParent = plan.extends.some((p) => options.plans.get(p)?.scope !== undefined);
  const withSession = (s: string) => (scopedParent ? [...plan.extends, s] : [s, ...plan.extends]);
  const dispatch = variants.flatMap((v) => [
    `    if variant == ${pyString(v.name)}:`,
    statement(
      '        ',
      `return ${awaiting}`,
      call(`create_${plan.name}__${v.name}`, ['session', ...parentArgs, 'overrides=overrides']),
    ),
  ]);
  const doc = plan.description ?? `Creates the rows of the \`${plan.name}\` scenario.`;
  const fixtureParams = argumentList(
    `${def} ${plan.name}(`,
    withSession(session),
    `) -> ${plan.className}:`,
    '',
  );
  // Every body first: rendering them registers the imports the block below lists.
  const body = [check, ...dispatch, ...creation(plan.entities, [])];
  const variantBodies = variants.map((v) => creation(v.entities, v.removed));
  const factory = runtime('scenario_factory');
  const edges = renderEdgeBlock(plan, {
    ctx: ctxFor(0),
    async: isAsync,
    fixtureArgs: [options.sessionFixture, ...plan.extends],
    createArgs: [options.sessionFixture, ...parentArgs],
    constraintTests: options.constraintTests !== false,
    ...(leavesRowsOut(plan) ? { withoutLeftOut: runtime('without_left_out') } : {}),
  });
  const module = template(
    BUILTIN_DIR,
    'scenario.py.hbs',
  )({
    name: plan.name,
    async: isAsync,
    className: plan.className,
    source: plan.source,
    imports: importBlock(
      ['dataclasses', ...imports.std, isAsync ? 'pytest_asyncio' : 'pytest'],
      [{ module: '__future__', name: 'annotations' }, ...imports.fromImports()],
      firstPartyIn(options.root, options.packageName),
    ),
    lookups: imports.lookups(),
    fields,
    createParams: argumentList(
      `${def} create_${plan.name}(`,
      ['session', ...extendsParams, 'variant: str | None = None', 'overrides: dict | None = None'],
      `) -> ${plan.className}:`,
      '',
    ),
    fixtureParams,
    fixtureCall: argumentList(
      `    return ${awaiting}create_${plan.name}(`,
      [session, ...parentArgs],
      ')',
      '    ',
    ),
    docstring: docstring(doc, '    '),
    scope: plan.scope ?? null,
    body,
    variants: variants.map((v, k) => {
      const vdoc = v.description ?? `The \`${v.name}\` variant of the \`${plan.name}\` scenario.`;
      return {
        name: v.name,
        createParams: argumentList(
          `${def} create_${plan.name}__${v.name}(`,
          ['session', ...extendsParams, 'overrides: dict | None = None'],
          `) -> ${plan.className}:`,
          '',
        ),
        docstring: docstring(vdoc, '    '),
        body: variantBodies[k],
        fixtureParams: argumentList(
          `${def} ${plan.name}__${v.name}(`,
          withSession(options.sessionFixture),
          `) -> ${plan.className}:`,
          '',
        ),
        fixtureCall: argumentList(
          `    return ${awaiting}create_${plan.name}(`,
          [options.sessionFixture, ...parentArgs, `variant=${pyString(v.name)}`],
          ')',
          '    ',
        ),
      };
    }),
    makeParams: argumentList(`${def} make_${plan.name}(`, [options.sessionFixture], '):', ''),
    makeCall: `${factory}(${argumentList(
      `    return ${factory}(`,
      [`create_${plan.name}`, options.sessionFixture],
      ')',
      '    ',
    )})`,
  });
  return edges === '' ? module : `${module.replace(/\n+$/, '\n')}${edges}`;
}

/** What the shared session of scoped scenarios needs beyond the per-test one (init.py.hbs). */
const scopedImports = [
  { module: 'sqlalchemy.orm', name: 'make_transient' },
  { module: 'sqlalchemy.orm', name: 'make_transient_to_detached' },
];

/** A tuple of names as Python: `()`, `("a",)`, or spread one per line with a trailing comma. */
function namesTuple(names: readonly string[]): string {
  const items = [...names].sort().map(pyString);
  if (items.length < 2) return `(${items.map((x) => `${x},`).join('')})`;
  return `(${items.map((x) => `\n    ${x},`).join('')}\n)`;
}

/** The body of `<output>/__init__.py`: the plugin list and, by default, db_engine and db_session. */
export function renderInitModule(options: {
  readonly catalog: Catalog;
  readonly root?: string;
  readonly packageName: string;
  readonly scenarioNames: readonly string[];
  readonly ownSession: boolean;
  readonly databaseUrl: string;
  /** `async: true`: an async engine and pytest-asyncio fixtures. */
  readonly async?: boolean;
  /** Defines `insert_rows`, which scenario modules that insert in bulk import (bulk.ts). */
  readonly insertRows?: boolean;
  /** Scenarios created once per session or module: the shared session and its savepoints. */
  readonly scoped?: { readonly session: readonly string[]; readonly module: readonly string[] };
}): string {
  // Only what finding the tables needs: each class that is a module attribute, and for the others
  // the declarative base or registry they are reached through (its metadata has their tables).
  const concrete = options.catalog.models.filter((m) => !m.abstract);
  const imports = new Imports(
    concrete.filter((m) => m.access === undefined).map((m) => ({ module: m.module, cls: m.name })),
  );
  const anchors = new Map<string, { module: string; name: string }>();
  const named: string[] = [];
  for (const m of concrete) {
    const a = m.access;
    if (a === undefined) named.push(imports.name(m.module, m.name));
    else if (a.via === 'attribute') {
      const local = imports.name(a.module, a.name);
      if (!named.includes(local)) named.push(local);
    } else anchors.set(`${a.module}.${a.name}`, { module: a.module, name: a.name });
  }
  for (const { module, name } of anchors.values()) {
    const local = imports.name(module, name);
    if (!named.includes(local)) named.push(local);
  }
  const models = named.sort();
  const plugins = [...options.scenarioNames]
    .sort()
    .map((n) => pyString(`${options.packageName}.${n}`));
  const isAsync = options.async === true;
  const session = [
    ...(isAsync
      ? [
          { module: 'sqlalchemy.ext.asyncio', name: 'AsyncEngine' },
          { module: 'sqlalchemy.ext.asyncio', name: 'AsyncSession' },
          { module: 'sqlalchemy.ext.asyncio', name: 'create_async_engine' },
        ]
      : [
          { module: 'sqlalchemy', name: 'create_engine' },
          { module: 'sqlalchemy.engine', name: 'Engine' },
          { module: 'sqlalchemy.orm', name: 'Session' },
        ]),
    { module: 'sqlalchemy', name: 'event' },
    { module: 'sqlalchemy', name: 'inspect' },
    { module: 'sqlalchemy', name: 'text' },
    { module: 'sqlalchemy.engine', name: 'make_url' },
    { module: 'sqlalchemy.pool', name: 'NullPool' },
    { module: 'sqlalchemy.pool', name: 'StaticPool' },
    ...(options.scoped ? scopedImports : []),
    ...imports.fromImports(),
  ];
  const future = { module: '__future__', name: 'annotations' };
  // What check_scenario_call and apply_overrides need (scenario.py.hbs calls them).
  const runtimeStd = ['dataclasses', 'datetime', 'decimal', 'difflib', 'enum', 'typing'];
  const runtimeFrom = [
    { module: 'sqlalchemy', name: 'inspect' },
    { module: 'sqlalchemy.orm', name: 'RelationshipProperty' },
  ];
  const spread = (items: string[]) => items.map((x) => `\n    ${x},`).join('');
  return template(
    BUILTIN_DIR,
    'init.py.hbs',
  )({
    package: options.packageName,
    ownSession: options.ownSession,
    async: isAsync,
    imports: options.ownSession
      ? importBlock(
          [
            ...runtimeStd,
            'os',
            isAsync ? 'pytest_asyncio' : 'pytest',
            ...(options.insertRows ? ['sqlalchemy'] : []),
          ],
          [future, ...session, runtimeFrom[1]!],
          firstPartyIn(options.root, options.packageName),
        )
      : importBlock(
          [...runtimeStd, ...(options.insertRows ? ['sqlalchemy'] : [])],
          [future, ...runtimeFrom],
          () => false,
        ),
    // Spread with a trailing comma, which formatters keep spread; a one-item tuple's is not one.
    plugins: `[${spread(plugins)}${plugins.length > 0 ? '\n' : ''}]`,
    databaseUrl: pyString(options.databaseUrl),
    models:
      models.length === 1
        ? `(${models[0]},)`
        : `(${spread(models)}${models.length > 0 ? '\n' : ''})`,
    anchors: anchors.size > 0,
    sa14: sqlalchemyFamily(options.catalog.sqlalchemyVersion) === '1.4',
    insertRows: options.insertRows === true,
    scoped:
      options.scoped && options.scoped.session.length + options.scoped.module.length > 0
        ? { session: namesTuple(options.scoped.session), module: namesTuple(options.scoped.module) }
        : null,
  });
}
