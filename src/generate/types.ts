import type { CatalogView } from '../catalog/slice.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Plan } from '../plan/types.js';
import type { LlmScenarioReport } from './llm/generator/types.js';

export interface GenerateContext {
  readonly config: Config;
  /** The slice of the catalog the input hash covers: the models this scenario and its parents touch. */
  readonly catalog: CatalogView;
  /** Python import path of the output package, e.g. `generated` or `tests.generated`. */
  readonly packageName: string;
  /** Plans by name, for scenarios this one extends. */
  readonly plans: ReadonlyMap<string, Plan>;
  /**
   * Guards and verifies a candidate body exactly as the pipeline will: generators that can learn
   * from the result (the LLM's repair loop) call it themselves and return `validated: true`.
   */
  readonly validate: (body: string) => Promise<readonly Diagnostic[]>;
}

/** A scenario module's body (everything after the header), or why there is none. */
export type GenerateOutcome =
  | {
      readonly ok: true;
      readonly body: string;
      /** True when `validate` already passed for exactly this body. */
      readonly validated?: boolean;
      readonly notes?: readonly string[];
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export interface Generator {
  readonly id: 'builtin' | 'llm';
  /**
   * What besides the scenario and its catalog slice decides the output (templates' hash, or the
   * model and its parameters); part of every input hash.
   */
  fingerprint(): string;
  generate(plan: Plan, ctx: GenerateContext): Promise<GenerateOutcome>;
  /** What the model did for a scenario generated in this process (the LLM generator only). */
  report?(name: string): LlmScenarioReport | undefined;
}
