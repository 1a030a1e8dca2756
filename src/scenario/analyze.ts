/**
 * Semantic checks of one scenario against the catalog: models, attributes, values, references.
 * Produces the checked entities plan building takes, or the diagnostics that prevent them.
 */
import type { Catalog, ModelInfo, RelationshipInfo } from '../catalog/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { hintFor } from '../diagnostics/suggest.js';
import { CatalogIndex } from '../plan/catalog-index.js';
import type { CheckedEntity, LabelInfo, WrittenValue } from '../plan/input.js';
import { Codes } from '../diagnostics/scenario-codes.js';
import type { FailedLabels } from './failed-labels.js';
import { resolveModel } from './models.js';
import { viewOnlyHint } from './references.js';
import { diagAt, spanAt } from './position.js';
import type { RawEntity, RawScenario, ScenarioSource } from './types.js';
import { checkValue, type Target, type ValueContext } from './values.js';

export interface Analysis {
  readonly entities: readonly CheckedEntity[];
  readonly expectCounts: readonly { readonly model: string; readonly count: number }[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Foreign-key columns of `target` that a one-to-many `rel` from `owner` fills in. */
function reverseColumns(index: CatalogIndex, owner: ModelInfo, rel: RelationshipInfo): string[] {
  const target = index.model(rel.target);
  if (!target) return [];
  if (rel.backPopulates !== null) {
    const back = target.relationships.find((r) => r.key === rel.backPopulates);
    if (back && back.direction === 'MANYTOONE') return [...back.localColumns];
  }
  // Without back_populates: the target's foreign keys that point at the owner's table.
  const fks = target.columns.filter((c) =>
    c.foreignKeys.some((f) => f.model !== null && index.isA(owner.qualname, f.model)),
  );
  return fks.length === 1 ? [fks[0]!.key] : [];
}

function resolveAttribute(
  model: ModelInfo,
  key: string,
): { target: Target } | { hint: string | undefined } {
  const col = model.columns.find((c) => c.key === key);
  if (col) return { target: { kind: 'column', col } };
  const rel = model.relationships.find((r) => r.key === key);
  if (rel) return { target: { kind: 'relationship', rel } };
  const byDbName = model.columns.find((c) => c.name === key);
  if (byDbName) {
    return { hint: `"${key}" is the database column name; the attribute is ${byDbName.key}` };
  }
  const keys = [...model.columns.map((c) => c.key), ...model.relationships.map((r) => r.key)];
  return { hint: hintFor(key, keys, `attributes of ${model.name}`) };
}

function checkEntityValues(
  src: ScenarioSource,
  index: CatalogIndex,
  labels: ReadonlyMap<string, LabelInfo | null>,
  label: string,
  model: ModelInfo,
  raw: RawEntity,
  diagnostics: Diagnostic[],
): WrittenValue[] | null {
  const count = raw.count ?? null;
  const out: WrittenValue[] = [];
  let failed = false;
  const written = raw.values ?? {};
  for (const key of Object.keys(written)) {
    const path = ['entities', label, 'values', key];
    const found = resolveAttribute(model, key);
    if (!('target' in found)) {
      diagnostics.push(
        diagAt(src, Codes.unknownAttribute, `${model.name} has no attribute "${key}"`, path, {
          which: 'key',
          hint: found.hint,
        }),
      );
      failed = true;
      continue;
    }
    const target = found.target;
    if (target.kind === 'relationship' && target.rel.viewonly) {
      diagnostics.push(
        diagAt(
          src,
          Codes.notSettable,
          `${key} is a view-only relationship and cannot be set`,
          path,
          { which: 'key', hint: viewOnlyHint(model, target.rel) },
        ),
      );
      failed = true;
      continue;
    }
    const ctx: ValueContext = {
      src,
      index,
      labels,
      entity: { label, model, count },
      diagnostics,
      refs: [],
    };
    const value = checkValue(ctx, target, written[key], path);
    if (value === null) {
      failed = true;
      continue;
    }
    const rel = target.kind === 'relationship' ? target.rel : null;
    const reverse =
      rel !== null && rel.direction === 'ONETOMANY'
        ? (() => {
            const columns = reverseColumns(index, model, rel);
            return [...new Set(ctx.refs.map((r) => r.label))].map((l) => ({ label: l, columns }));
          })()
        : [];
    out.push({
      attribute: key,
      value,
      collection: rel?.uselist ?? false,
      covers: rel === null ? [key] : rel.direction === 'MANYTOONE' ? [...rel.localColumns] : [],
      refs: ctx.refs,
      reverse,
      at: { file: src.file, ...spanAt(src, path) },
    });
  }
  // A relationship and one of its own foreign-key columns written together contradict each other.
  for (const v of out) {
    const rel = model.relationships.find((r) => r.key === v.attribute);
    if (!rel) continue;
    for (const colKey of rel.localColumns) {
      if (colKey !== v.attribute && Object.hasOwn(written, colKey)) {
        diagnostics.push(
          diagAt(
            src,
            Codes.setTwice,
            `${colKey} is set twice: directly and through the relationship ${rel.key}`,
            ['entities', label, 'values', colKey],
            { which: 'key', hint: `keep one of ${rel.key} and ${colKey}` },
          ),
        );
        failed = true;
      }
    }
  }
  return failed ? null : out;
}

/**
 * Checks the entities and `expect` of a scenario whose schema check passed. `inherited` are the
 * labels of the scenarios it extends (already checked), `modelPaths` restrict model lookup.
 */
export function analyzeScenario(
  src: ScenarioSource,
  raw: RawScenario,
  catalog: Catalog,
  modelPaths: readonly string[],
  inherited: readonly LabelInfo[],
  /** Describes where an extended scenario defines a label, for messages. */
  labelSite: (scenario: string, label: string) => string = (scenario) => scenario,
  /** Labels of extended scenarios that failed (their own diagnostics are reported elsewhere). */
  failed?: FailedLabels,
): Analysis {
  const index = new CatalogIndex(catalog);
  const diagnostics: Diagnostic[] = [];
  const labels: Map<string, LabelInfo | null> =
    failed?.view() ?? new Map<string, LabelInfo | null>();
  for (const l of inherited) labels.set(l.label, l);

  const entities = raw.entities ?? {};
  const own: { label: string; model: ModelInfo; raw: RawEntity }[] = [];
  for (const [label, entity] of Object.entries(entities)) {
    const prior = inherited.find((l) => l.label === label);
    if (prior) {
      diagnostics.push(
        diagAt(
          src,
          Codes.labelClash,
          `label "${label}" is already defined by the extended scenario ${labelSite(prior.scenario ?? '', label)}`,
          ['entities', label],
          {
            which: 'key',
            hint: 'labels are unique within a scenario and what it extends; rename it',
          },
        ),
      );
      continue;
    }
    const found = resolveModel(entity.model, catalog, modelPaths);
    if (!found.ok) {
      diagnostics.push(
        diagAt(src, found.code, found.message, ['entities', label, 'model'], { hint: found.hint }),
      );
      labels.set(label, null);
      continue;
    }
    if (found.model.abstract) {
      diagnostics.push(
        diagAt(
          src,
          Codes.notSettable,
          `${found.model.name} is abstract and cannot be created`,
          ['entities', label, 'model'],
          { hint: 'use one of its concrete subclasses' },
        ),
      );
      labels.set(label, null);
      continue;
    }
    labels.set(label, {
      label,
      model: found.model,
      count: entity.count ?? null,
      scenario: null,
    });
    own.push({ label, model: found.model, raw: entity });
  }

  const checked: CheckedEntity[] = [];
  for (const e of own) {
    const values = checkEntityValues(src, index, labels, e.label, e.model, e.raw, diagnostics);
    if (values === null) continue;
    checked.push({
      label: e.label,
      model: e.model,
      count: e.raw.count ?? null,
      values,
      at: { file: src.file, ...spanAt(src, ['entities', e.label], 'key') },
    });
  }

  const expectCounts: { model: string; count: number }[] = [];
  for (const [name, count] of Object.entries(raw.expect?.counts ?? {})) {
    const found = resolveModel(name, catalog, modelPaths);
    if (!found.ok) {
      diagnostics.push(
        diagAt(src, found.code, found.message, ['expect', 'counts', name], {
          which: 'key',
          hint: found.hint,
        }),
      );
      continue;
    }
    expectCounts.push({ model: found.model.qualname, count });
  }
  return { entities: checked, expectCounts, diagnostics };
}
