/**
 * A scenario's constraint tests as a desired output: the file (`<output>/test_<name>_constraints.py`,
 * header included), the names of its tests, and the findings, as warnings at the scenario's
 * `edge_cases` key. Present for a scenario with `edge_cases: auto` unless `constraint_tests: false`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogView } from '../catalog/slice.js';
import type { ModelInfo } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import { EdgeCodes } from '../diagnostics/edge-codes.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { firstPartyIn } from '../generate/builtin/render.js';
import { withHeader } from '../output/header.js';
import type { Plan } from '../plan/types.js';
import { VERSION } from '../version.js';
import { deriveConstraints } from './derive.js';
import { renderConstraintTests } from './render.js';

export interface DesiredTests {
  /** Relative to the root. */
  readonly path: string;
  /** The whole file, header included. */
  readonly contents: string;
  readonly names: readonly string[];
  /** How many tests pytest runs (a parametrized test counts once per parameter). */
  readonly count: number;
}

export interface ScenarioConstraints {
  /** Null when no case could be derived (then no file). */
  readonly tests: DesiredTests | null;
  readonly findings: readonly Diagnostic[];
}

export function constraintTestsPath(config: Config, name: string): string {
  return `${config.output.replace(/\/+$/, '')}/test_${name}_constraints.py`;
}

/** The file's stem, as the output folder lists it. */
export const constraintTestsStem = (name: string) => `test_${name}_constraints`;

export function wantsConstraintTests(config: Config, plan: Plan): boolean {
  return plan.edgeCases === 'auto' && config.constraint_tests !== false;
}

/** Line and column of the scenario's top-level `edge_cases` key (1:1 when it cannot be read). */
export function edgeCasesPosition(
  config: Config,
  source: string,
): { line: number; column: number } {
  try {
    const lines = readFileSync(join(config.root, source), 'utf8').split('\n');
    const at = lines.findIndex((l) => /^["']?edge_cases["']?\s*:/.test(l));
    if (at >= 0) return { line: at + 1, column: 1 };
  } catch {
    // The scenario was read moments ago; a file gone since is reported by the next run.
  }
  return { line: 1, column: 1 };
}

/**
 * FG462 (a warning at the scenario's `edge_cases` key): with `constraint_tests: false`, the cases
 * the database refused are left out of the fixture and no test runs them. The refusals are those
 * the written module records, so `check` reports it as `build` does, without a database.
 */
export function refusedUntested(
  config: Config,
  d: { readonly name: string; readonly source: string; readonly path: string; readonly plan: Plan },
): Diagnostic[] {
  const refused = d.plan.derivedCases?.refused ?? [];
  if (config.constraint_tests !== false || refused.length === 0) return [];
  const n = refused.length;
  return [
    {
      code: EdgeCodes.refusedUntested,
      severity: 'warning',
      message: `${n} edge case${n === 1 ? '' : 's'} the database refused ${n === 1 ? 'is' : 'are'} left out of ${d.name}_edge_cases, and no test runs ${n === 1 ? 'it' : 'them'} (constraint_tests: false)`,
      file: d.source,
      ...edgeCasesPosition(config, d.source),
      hint: `refused: ${refused.join(', ')} (REFUSED_EDGE_CASES in ${d.path}); set constraint_tests: true in the config to get test_refused_edge_case, which expects the database to refuse each`,
    },
  ];
}

export function desiredConstraints(
  config: Config,
  plan: Plan,
  catalog: CatalogView,
  header: {
    readonly input: string;
    readonly parts: object;
  },
  packageName: string,
): ScenarioConstraints | null {
  if (!wantsConstraintTests(config, plan)) return null;
  const suite = deriveConstraints(plan, catalog.models);
  const rendered = renderConstraintTests(
    plan,
    suite,
    firstPartyIn(config.root, packageName),
    packageName,
    { async: config.async === true, session: config.session_fixture ?? 'db_session' },
  );
  const where = { file: plan.source, ...edgeCasesPosition(config, plan.source) };
  const findings = suite.findings.map((f): Diagnostic => ({
    code: f.code,
    severity: 'warning',
    message: f.message,
    ...where,
    hint: f.hint,
  }));
  if (rendered === null) return { tests: null, findings };
  const contents = withHeader(rendered.body, {
    version: VERSION,
    source: plan.source,
    generator: 'builtin',
    input: header.input,
    parts: { ...header.parts },
  });
  return {
    tests: {
      path: constraintTestsPath(config, plan.name),
      contents,
      names: rendered.names,
      count: rendered.names.length,
    },
    findings,
  };
}

/**
 * The catalog facts only constraint tests read, left out of a model: a scenario without
 * `edge_cases: auto` does not depend on them, so they stay out of its input hash.
 */
export function withoutConstraintFacts(model: ModelInfo): ModelInfo {
  const { checkConstraints: _checks, ...rest } = model;
  return {
    ...rest,
    relationships: model.relationships.map((r) => {
      const {
        remoteColumns: _remote,
        cascade: _cascade,
        passiveDeletes: _passive,
        secondaryForeignKeys: _secondary,
        ...kept
      } = r;
      return kept;
    }),
  };
}
