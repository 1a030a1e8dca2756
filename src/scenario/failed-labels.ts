/**
 * The labels a scenario sees from extended scenarios that failed. Their plans do not exist, but
 * the scenario's own errors are still worth reporting, so references to those labels are let
 * through (their models when the parent's entities say, else unchecked) instead of failing as
 * unknown labels. A parent whose file could not be read hides which labels it has: then any
 * label is taken to be one of its own.
 */
import type { Catalog } from '../catalog/types.js';
import type { LabelInfo } from '../plan/input.js';
import type { Entry } from './entry.js';
import { listOf } from './entry.js';
import { resolveModel } from './models.js';

/** Labels visible in a scenario; `get` gives null for a label whose model is not known. */
export class LabelMap extends Map<string, LabelInfo | null> {
  constructor(private readonly open: boolean) {
    super();
  }

  override has(label: string): boolean {
    return this.open || super.has(label);
  }

  override get(label: string): LabelInfo | null | undefined {
    return super.has(label) ? super.get(label) : this.open ? null : undefined;
  }
}

export class FailedLabels {
  private readonly labels = new Map<string, LabelInfo | null>();
  private open = false;
  private seen = new Set<Entry>();

  get any(): boolean {
    return this.open || this.labels.size > 0 || this.seen.size > 0;
  }

  /** Adds the labels `base` declares and those of every scenario it extends. */
  add(
    base: Entry,
    byName: ReadonlyMap<string, Entry>,
    catalog: Catalog,
    defaultModels: readonly string[],
  ): void {
    if (this.seen.has(base)) return;
    this.seen.add(base);
    if (base.plan !== null) {
      for (const l of [...base.plan.inherited, ...base.plan.entities]) {
        const model = catalog.models.find((m) => m.qualname === l.model);
        this.labels.set(l.label, model ? { ...l, model, scenario: base.plan.name } : null);
      }
      return;
    }
    const data = base.src?.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      this.open = true;
      return;
    }
    const doc = data as Record<string, unknown>;
    const entities = doc.entities;
    if (entities !== undefined && (entities === null || typeof entities !== 'object')) {
      this.open = true;
      return;
    }
    const paths =
      typeof doc.models === 'string' || Array.isArray(doc.models)
        ? listOf(doc.models as string | string[])
        : defaultModels;
    for (const [label, raw] of Object.entries((entities ?? {}) as Record<string, unknown>)) {
      const entity = (raw ?? {}) as { model?: unknown; count?: unknown };
      const found =
        typeof entity.model === 'string' ? resolveModel(entity.model, catalog, paths) : null;
      const count = typeof entity.count === 'number' ? entity.count : null;
      this.labels.set(
        label,
        found?.ok ? { label, model: found.model, count, scenario: base.name } : null,
      );
    }
    const parents = doc.extends;
    if (typeof parents === 'string' || Array.isArray(parents)) {
      for (const name of listOf(parents as string | string[])) {
        const parent = byName.get(String(name));
        if (parent === undefined) this.open = true;
        else this.add(parent, byName, catalog, defaultModels);
      }
    }
  }

  /** The label map a scenario extending these starts from. */
  view(): LabelMap {
    const map = new LabelMap(this.open);
    for (const [k, v] of this.labels) map.set(k, v);
    return map;
  }
}
