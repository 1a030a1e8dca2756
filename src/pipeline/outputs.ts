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
import { hashJson, sha256, withHeader } from '../output/header.js';
import { canonicalJson } from '../canonical-json.js';
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

/** JSON text as `canonicalJson` writes an object whose values are already canonical texts. */
function canonicalObject(texts: Record<string, string>): string {
  const keys = Object.keys(texts).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${texts[k]}`).join(',')}}`;
}

/**
 * Every given scenario's input hash and its parts; parents' hashes are part of their children's.
 * The hashed value is `canonicalJson` of an object (see `value` below); its catalog slice and
 * model modules, the bulk of it and the same for every scenario over the same models, are written
 * once per set of models (a few distinct ones in a project of hundreds of scenarios).
 */
export function inputHashes(
  plans: readonly Plan[],
  catalog: Catalog,
  config: Config,
  generator: Generator,
): Map<string, ScenarioInputs> {
  const byName = new Map(plans.map((p) => [p.name, p]));
  const hashes = new Map<string, ScenarioInputs>();
  const modulesText = canonicalJson(catalog.modules);
  const fingerprint = generator.fingerprint();
  const fingerprintText = canonicalJson(fingerprint);
  const fingerprintPart = part(fingerprint);
  /** Per set of models (and whether constraint facts count): the slice's text and `models=` part. */
  const slices = new Map<string, { text: string; part: string }>();
  const sliceOf = (plan: Plan) => {
    const auto = plan.edgeCases === 'auto';
    const key = `${auto ? 'auto' : 'off'}\0${plan.models.join('\0')}`;
    let known = slices.get(key);
    if (known === undefined) {
      // Facts only constraint tests read count for the scenarios that have them.
      const slice = auto
        ? catalogSlice(catalog, plan.models)
        : catalogSlice(catalog, plan.models).map(withoutConstraintFacts);
      const text = canonicalJson(slice);
      known = { text, part: sha256(`[${text},${modulesText}]`).slice(0, 12) };
      slices.set(key, known);
    }
    return known;
  };
  const visit = (plan: Plan): ScenarioInputs => {
    const known = hashes.get(plan.name);
    if (known) return known;
    const slice = sliceOf(plan);
    const value = {
      fixturegen: VERSION,
      scenario: plan.canonical,
      source: plan.source,
      extends: plan.extends.map((p) => {
        const parent = byName.get(p);
        return parent ? visit(parent).input : p;
      }),
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
    const texts: Record<string, string> = {
      generator: fingerprintText,
      // The generator sees the model modules too (the LLM prompt lists them as allowed imports).
      modules: modulesText,
      slice: slice.text,
    };
    for (const [k, v] of Object.entries(value)) {
      const text = canonicalJson(v) as string | undefined;
      if (text !== undefined) texts[k] = text;
    }
    const inputs: ScenarioInputs = {
      input: sha256(canonicalObject(texts)),
      parts: {
        scenario: part(value.scenario),
        extends: part(value.extends),
        models: slice.part,
        fingerprint: fingerprintPart,
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
