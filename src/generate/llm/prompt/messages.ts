import { catalogSlice } from '../../../catalog/slice.js';
import type { ModelInfo } from '../../../catalog/types.js';
import type { Plan } from '../../../plan/types.js';
import { className } from '../../builtin/render.js';
import type { ChatMessage } from '../client/types.js';
import { formatModels } from './catalog.js';
import { codeMode } from './mode.js';
import { describeBulk } from './bulk.js';
import { countLines, describePlan, scenarioYaml, signatures, valueRenderer } from './plan.js';
import type { PromptTemplates } from './templates.js';
import type { PromptContext } from './types.js';

/**
 * The prompt: a system message that is the same for every scenario of a project (the contract,
 * the rules, an example), then one user message with everything about the scenario. Servers with
 * prefix caching (vLLM) reuse the first message's blocks across scenarios.
 */

export interface PromptOptions {
  /**
   * The models described in the prompt; default the catalog slice the scenario touches. The
   * benchmark passes the whole catalog to measure what the slice saves.
   */
  readonly models?: readonly ModelInfo[];
}

/** The first request's messages for a scenario. */
export function buildMessages(
  plan: Plan,
  ctx: PromptContext,
  templates: PromptTemplates,
  options: PromptOptions = {},
): ChatMessage[] {
  return [
    { role: 'system', content: systemText(ctx, templates) },
    { role: 'user', content: scenarioText(plan, ctx, templates, options) },
  ];
}

export function systemText(ctx: PromptContext, templates: PromptTemplates): string {
  const modules = [...new Set(ctx.catalog.modules)].sort();
  return finish(
    templates.system({
      package: ctx.packageName,
      sessionFixture: ctx.sessionFixture,
      modelModules: modules.map((m) => `\`${m}\``).join(', ') || '(none)',
      sqlalchemy: release(ctx.catalog.sqlalchemyVersion),
      ...codeMode(ctx.async),
    }),
  );
}

export function scenarioText(
  plan: Plan,
  ctx: PromptContext,
  templates: PromptTemplates,
  options: PromptOptions = {},
): string {
  const models = options.models ?? catalogSlice(ctx.catalog, plan.models);
  const parents = plan.extends.map((p) => ({
    name: p,
    cls: ctx.plans.get(p)?.className ?? className(p),
  }));
  const described = describePlan(plan, ctx);
  const mode = codeMode(ctx.async);
  const bulk = describeBulk(
    plan,
    new Map(ctx.catalog.models.map((m) => [m.qualname, m])),
    valueRenderer(plan),
    mode,
  );
  return finish(
    templates.scenario({
      name: plan.name,
      className: plan.className,
      source: plan.source,
      package: ctx.packageName,
      description: plan.description?.trim() || null,
      yaml: scenarioYaml(plan),
      catalog: formatModels(models),
      labels: described.labels,
      imports: described.imports.length > 0 ? described.imports.join('; ') : null,
      counts: countLines(plan),
      variants: described.variants.length > 0 ? described.variants : null,
      edgeCases: Array.isArray(plan.edgeCases) && plan.edgeCases.length > 0 ? plan.edgeCases : null,
      extends: parents.length > 0,
      extendsText: parents.map((p) => `\`${p.name}\``).join(', '),
      extendsImports: parents
        .map((p) => `\`from ${ctx.packageName}.${p.name} import ${p.cls}, create_${p.name}\``)
        .join(', '),
      signatures: signatures(plan, ctx, parents, mode, bulk !== null),
      bulk: bulk?.entries ?? null,
      bulkExample: bulk?.example ?? null,
      ...mode,
    }),
  );
}

/** The message that asks for a corrected module, listing what failed. */
export function repairText(
  templates: PromptTemplates,
  problems: readonly string[],
  round: number,
  rounds: number,
): string {
  return finish(templates.repair({ problems, round, rounds }));
}

/**
 * The SQLAlchemy release the catalog reports (the project's own environment: 1.4 or 2.x), as
 * major.minor: what the code depends on, and a patch upgrade keeps the prompt (and the answer
 * cache's keys) as they were.
 */
function release(version: string | undefined): string | null {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  return m ? `${m[1]}.${m[2]}` : null;
}

function finish(text: string): string {
  return `${text.trim()}\n`;
}
