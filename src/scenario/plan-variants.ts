/**
 * Plans of a scenario's named variants: each variant's document (variants.ts) is analysed and
 * planned like the base, and its diagnostics say which variant they belong to.
 */
import type { Diagnostic, Result } from '../diagnostics/types.js';
import type { CheckedEntity, LabelInfo } from '../plan/input.js';
import type { Plan, PlanVariant } from '../plan/types.js';
import type { Analysis } from './analyze.js';
import type { RawScenario, ScenarioSource } from './types.js';
import { variantSources } from './variants.js';

export function planVariants(
  src: ScenarioSource,
  raw: RawScenario,
  inherited: readonly LabelInfo[],
  analyze: (src: ScenarioSource, raw: RawScenario) => Analysis,
  plan: (entities: readonly CheckedEntity[]) => Result<Plan>,
): { readonly variants: PlanVariant[]; readonly diagnostics: Diagnostic[] } {
  const found = variantSources(src, raw, new Set(inherited.map((l) => l.label)));
  const diagnostics = [...found.diagnostics];
  const variants: PlanVariant[] = [];
  for (const v of found.variants) {
    const within = (d: Diagnostic): Diagnostic => ({
      ...d,
      message: `variant "${v.name}": ${d.message}`,
    });
    // `expect.counts` speaks of the base: a variant's counts are derived from its entities.
    const { expect: _expect, ...rest } = v.raw;
    void _expect;
    const analysis = analyze(v.src, rest);
    if (analysis.diagnostics.length > 0) {
      diagnostics.push(...analysis.diagnostics.map(within));
      continue;
    }
    const built = plan(analysis.entities);
    if (!built.ok) {
      diagnostics.push(...built.diagnostics.map(within));
      continue;
    }
    variants.push({
      name: v.name,
      description: v.description,
      entities: built.value.entities,
      removed: v.removed,
      expectCounts: built.value.expectCounts,
    });
  }
  return { variants, diagnostics };
}
