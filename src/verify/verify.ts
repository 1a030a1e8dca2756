import type { PythonHelper } from '../helper/client.js';
import type { Result } from '../helper/protocol.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import type { Plan } from '../plan/types.js';
import { expectationFor } from './expectations.js';

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

function trim(text: string, max = 1500): string {
  const t = text.trim();
  return t.length <= max ? t : `…${t.slice(t.length - max)}`;
}

/**
 * Runs the candidate through pytest in a forked child of the helper (collect, or run the smoke
 * test against the configured database). Returns no diagnostics when it passed.
 */
export async function verifyCandidate(
  helper: PythonHelper,
  req: VerifyRequest,
): Promise<Diagnostic[]> {
  const level = req.config.verify;
  if (level === 'none') return [];
  const result = await helper.request('verify', {
    level,
    package: req.packageName,
    files: req.files,
    databaseUrl: req.config.verifyDatabaseUrl,
    sessionFixture: req.config.session_fixture ?? null,
    timeoutS: req.config.verify_timeout_s,
    expectations: req.plans.map(expectationFor),
    models: req.config.models,
    ...(req.config.async ? { async: true } : {}),
  });
  if (result.warning) warnOnce(result.warning);
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
  if (failed.length > 0) {
    return failed.map((t) => {
      const name = t.nodeid.split('::').pop();
      if (t.outcome === 'unconfirmed') {
        return error('FG499', `smoke test not confirmed: ${name}: ${trim(t.message ?? '')}`, {
          ...where,
          hint: 'generated code must not define pytest hooks or plugins: the smoke test itself decides what passed',
        });
      }
      return error(
        level === 'collect' ? 'FG410' : 'FG411',
        `${level === 'collect' ? 'collection' : 'smoke test'} failed: ${name}: ${trim(t.message ?? 'failed')}`,
        where,
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
