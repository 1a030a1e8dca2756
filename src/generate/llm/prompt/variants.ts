import { moduleVariants } from '../../../plan/module-variants.js';
import type { Plan, PlanEntity, PlanVariant } from '../../../plan/types.js';
import type { ValueRenderer } from './types.js';

/**
 * Each variant the module must provide, as its changes from the base: the model has just read the
 * base's labels and values, so a variant is a handful of lines (what changes, what is removed,
 * which row counts differ) instead of the whole plan again. Everything not listed is as in the
 * base, which the prompt says; the smoke test checks every value of every variant all the same.
 */
export function describeVariants(plan: Plan, render: ValueRenderer): string[] {
  return moduleVariants(plan).map((v) => describeVariant(plan, v, render));
}

function describeVariant(plan: Plan, v: PlanVariant, render: ValueRenderer): string {
  const head = `- \`${v.name}\`${v.description ? ` (${oneLine(v.description)})` : ''}: \`create_${plan.name}__${v.name}\`, fixture \`${plan.name}__${v.name}\``;
  const lines: string[] = [];
  const base = new Map(plan.entities.map((e) => [e.label, e]));
  const lists = new Set(
    [...plan.inherited, ...plan.entities].filter((x) => x.count !== null).map((x) => x.label),
  );
  for (const label of v.removed) {
    lines.push(
      `${label}: not created; the dataclass gets \`${label}=${lists.has(label) ? '[]' : 'None'}\``,
    );
  }
  for (const entity of v.entities) {
    const was = base.get(entity.label);
    if (!was) continue; // a variant changes the base's labels; it never adds one
    lines.push(...entityChanges(was, entity, render));
  }
  const order = v.entities.map((e) => e.label);
  const baseOrder = plan.entities.map((e) => e.label).filter((l) => !v.removed.includes(l));
  if (order.join() !== baseOrder.join()) lines.push(`creation order: ${order.join(', ')}`);
  lines.push(`rows: ${countChanges(plan.expectCounts, v.expectCounts)}`);
  return [head, ...lines.map((l) => `    ${l}`)].join('\n');
}

function entityChanges(was: PlanEntity, now: PlanEntity, render: ValueRenderer): string[] {
  const out: string[] = [];
  if (now.count !== was.count && now.count !== null) {
    out.push(
      `${now.label}: a list of exactly ${now.count} ${now.className} (base: ${was.count ?? 1}), i = 0..${now.count - 1}`,
    );
  }
  const before = new Map(was.values.map((x) => [x.attribute, x]));
  const after = new Map(now.values.map((x) => [x.attribute, x]));
  const attributes = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const attribute of attributes) {
    const a = before.get(attribute);
    const b = after.get(attribute);
    if (b === undefined) {
      out.push(`${now.label}.${attribute}: leave it unset (base: ${render.expr(a!, was.count)})`);
      continue;
    }
    const text = render.expr(b, now.count);
    const old = a === undefined ? null : render.expr(a, was.count);
    if (old === text) continue;
    const line = render.line(b, now.count);
    const [assign, note] = splitNote(line);
    out.push(
      `${now.label}.${assign}  (base: ${old ?? 'not set'})${note === null ? '' : `  # ${note}`}`,
    );
  }
  return out;
}

/** `attr = expr  # note` → [`attr = expr`, `note`]. */
function splitNote(line: string): [string, string | null] {
  const at = line.indexOf('  # ');
  return at < 0 ? [line, null] : [line.slice(0, at), line.slice(at + 4)];
}

function countChanges(
  base: Readonly<Record<string, number>>,
  now: Readonly<Record<string, number>>,
): string {
  const models = [...new Set([...Object.keys(base), ...Object.keys(now)])].sort();
  const changed = models
    .filter((m) => (base[m] ?? 0) !== (now[m] ?? 0))
    .map((m) => `${m}: exactly ${now[m] ?? 0} (base: ${base[m] ?? 0})`);
  return changed.length === 0
    ? 'as in the base'
    : `${changed.join('; ')}; the others as in the base`;
}

function oneLine(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}
