/**
 * References (`@label`, `@label[INDEX]`) checked against the visible labels and the attribute:
 * label, model, one instance or a list, index range, and references of a list to itself.
 */
import type { ModelInfo, RelationshipInfo } from '../catalog/types.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { LabelInfo } from '../plan/input.js';
import type { IndexExpr, ValueExpr } from '../plan/types.js';
import { Codes } from '../diagnostics/scenario-codes.js';
import { evalIndex, parseReference, referenceParts, showIndex, type TextPart } from './forms.js';
import type { Within } from './position.js';
import type { Path } from './types.js';
import {
  instances,
  report,
  short,
  targetName,
  where,
  type Subset,
  type Target,
  type ValueContext,
} from './value-context.js';

/** Parses and checks a `@label[INDEX]` string for the attribute. */
export function checkReference(
  ctx: ValueContext,
  target: Target,
  text: string,
  path: Path,
  subset: Subset,
  inList: boolean,
): ValueExpr | null {
  const ref = parseReference(text);
  if (!ref.ok) {
    const at = ref.at === null ? undefined : { value: text, part: ref.at };
    return report(ctx, Codes.badReference, ref.message, path, ref.hint, at);
  }
  // Diagnostics about the label point at it, those about the index at the index.
  const parts = referenceParts(text)!;
  const atLabel: Within = { value: text, part: parts.label };
  const atIndex = (part: TextPart | null): Within | undefined =>
    part === null ? undefined : { value: text, part };
  if (!ctx.labels.has(ref.label)) {
    return report(
      ctx,
      Codes.unknownLabel,
      `unknown label "${ref.label}" in ${text}`,
      path,
      didYouMean(ref.label, ctx.labels.keys()) ??
        `labels here: ${[...ctx.labels.keys()].sort().join(', ') || 'none'}`,
      atLabel,
    );
  }
  const label = ctx.labels.get(ref.label) ?? null;
  if (label === null) return null;
  ctx.refs.push({ label: ref.label, at: where(ctx, path, atLabel) });

  // What the attribute accepts: which model, one instance or a collection, which attribute.
  let expected: string;
  let attribute: string | null = null;
  let collection = false;
  if (target.kind === 'relationship') {
    if (target.rel.viewonly) {
      return report(
        ctx,
        Codes.notSettable,
        `${target.rel.key} is a view-only relationship and cannot be set`,
        path,
        viewOnlyHint(ctx.entity.model, target.rel),
      );
    }
    expected = target.rel.target;
    collection = target.rel.uselist;
  } else {
    const fks = target.col.foreignKeys;
    if (fks.length === 0) {
      const viaRel = ctx.entity.model.relationships.find((r) =>
        r.localColumns.includes(target.col.key),
      );
      return report(
        ctx,
        Codes.notReferenceable,
        `${target.col.key} is neither a relationship nor a foreign-key column, so it cannot take the reference ${text}`,
        path,
        viaRel
          ? `set the relationship ${viaRel.key} instead`
          : `write "@${text}" for the literal text ${text}`,
      );
    }
    const fk =
      fks.find((f) => f.model !== null && ctx.index.isA(label.model.qualname, f.model)) ?? fks[0]!;
    if (fk.model === null || fk.attribute === null) {
      return report(
        ctx,
        Codes.notReferenceable,
        `${target.col.key} refers to ${fk.table}.${fk.column}, which no mapped class maps`,
        path,
        'set the value itself instead of a reference',
      );
    }
    expected = fk.model;
    attribute = fk.attribute;
  }
  if (!ctx.index.isA(label.model.qualname, expected)) {
    return report(
      ctx,
      Codes.wrongModel,
      `${text} is a ${label.model.name}, but ${targetName(target)} needs a ${short(expected)}`,
      path,
      suggestLabel(ctx, expected, ref.label),
      atLabel,
    );
  }

  const index = ref.index;
  if (index !== null && label.count === null) {
    return report(
      ctx,
      Codes.badReference,
      `${ref.label} is one instance, not a list, so it takes no index`,
      path,
      `write "@${ref.label}"`,
      atIndex(parts.brackets),
    );
  }
  if (index === null && label.count !== null && (!collection || inList)) {
    const hint = inList
      ? `write "@${ref.label}" alone to set the whole list, or index it: "@${ref.label}[0]"`
      : `pick one: "@${ref.label}[0]" or "@${ref.label}[i]"`;
    return report(
      ctx,
      Codes.listWhereOne,
      `${ref.label} is a list of ${label.count}; ${targetName(target)} needs one instance`,
      path,
      hint,
      atLabel,
    );
  }
  if (
    index !== null &&
    label.count !== null &&
    !checkIndex(ctx, ref.label, label.count, index, path, subset, atIndex(parts.index))
  ) {
    return null;
  }
  if (
    ref.label === ctx.entity.label &&
    !checkSelf(ctx, ref.label, index, path, subset, atIndex(parts.index) ?? atLabel)
  )
    return null;

  const expr: ValueExpr = { kind: 'ref', label: ref.label, index, attribute };
  // One instance on a collection relationship is a collection of one.
  if (collection && !inList && (index !== null || label.count === null))
    return { kind: 'refList', items: [expr] };
  return expr;
}

