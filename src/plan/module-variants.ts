import type { Plan, PlanVariant } from './types.js';

/**
 * The variants a scenario module must provide (`create_<name>__<variant>` and the fixture
 * `<name>__<variant>`), in the order the module lists them. The LLM prompt describes them and the
 * verifier's expectations check each one, so both follow this list: variants derived from the
 * catalog (`edge_cases: auto`) reach the model and the smoke test by being returned here.
 */
export function moduleVariants(plan: Plan): readonly PlanVariant[] {
  return plan.variants ?? [];
}
