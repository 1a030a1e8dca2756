/**
 * Named variants (`variants:`): each is the scenario with a few of its own entities changed
 * (values replaced, another count) or removed. A variant is checked by analysing a copy of the
 * scenario document in which the variant's YAML nodes replace the base's: every node keeps its
 * source range, so a diagnostic about a variant's value points at that value, and one about a
 * base value the change broke points at the base value.
 */
import { isMap, isScalar, Pair, YAMLMap, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics/types.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { VariantCodes } from '../diagnostics/variant-codes.js';
import { diagAt, locate, spanAt } from './position.js';
import type { RawScenario, ScenarioSource } from './types.js';

export interface VariantSource {
  readonly name: string;
  readonly description: string | null;
  /** The scenario document with the variant applied, for `analyzeScenario`. */
  readonly src: ScenarioSource;
  readonly raw: RawScenario;
  readonly removed: readonly string[];
}

function keyOf(node: unknown): string | null {
  if (!isScalar(node)) return null;
  const v = node.value;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : null;
}

function pairIn(map: YAMLMap, key: string): Pair | undefined {
  const found: Pair | undefined = map.items.find((p) => keyOf(p.key) === key);
  return found;
}

/** Sets `key` (the variant's key node) to `value` in `map`, replacing the base pair. */
function setPair(map: YAMLMap, key: Node, value: Node | null): void {
  const text = keyOf(key);
  const at = map.items.findIndex((p) => keyOf(p.key) === text);
  const pair = new Pair(key, value);
  if (at >= 0) map.items[at] = pair;
  else map.items.push(pair);
}

/** `@label`, `@label[…]` or `@label.attr` written anywhere in a value (not `@@text`). */
function referencedLabelsIn(value: unknown, out: Set<string>): Set<string> {
  if (typeof value === 'string') {
    const m = /^@([A-Za-z_][A-Za-z0-9_]*)/.exec(value);
    if (m && !value.startsWith('@@')) out.add(m[1]!);
  } else if (Array.isArray(value)) value.forEach((v) => referencedLabelsIn(v, out));
  else if (value !== null && typeof value === 'object')
    Object.values(value).forEach((v) => referencedLabelsIn(v, out));
  return out;
}

/**
 * The variants of a scenario as documents to analyse, or the diagnostics that prevent a variant
 * (an unknown label, `count` on a single instance, removing a label something still refers to).
 */
export function variantSources(
  src: ScenarioSource,
  raw: RawScenario,
  inheritedLabels: ReadonlySet<string>,
): { readonly variants: VariantSource[]; readonly diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const variants: VariantSource[] = [];
  const own = raw.entities ?? {};
  const labels = Object.keys(own);
  const unknown = (label: string, path: (string | number)[], which: 'key' | 'value') => {
    const inherited = inheritedLabels.has(label);
    diagnostics.push(
      diagAt(
        src,
        VariantCodes.unknownLabel,
        inherited
          ? `variant changes "${label}", a label of an extended scenario`
          : `variant changes unknown label "${label}"`,
        path,
        {
          which,
          hint: inherited
            ? 'a variant changes only the scenario’s own entities; pass overrides to change inherited rows'
            : (didYouMean(label, labels) ?? `own labels: ${labels.join(', ') || 'none'}`),
        },
      ),
    );
  };
  for (const [name, variant] of Object.entries(raw.variants ?? {})) {
    const base = ['variants', name];
    const before = diagnostics.length;
    const changes = variant.entities ?? {};
    const removed = variant.remove ?? [];
    for (const [label, change] of Object.entries(changes)) {
      if (!Object.hasOwn(own, label)) unknown(label, [...base, 'entities', label], 'key');
      else if (change.count !== undefined && own[label]!.count === undefined) {
        diagnostics.push(
          diagAt(
            src,
            VariantCodes.countOnSingle,
            `variant gives "${label}" a count, but "${label}" is one instance`,
            [...base, 'entities', label, 'count'],
            {
              which: 'key',
              hint: 'a variant keeps the shape of each label: give count only to a label that has one',
            },
          ),
        );
      }
      if (removed.includes(label)) {
        diagnostics.push(
          diagAt(
            src,
            VariantCodes.changedAndRemoved,
            `variant both changes and removes "${label}"`,
            [...base, 'entities', label],
            { which: 'key', hint: 'keep one of the two' },
          ),
        );
      }
    }
    removed.forEach((label, k) => {
      if (!Object.hasOwn(own, label)) unknown(label, [...base, 'remove', k], 'value');
    });
    if (diagnostics.length > before) continue;

    const doc = src.doc.clone();
    const data = structuredClone(src.data) as Record<string, unknown>;
    const dataEntities = data.entities as Record<string, Record<string, unknown>>;
    const entities = doc.getIn(['entities'], true);
    if (!isMap(entities)) continue;
    for (const [label, change] of Object.entries(changes)) {
      const entity = pairIn(entities, label)?.value;
      const located = locate(src, [...base, 'entities', label]);
      if (!isMap(entity) || !isMap(located.node)) continue;
      for (const field of ['count', 'values'] as const) {
        const pair = pairIn(located.node, field);
        if (pair === undefined) continue;
        if (field === 'count') {
          setPair(entity, pair.key as Node, pair.value as Node);
          dataEntities[label]!.count = change.count;
          continue;
        }
        let values = pairIn(entity, 'values')?.value;
        if (!isMap(values)) {
          values = new YAMLMap();
          setPair(entity, pair.key as Node, values as YAMLMap);
        }
        const written = isMap(pair.value) ? pair.value.items : [];
        for (const p of written) setPair(values as YAMLMap, p.key as Node, p.value as Node);
        dataEntities[label]!.values = {
          ...(dataEntities[label]!.values ?? {}),
          ...change.values,
        };
      }
    }
    for (const label of removed) {
      entities.items = entities.items.filter((p) => keyOf(p.key) !== label);
      delete dataEntities[label];
    }
    // What is left may not refer to what was removed.
    let broken = false;
    for (const [label, entity] of Object.entries(dataEntities)) {
      for (const [attr, value] of Object.entries(
        (entity.values as Record<string, unknown> | undefined) ?? {},
      )) {
        for (const gone of referencedLabelsIn(value, new Set())) {
          const k = removed.indexOf(gone);
          if (k < 0) continue;
          const changed = Object.hasOwn(changes[label]?.values ?? {}, attr);
          const site = changed
            ? [...base, 'entities', label, 'values', attr]
            : ['entities', label, 'values', attr];
          const at = spanAt(src, site);
          diagnostics.push(
            diagAt(
              src,
              VariantCodes.removedInUse,
              `variant removes "${gone}", but ${label}.${attr} refers to it (${src.file}:${at.line}:${at.column})`,
              [...base, 'remove', k],
              {
                hint: `remove ${label} too, or give ${label}.${attr} another value in this variant`,
              },
            ),
          );
          broken = true;
        }
      }
    }
    if (broken) continue;
    delete data.variants;
    const { variants: _drop, ...rest } = raw;
    void _drop;
    variants.push({
      name,
      description: variant.description ?? null,
      src: { ...src, doc: doc as ScenarioSource['doc'], data },
      raw: { ...rest, entities: dataEntities as unknown as RawScenario['entities'] },
      removed,
    });
  }
  return { variants, diagnostics };
}
