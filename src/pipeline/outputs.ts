import { join } from 'node:path';
import { catalogSlice } from '../catalog/slice.js';
import { sqlalchemyFamily } from '../catalog/sqlalchemy.js';
import type { Catalog } from '../catalog/types.js';
import { dialectOf } from '../config/dialect.js';
import type { Config } from '../config/schema.js';
import { renderInitModule, usesBulk } from '../generate/builtin/index.js';
import { TEMPLATES_DIR, templatesHash } from '../generate/templates.js';
import type { Generator } from '../generate/types.js';
import type { Plan } from '../plan/types.js';
import { hashJson, withHeader } from '../output/header.js';
import { VERSION } from '../version.js';
import { withoutConstraintFacts } from '../constraints/output.js';
import { packageName } from './inputs.js';

/**
 * Short hashes of each input that decides a scenario's output besides fixturegen's version (which
 * the header's first line names): when a file is stale, comparing them with the ones in its header
 * says which input changed.
 */
export interface InputParts {
  /** The scenario's canonical form (its file's path is in the header's first line). */
  readonly scenario: string;
  /** The input hashes of the scenarios it extends. */
  readonly extends: string;
  /** The catalog slice of the models it touches, and the model modules. */
  readonly models: string;
  /** The generator's fingerprint: its templates, or the model and its settings. */
  readonly fingerprint: string;
  /** The output package, the session fixture's name and `async`. */
  readonly config: string;
  /**
   * The dialect of the database verification runs on (`sqlite`, `postgresql`; never the rest of
   * the URL): a file verified on SQLite is not current for a project that moved to PostgreSQL.
   */
  readonly database: string;
}

export const INPUT_PARTS: readonly (keyof InputParts)[] = [
  'scenario',
  'extends',
  'models',
  'fingerprint',
  'config',
  'database',
];

export interface ScenarioInputs {
  /** Everything that decides the output, hashed: the header's `input=`. */
  readonly input: string;
  readonly parts: InputParts;
}

const part = (value: unknown): string => hashJson(value).slice(0, 12);

/** The header's `database=` part for a dialect. */
export function databasePart(dialect: string): string {
  return part({ database: dialect });
}

/** Dialects whose header part `check` can name ("verified on sqlite"); others are only "another". */
export const KNOWN_DIALECTS = ['sqlite', 'postgresql', 'mysql', 'mariadb', 'oracle', 'mssql'];

/** Every given scenario's input hash and its parts; parents' hashes are part of their children's. */
export function inputHashes(
  plans: readonly Plan[],
  catalog: Catalog,
  config: Config,
  generator: Generator,
): Map<string, ScenarioInputs> {
  const byName = new Map(plans.map((p) => [p.name, p]));
  const hashes = new Map<string, ScenarioInputs>();
  const visit = (plan: Plan): ScenarioInputs => {
    const known = hashes.get(plan.name);
    if (known) return known;
    const value = {
      fixturegen: VERSION,
      generator: generator.fingerprint(),
      scenario: plan.canonical,
      source: plan.source,
      extends: plan.extends.map((p) => {
        const parent = byName.get(p);
        return parent ? visit(parent).input : p;
      }),
      // Facts only constraint tests read count for the scenarios that have them.
      slice:
        plan.edgeCases === 'auto'
          ? catalogSlice(catalog, plan.models)
          : catalogSlice(catalog, plan.models).map(withoutConstraintFacts),
      // The generator sees the model modules too (the LLM prompt lists them as allowed imports).
      modules: catalog.modules,
      package: packageName(config),
      session_fixture: config.session_fixture ?? null,
      database: dialectOf(config.verifyDatabaseUrl),
      // Sync and async output differ in every function; absent when false, so sync hashes stay.
      ...(config.async ? { async: true } : {}),
      // The edge-case block says whether tests run the refused cases; absent otherwise.
      ...(plan.edgeCases === 'auto' && config.constraint_tests === false
        ? { constraint_tests: false }
        : {}),
    };
    const inputs: ScenarioInputs = {
      input: hashJson(value),
      parts: {
        scenario: part(value.scenario),
        extends: part(value.extends),
        models: part([value.slice, value.modules]),
        fingerprint: part(value.generator),
        config: part([
          value.package,
          value.session_fixture,
          ...(value.async ? [true] : []),
          ...(value.constraint_tests === false ? [{ constraint_tests: false }] : []),
        ]),
        database: databasePart(value.database),
      },
    };
    hashes.set(plan.name, inputs);
    return inputs;
  };
  for (const plan of plans) visit(plan);
  return hashes;
}

export function scenarioPath(config: Config, name: string): string {
  return `${config.output.replace(/\/+$/, '')}/${name}.py`;
}

export function initPath(config: Config): string {
  return `${config.output.replace(/\/+$/, '')}/__init__.py`;
}

export function absolute(config: Config, rel: string): string {
  return join(config.root, rel);
}

/** The package's `__init__.py` registering the given scenario modules, header included. */
export function renderInit(
  config: Config,
  catalog: Catalog,
  scenarioNames: readonly string[],
  plans: readonly Plan[],
): string {
  const ownSession = !config.session_fixture;
  const pkg = packageName(config);
  const names = [...scenarioNames].sort();
  // `insert_rows` only where a registered scenario inserts in bulk: other packages stay as they were.
  const models = new Map(catalog.models.map((m) => [m.qualname, m]));
  const registered = plans.filter((p) => names.includes(p.name));
  const insertRows = registered.some((p) => usesBulk(p, models));
  const scopedIn = (scope: 'module' | 'session') =>
    registered.filter((p) => p.scope === scope).map((p) => p.name);
  const scoped = { session: scopedIn('session'), module: scopedIn('module') };
  const anyScoped = ownSession && scoped.session.length + scoped.module.length > 0;
  const input = hashJson({
    fixturegen: VERSION,
    templates: templatesHash(join(TEMPLATES_DIR, 'builtin')),
    package: pkg,
    scenarios: names,
    own_session: ownSession,
    database_url: config.database_url,
    models: catalog.models.map((m) => m.qualname),
    // Only 1.4 adds to the hash, so files written for 2.x keep theirs.
    ...(sqlalchemyFamily(catalog.sqlalchemyVersion) === '1.4' ? { sqlalchemy: '1.4' } : {}),
    ...(config.async ? { async: true } : {}),
    ...(insertRows ? { insert_rows: true } : {}),
    ...(anyScoped ? { scoped } : {}),
  });
  const body = renderInitModule({
    insertRows,
    ...(anyScoped ? { scoped } : {}),
    catalog,
    root: config.root,
    packageName: pkg,
    scenarioNames: names,
    ownSession,
    databaseUrl: config.database_url,
    async: config.async,
  });
  return withHeader(body, {
    version: VERSION,
    source: `${config.scenarios.replace(/\/+$/, '')}/`,
    generator: 'builtin',
    input,
  });
}
