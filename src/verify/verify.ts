import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { PythonHelper } from '../helper/client.js';
import type { Params, Result } from '../helper/protocol.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import type { Plan } from '../plan/types.js';
import { dialectOf } from '../config/dialect.js';
import { expectationsFor } from './expectations.js';

/** The helper's answer to `verify`. */
export type VerifyResult = Result<'verify'>;

export interface VerifyRequest {
  readonly config: Config;
  readonly packageName: string;
  /** The candidate package: paths relative to the root → contents. */
  readonly files: Readonly<Record<string, string>>;
  /** The scenarios whose fixtures the smoke test exercises. */
  readonly plans: readonly Plan[];
  /** Scenario file the diagnostics point at. */
  readonly source: string;
  /** Test modules of the candidate run beside the smoke test (constraint tests): path, names. */
  readonly tests?: readonly { readonly path: string; readonly names: readonly string[] }[];
}

const warned = new Set<string>();

/**
 * The helper says once what it could not confine (its first verify response); a watch that
 * restarts the helper hears it again, and says it once.
 */
function warnOnce(text: string): void {
  if (warned.has(text)) return;
  warned.add(text);
  process.stderr.write(
    `warning FG699: ${text}\n  hint: verification still runs; candidate code is confined only as far as this machine allows\n`,
  );
}

/**
 * At most `max` characters of `text`: its head (two thirds: the exception, what the database said,
 * the candidate's line) and its tail (the last frames), with what was left out counted between.
 */
export function trim(text: string, max = 2000): string {
  const t = text.trim();
  if (t.length <= max) return t;
  const head = Math.floor((max * 2) / 3);
  const tail = max - head;
  return `${t.slice(0, head)}\n… ${t.length - head - tail} characters left out …\n${t.slice(t.length - tail)}`;
}

/** A hint for what the database refused, read from the helper's message (see verify/failure.py). */
function databaseHint(message: string): string | undefined {
  if (/UniqueViolation|UNIQUE constraint failed|duplicate key|Duplicate entry/i.test(message)) {
    return 'two rows share the value of a unique column or key: give each instance its own value (interpolate {n}, or a cycle at least as long as count), or leave the column out so fixturegen synthesizes distinct values';
  }
  if (/ForeignKeyViolation|FOREIGN KEY constraint failed/i.test(message)) {
    return 'a row refers to one that does not exist: set the reference with "@label"';
  }
  if (/NotNullViolation|NOT NULL constraint failed/i.test(message)) {
    return 'a NOT NULL column got no value: set it in the scenario';
  }
  if (/CheckViolation|CHECK constraint failed/i.test(message)) {
    return 'a value breaks a CHECK constraint: change it to one the constraint allows';
  }
  return undefined;
}

/** How the helper's message starts when `MetaData.create_all` raised (verify/recorder.py). */
const CREATING = "creating the models' tables failed: ";

/** Where the configuration sets `database_url` (its line), else the file's start; null without one. */
function databaseUrlSite(config: Config): { file: string; line: number; column: number } | null {
  if (config.file === null) return null;
  const file = relative(config.root, config.file).split(sep).join('/');
  let text = '';
  try {
    text = readFileSync(config.file, 'utf8');
  } catch {
    return { file, line: 1, column: 1 };
  }
  const lines = text.split('\n');
  const k = lines.findIndex((l) => /^\s*database_url\s*[:=]/.test(l));
  return k < 0
    ? { file, line: 1, column: 1 }
    : { file, line: k + 1, column: lines[k]!.indexOf('database_url') + 1 };
}

/**
 * FG630: the verification database cannot create the models' tables (PostgreSQL-only types such
 * as ARRAY, JSONB or INET on SQLite, or any other `create_all` failure): one diagnostic naming the
 * database and `database_url`, at that key of the configuration.
 */
