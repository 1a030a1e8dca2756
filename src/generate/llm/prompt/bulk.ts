import type { ModelInfo } from '../../../catalog/types.js';
import type { Plan, PlanEntity } from '../../../plan/types.js';
import { bulkValues } from '../../builtin/bulk.js';
import { bulkLabels } from '../../builtin/entities.js';
import type { CodeMode } from './mode.js';
import type { ValueRenderer } from './types.js';

/**
 * The list entities the builtin generator inserts in bulk (`insert_rows`, builtin/bulk.ts), for
 * the prompt: the output package defines `insert_rows` exactly when some scenario has such an
 * entity, so the model is told about it only then, with the entity's values as the columns the
 * builtin module writes (a many-to-one as its foreign-key column) and one example of the call
 * (`insert_rows(session, <Class>, [<row dict> for i in range(n)], overrides, "<label>")`).
 */
export interface BulkText {
  /** One entry per label: where it is in bulk (base, variants) and its values as columns. */
  readonly entries: string[];
  /** The call for the first bulk entity, as the builtin module writes it. */
  readonly example: string;
}

export function describeBulk(
  plan: Plan,
  models: ReadonlyMap<string, ModelInfo>,
  render: ValueRenderer,
  mode: CodeMode,
): BulkText | null {
  const where = new Map<string, { entity: PlanEntity; in: string[] }>();
  const note = (entities: readonly PlanEntity[], labels: readonly string[], name: string) => {
    for (const label of labels) {
      const entity = entities.find((e) => e.label === label)!;
      const seen = where.get(label) ?? { entity, in: [] };
      seen.in.push(name);
      where.set(label, seen);
    }
  };
  note(plan.entities, bulkLabels(plan, models), 'the base');
  for (const v of plan.variants ?? [])
    note(v.entities, bulkLabels(v, models), `variant \`${v.name}\``);
  if (where.size === 0) return null;
  const entries: string[] = [];
  let example: string | null = null;
  for (const [label, { entity, in: places }] of where) {
    const values = bulkValues(entity, models.get(entity.model), models) ?? [];
    const lines = values.map((v) => `    ${render.line(v, entity.count)}`);
    entries.push(
      `- \`${label}\` (${entity.count} ${entity.className}) in ${places.join(', ')}, with the columns:` +
        (lines.length > 0
          ? `\n${lines.join('\n')}`
          : ' none (every column is left to its default)'),
    );
    example ??= [
      `${label} = ${mode.await}insert_rows(`,
      '    session,',
      `    ${entity.className},`,
      '    [',
      `        {${values.map((v) => `"${v.attribute}": ${render.expr(v, entity.count)}`).join(', ')}}`,
      `        for i in range(${entity.count})`,
      '    ],',
      '    overrides,',
      `    "${label}",`,
      ')',
    ].join('\n');
  }
  return { entries, example: example! };
}