/** A writable relationship to the same model, or the foreign-key columns, to set instead. */
export function viewOnlyHint(model: ModelInfo, rel: RelationshipInfo): string {
  const writable = model.relationships.find(
    (r) => !r.viewonly && r.target === rel.target && r.uselist === rel.uselist,
  );
  if (writable) return `set ${writable.key} instead`;
  const fks = model.columns.filter((c) => c.foreignKeys.some((f) => f.model === rel.target));
  if (fks.length > 0) return `set ${fks.map((c) => c.key).join(' or ')} instead`;
  return 'a view-only relationship is read from the database, never written';
}

function suggestLabel(ctx: ValueContext, model: string, written: string): string | undefined {
  const fits = [...ctx.labels.values()]
    .filter((l): l is LabelInfo => l !== null && ctx.index.isA(l.model.qualname, model))
    .map((l) => l.label);
  if (fits.length === 0) return `no label here is a ${short(model)}`;
  return (
    didYouMean(written, fits, (label) => `@${label}`) ??
    `labels that are a ${short(model)}: ${fits.sort().join(', ')}`
  );
}

function checkIndex(
  ctx: ValueContext,
  label: string,
  count: number,
  index: IndexExpr,
  path: Path,
  subset: Subset,
  within: Within | undefined,
): boolean {
  let worst = -1;
  let at = 0;
  if (index.kind === 'const') worst = index.value;
  else {
    for (const i of instances(subset)) {
      const j = evalIndex(index, i);
      if (j > worst) {
        worst = j;
        at = i;
      }
    }
  }
  if (worst < count) return true;
  const reach =
    index.kind === 'const'
      ? `index ${worst}`
      : `index ${showIndex(index)} reaches ${worst} (for i = ${at})`;
  const fix =
    index.kind === 'const'
      ? `the last one is "@${label}[${count - 1}]"`
      : index.kind === 'div'
        ? `use "@${label}[i // ${Math.floor(at / count) + 1}]" to stay within it`
        : `use "@${label}[i % ${count}]" to wrap around`;
  report(
    ctx,
    Codes.indexRange,
    `${reach}, but ${label} has ${count} instance${count === 1 ? '' : 's'} (0..${count - 1})`,
    path,
    fix,
    within,
  );
  return false;
}

/**
 * A list may refer to its own earlier instances only; a single instance never to itself. `at` is
 * the index, or the label when there is none.
 */
function checkSelf(
  ctx: ValueContext,
  label: string,
  index: IndexExpr | null,
  path: Path,
  subset: Subset,
  at: Within,
): boolean {
  if (index === null) {
    report(
      ctx,
      Codes.referenceCycle,
      `reference cycle: ${label} → ${label}`,
      path,
      'an instance cannot reference itself',
      at,
    );
    return false;
  }
  for (const i of instances(subset)) {
    const j = evalIndex(index, i);
    if (j >= i) {
      const what = j === i ? 'itself' : `${label}[${j}], which is created after it`;
      report(
        ctx,
        Codes.selfReference,
        `${label}[${i}] would reference ${what}`,
        path,
        'an instance of a list may only reference earlier instances of the same list',
        at,
      );
      return false;
    }
  }
  return true;
}