function cannotCreate(config: Config, message: string): Diagnostic {
  const dialect = dialectOf(config.verifyDatabaseUrl);
  const name = DIALECT_NAMES[dialect] ?? dialect;
  const said = message.slice(CREATING.length);
  const type =
    /\(in table '([^']+)', column '([^']+)'\): Compiler <[^>]*> can't render element of type (\S+)/.exec(
      said,
    );
  const why =
    type !== null
      ? `column ${type[1]}.${type[2]} has type ${type[3]}, which ${name} does not have`
      : trim(said.replace(/ object at 0x[0-9a-f]+/g, ''), 600);
  const fromEnv = config.verifyDatabaseUrl !== config.database_url;
  const which = fromEnv
    ? `the database FIXTUREGEN_DATABASE_URL names (${dialect})`
    : dialect === 'sqlite' && config.database_url === DEFAULT_DATABASE_URL
      ? 'the default database (an in-memory SQLite)'
      : `the database database_url names (${dialect})`;
  const hint =
    dialect === 'sqlite'
      ? 'models with PostgreSQL types need PostgreSQL: set database_url in the configuration (e.g. database_url: "postgresql+psycopg://localhost/test"), or FIXTUREGEN_DATABASE_URL for one run; generated files record the database they were verified on'
      : 'point database_url (or FIXTUREGEN_DATABASE_URL) at a database that can create these tables';
  return error('FG630', `${which} cannot hold the models: ${why}`, {
    ...(databaseUrlSite(config) ?? {}),
    hint,
  });
}

const DEFAULT_DATABASE_URL = 'sqlite+pysqlite:///:memory:';
const DIALECT_NAMES: Readonly<Record<string, string>> = {
  sqlite: 'SQLite',
  postgresql: 'PostgreSQL',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
};

/**
 * FG630 when the verification database cannot create the models' tables, else null: a fact about
 * the configuration, decided once per build before any scenario is verified, so that every
 * scenario fails under this one diagnostic (see python/fixturegen_helper/verify/holds.py).
 */
export async function databaseCannotHold(
  helper: PythonHelper,
  config: Config,
): Promise<Diagnostic | null> {
  if (config.verify !== 'run') return null; // collecting creates no table
  const { problem } = await helper.request('holds', {
    databaseUrl: config.verifyDatabaseUrl,
    models: config.models,
  });
  return problem === null ? null : cannotCreate(config, problem);
}

/** Sends one verify request (no diagnostics yet: a batch reads the answer per scenario). */
export async function requestVerify(
  helper: PythonHelper,
  req: VerifyRequest,
): Promise<VerifyResult> {
  const result = await helper.request('verify', verifyParams(req));
  if (result.warning) warnOnce(result.warning);
  return result;
}

/** The helper's answer to `guardVerify`: the guard's, and the verify's when the guard passed. */
export type GuardVerifyResult = Result<'guardVerify'>;

/**
 * Guards a candidate and, only when the guard found nothing, verifies it, in one round trip
 * (`guardVerify`): the same answers as `guard` then `requestVerify`.
 */
export async function requestGuardVerify(
  helper: PythonHelper,
  guard: Params<'guard'>,
  req: VerifyRequest,
): Promise<GuardVerifyResult> {
  const result = await helper.request('guardVerify', { guard, verify: verifyParams(req) });
  if (result.verify?.warning) warnOnce(result.verify.warning);
  return result;
}

/** Sends several verify requests to run side by side, each in its own child (see `verifyEach`). */
export async function requestVerifyEach(
  helper: PythonHelper,
  reqs: readonly VerifyRequest[],
): Promise<VerifyResult[]> {
  const { results } = await helper.request('verifyEach', { requests: reqs.map(verifyParams) });
  if (results.length !== reqs.length)
    throw new Error(`the Python helper answered ${results.length} of ${reqs.length} verifications`);
  for (const r of results) if (r.warning) warnOnce(r.warning);
  return results;
}

