/**
 * A drafted scenario is checked exactly as a hand-written one: every scenario compiled with the
 * draft in place of the file (YAML, schema, catalog semantics, `extends`), then the builtin
 * module generated and verified against the database beside its parents' modules. Nothing is
 * written.
 */
import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { createBuiltinGenerator } from '../generate/builtin/index.js';
import type { PythonHelper } from '../helper/client.js';
import type { Plan } from '../plan/types.js';
import { analyze } from '../pipeline/analyze.js';
import type { Analysis } from '../pipeline/analyze.js';
import { validateAlone } from '../pipeline/build.js';
import { desiredOutputs, fileContents, generateBody } from '../pipeline/desired.js';
import type { DesiredScenario } from '../pipeline/desired.js';
import type { ScenarioInput } from '../pipeline/inputs.js';

export interface DraftCheckContext {
  readonly config: Config;
  readonly helper: PythonHelper;
  readonly catalog: Catalog;
  /** Every scenario file of the project as it is on disk. */
  readonly inputs: readonly ScenarioInput[];
}

export type DraftCheck =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * How `build` would validate a candidate body for `name`: its desired output, and a validate that
 * guards and verifies it beside its parents' builtin modules. Writes nothing.
 */
export async function trialValidator(
  ctx: DraftCheckContext,
  analysis: Analysis,
  name: string,
): Promise<
  | {
      readonly ok: true;
      readonly desired: DesiredScenario;
      readonly validate: (body: string) => Promise<readonly Diagnostic[]>;
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] }
> {
  const generator = createBuiltinGenerator();
  const desired = desiredOutputs(analysis, ctx.config, generator, [name]);
  const options = { config: ctx.config, helper: ctx.helper, analysis, generator };
  const accepted = new Map<string, string>();
  const target = desired.scenarios.get(name)!;
  for (const parent of target.parents) {
    const d = desired.scenarios.get(parent)!;
    const out = await generateBody(generator, d, () => Promise.resolve([]));
    if (!out.ok) return { ok: false, diagnostics: out.diagnostics };
    accepted.set(parent, fileContents(d, out.body));
  }
  return {
    ok: true,
    desired: target,
    validate: (body: string) => validateAlone(options, target, body, accepted),
  };
}

export async function checkDraft(
  ctx: DraftCheckContext,
  file: string,
  text: string,
): Promise<DraftCheck> {
  const inputs = ctx.inputs.map((input) => (input.file === file ? { file, text } : input));
  const analysis = analyze(ctx.catalog, ctx.config, inputs);
  const failure = analysis.failures.find((f) => f.file === file);
  if (failure) return { ok: false, diagnostics: failure.diagnostics };
  const plan = analysis.plans.find((p) => p.source === file);
  if (!plan) throw new Error(`the drafted ${file} compiled to no plan`);

  const trial = await trialValidator(ctx, analysis, plan.name);
  if (!trial.ok) return trial;
  const { desired: target, validate } = trial;
  const generator = createBuiltinGenerator();
  const generated = await generateBody(generator, target, validate);
  if (!generated.ok) return { ok: false, diagnostics: generated.diagnostics };
  const problems = await validate(generated.body);
  return problems.length > 0 ? { ok: false, diagnostics: problems } : { ok: true, plan };
}
