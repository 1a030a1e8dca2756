/**
 * The desired outputs: for each scenario, the file it should have (path, input hash and its parts,
 * source, generator) and how to produce its body, computed from the analysis alone. `build` writes
 * what the diff against disk selects from it, `check` reports that diff, watch computes it for the
 * scenarios a change affects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogView } from '../catalog/slice.js';
import { dialectOf } from '../config/dialect.js';
import { recordedRefusals } from '../generate/builtin/edge-cases.js';
import { deriveEdgeCases } from '../plan/edge-cases.js';
import type { ScenarioConstraints } from '../constraints/output.js';
import {
  constraintTestsStem,
  desiredConstraints,
  wantsConstraintTests,
} from '../constraints/output.js';
import type { Config } from '../config/schema.js';
import type { GenerateContext, GenerateOutcome, Generator } from '../generate/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { withHeader } from '../output/header.js';
import type { Plan } from '../plan/types.js';
import { VERSION } from '../version.js';
import type { Analysis } from './analyze.js';
import { packageName } from './inputs.js';
import type { InputParts } from './outputs.js';
import { INPUT_PARTS, inputHashes, scenarioPath } from './outputs.js';

export interface DesiredScenario {
  readonly name: string;
  /** The generated file, relative to the root. */
  readonly path: string;
  /** The scenario file, relative to the root. */
  readonly source: string;
  readonly generator: Generator['id'];
  readonly input: string;
  readonly parts: InputParts;
  readonly plan: Plan;
  /** The scenarios it extends, transitively, parents first. */
  readonly parents: readonly string[];
  /** What its generator is given: the catalog slice its input hash covers, nothing more. */
  readonly context: Omit<GenerateContext, 'validate'>;
  /** Its constraint tests and findings (`edge_cases: auto`), or null. */
  readonly constraints: ScenarioConstraints | null;
}

export interface DesiredOutputs {
  readonly config: Config;
  readonly generator: Generator;
  readonly analysis: Analysis;
  /** The selected scenarios and every scenario they extend, by name. */
  readonly scenarios: ReadonlyMap<string, DesiredScenario>;
  /** Every scenario name that owns a module in the output folder (failing scenarios included). */
  readonly owned: ReadonlySet<string>;
  /** The stems of the constraint test files scenarios own (a failing one keeps its file). */
  readonly ownedTests: ReadonlySet<string>;
}

/** The scenarios `name` extends, transitively, parents first. */
export function extendsClosure(name: string, plans: ReadonlyMap<string, Plan>): string[] {
  const out: string[] = [];
  const visit = (n: string) => {
    for (const p of plans.get(n)?.extends ?? []) {
      if (!out.includes(p)) {
        visit(p);
        out.push(p);
      }
    }
  };
  visit(name);
  return out;
}

/** Whether a scenario or failure is named by `only` (by name or file); everything when empty. */
export function selects(only: ReadonlySet<string>, name: string | null, file: string): boolean {
  return only.size === 0 || only.has(name ?? '') || only.has(file);
}

/**
 * The desired outputs of the scenarios named in `only` (names or scenario files; all when empty)
 * and of their parents: building a scenario needs its parents current. Only those are hashed, so a
 * watch run that rebuilds one scenario of many costs one scenario's work.
 */