function verifyParams(req: VerifyRequest): Params<'verify'> {
  return {
    level: req.config.verify === 'collect' ? 'collect' : 'run',
    package: req.packageName,
    files: req.files,
    databaseUrl: req.config.verifyDatabaseUrl,
    sessionFixture: req.config.session_fixture ?? null,
    timeoutS: req.config.verify_timeout_s,
    expectations: req.plans.flatMap((p) => expectationsFor(p, req.packageName)),
    models: req.config.models,
    ...(req.tests ? { tests: req.tests.map((t) => ({ path: t.path, names: [...t.names] })) } : {}),
    ...(req.config.async ? { async: true } : {}),
  };
}

/**
 * Runs the candidate through pytest in a forked child of the helper (collect, or run the smoke
 * test against the configured database). Returns no diagnostics when it passed.
 */
export async function verifyCandidate(
  helper: PythonHelper,
  req: VerifyRequest,
): Promise<Diagnostic[]> {
  if (req.config.verify === 'none') return [];
  return verifyDiagnostics(await requestVerify(helper, req), req);
}

/** The diagnostics of one scenario's own verify answer (none when it passed). */
export function verifyDiagnostics(result: VerifyResult, req: VerifyRequest): Diagnostic[] {
  const level = req.config.verify;
  if (result.ok) return [];
  const where = { file: req.source, line: 1, column: 1 };
  if (result.timedOut) {
    return [
      error(
        'FG412',
        `verification timed out after ${req.config.verify_timeout_s} s and was killed`,
        {
          ...where,
          hint: 'the fixture or the module never finished; raise verify_timeout_s if the scenario is just large',
        },
      ),
    ];
  }
  const failed = result.tests.filter(
    (t) => t.outcome === 'failed' || t.outcome === 'error' || t.outcome === 'unconfirmed',
  );
  const creating = failed.find((t) => t.message?.startsWith(CREATING));
  if (creating !== undefined) return [cannotCreate(req.config, creating.message!)];
  if (failed.length > 0) {
    return failed.map((t) => {
      const name = t.nodeid.split('::').pop();
      const own = req.tests?.find((x) => t.nodeid.startsWith(`${x.path}::`));
      if (own) {
        return error('FG460', `constraint test failed: ${name}: ${trim(t.message ?? t.outcome)}`, {
          ...where,
          hint: `the database did not do what the schema says (a trigger, a rule fixturegen does not model, or foreign keys off); see ${own.path}, or set constraint_tests: false`,
        });
      }
      if (t.outcome === 'unconfirmed') {
        return error('FG499', `smoke test not confirmed: ${name}: ${trim(t.message ?? '')}`, {
          ...where,
          hint: 'generated code must not define pytest hooks or plugins: the smoke test itself decides what passed',
        });
      }
      if (level !== 'collect' && t.check === 'call') {
        return error(
          'FG415',
          `the scenario's factory failed: ${name} (factory call): ${trim(t.message ?? 'failed')}`,
          {
            ...where,
            hint: 'create_<name>(session, variant=None, overrides=None) must begin with check_scenario_call(...), return create_<name>__<variant>(...) for each variant, and call apply_overrides(overrides, "<label>", <label>) after each label\'s rows; make_<name> returns scenario_factory(create_<name>, session) (see docs/generated-code.md#overrides)',
          },
        );
      }
      const hint = databaseHint(t.message ?? '');
      return error(
        level === 'collect' ? 'FG410' : 'FG411',
        `${level === 'collect' ? 'collection' : 'smoke test'} failed: ${name}: ${trim(t.message ?? 'failed')}`,
        hint === undefined ? where : { ...where, hint },
      );
    });
  }
  const what =
    result.exitCode === 5
      ? 'pytest collected nothing'
      : `pytest exited with code ${result.exitCode}`;
  return [
    error(result.exitCode === 5 ? 'FG413' : 'FG410', `${what}:\n${trim(result.output)}`, where),
  ];
}