export function desiredOutputs(
  analysis: Analysis,
  config: Config,
  generator: Generator,
  only: readonly string[] = [],
): DesiredOutputs {
  const { catalog } = analysis;
  const plans = analysis.plans.map((p) => withDerivedCases(p, catalog, config));
  const byName = new Map(plans.map((p) => [p.name, p]));
  const wanted = new Set(only);
  const chosen = new Set<string>();
  for (const plan of plans) {
    if (selects(wanted, plan.name, plan.source)) {
      chosen.add(plan.name);
      for (const parent of extendsClosure(plan.name, byName)) chosen.add(parent);
    }
  }
  const chosenPlans = plans.filter((p) => chosen.has(p.name));
  const hashes = inputHashes(chosenPlans, catalog, config, generator);
  const pkg = packageName(config);
  const scenarios = new Map<string, DesiredScenario>();
  for (const own of chosenPlans) {
    const parents = extendsClosure(own.name, byName);
    const plan: Plan = parents.some((n) => byName.get(n)?.scope !== undefined)
      ? { ...own, scopedParent: true }
      : own;
    const touched = [...plan.models, ...parents.flatMap((p) => byName.get(p)?.models ?? [])];
    const { input, parts } = hashes.get(plan.name)!;
    const catalogSlice = catalogView(catalog, [...new Set(touched)].sort());
    scenarios.set(plan.name, {
      name: plan.name,
      path: scenarioPath(config, plan.name),
      source: plan.source,
      generator: generator.id,
      input,
      parts,
      plan,
      parents,
      context: {
        config,
        catalog: catalogSlice,
        packageName: pkg,
        plans: new Map([...parents, plan.name].map((n) => [n, byName.get(n)!])),
      },
      constraints: desiredConstraints(config, plan, catalogSlice, { input, parts }, pkg),
    });
  }
  const owned = new Set([
    ...plans.map((p) => p.name),
    ...analysis.failures.map((f) => f.name).filter((n): n is string => n !== null),
  ]);
  const ownedTests = new Set([
    ...plans
      .filter((p) =>
        scenarios.has(p.name)
          ? scenarios.get(p.name)!.constraints?.tests != null
          : wantsConstraintTests(config, p),
      )
      .map((p) => constraintTestsStem(p.name)),
    ...analysis.failures.flatMap((f) => (f.name ? [constraintTestsStem(f.name)] : [])),
  ]);
  return { config, generator, analysis, scenarios, owned, ownedTests };
}

/**
 * A plan with its derived edge cases (`edge_cases: auto`) and the refusals its written module
 * records: `check` renders what `build` wrote without a database.
 */
export function withDerivedCases(
  plan: Plan,
  catalog: Analysis['catalog'],
  config: Config,
  refused?: readonly string[],
): Plan {
  if (plan.edgeCases !== 'auto') return plan;
  const recorded = refused ?? recordedIn(join(config.root, scenarioPath(config, plan.name)));
  const derivedCases = deriveEdgeCases(
    plan,
    catalog.models,
    dialectOf(config.verifyDatabaseUrl),
    recorded,
  );
  return { ...plan, derivedCases };
}

function recordedIn(path: string): string[] {
  try {
    return recordedRefusals(readFileSync(path, 'utf8'));
  } catch {
    return []; // not written yet
  }
}

/**
 * The desired output of a scenario with other refusals (what a build's probe found): its plan,
 * the plans its generator sees and its constraint tests change; its input hash does not.
 */
export function withRefusals(
  d: DesiredScenario,
  refused: readonly string[],
  analysis: Analysis,
): DesiredScenario {
  const plan = withDerivedCases(d.plan, analysis.catalog, d.context.config, refused);
  const plans = new Map(d.context.plans);
  plans.set(plan.name, plan);
  return {
    ...d,
    plan,
    context: { ...d.context, plans },
    constraints: desiredConstraints(
      d.context.config,
      plan,
      d.context.catalog,
      { input: d.input, parts: d.parts },
      d.context.packageName,
    ),
  };
}

/** The whole file for a body: the header, then the body. */
export function fileContents(desired: DesiredScenario, body: string): string {
  return withHeader(body, {
    version: VERSION,
    source: desired.source,
    generator: desired.generator,
    input: desired.input,
    parts: Object.fromEntries(INPUT_PARTS.map((k) => [k, desired.parts[k]])),
  });
}

/** Asks the generator for a scenario's body; `validate` is how it may check candidates itself. */
export function generateBody(
  generator: Generator,
  desired: DesiredScenario,
  validate: (body: string) => Promise<readonly Diagnostic[]>,
): Promise<GenerateOutcome> {
  return generator.generate(desired.plan, { ...desired.context, validate });
}
