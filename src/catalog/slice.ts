import type { Catalog, ModelInfo } from './types.js';

/**
 * The part of the catalog a scenario touches: its models and their foreign-key and relationship
 * neighbours, sorted by qualname. It feeds the input hash (a change elsewhere in the schema does not
 * make a scenario stale) and the LLM prompt (only what the scenario needs is sent).
 */
export function catalogSlice(
  catalog: Pick<Catalog, 'models'>,
  touched: readonly string[],
): ModelInfo[] {
  const byName = new Map(catalog.models.map((m) => [m.qualname, m]));
  const wanted = new Set<string>();
  for (const q of touched) {
    const model = byName.get(q);
    if (!model) continue;
    wanted.add(q);
    for (const col of model.columns) {
      for (const fk of col.foreignKeys) if (fk.model) wanted.add(fk.model);
    }
    for (const rel of model.relationships) wanted.add(rel.target);
    if (model.inherits) wanted.add(model.inherits);
  }
  return [...wanted]
    .sort()
    .map((q) => byName.get(q))
    .filter((m): m is ModelInfo => m !== undefined);
}

/**
 * What a generator sees of the catalog: the introspected model modules and the slice its input hash
 * covers, so that a generator cannot depend on a model whose change would not make its output stale.
 */
export interface CatalogView {
  readonly modules: readonly string[];
  readonly models: readonly ModelInfo[];
  /** The SQLAlchemy version the helper found (the LLM prompt names it). */
  readonly sqlalchemyVersion?: string;
}

export function catalogView(catalog: Catalog, touched: readonly string[]): CatalogView {
  return {
    modules: catalog.modules,
    models: catalogSlice(catalog, touched),
    sqlalchemyVersion: catalog.sqlalchemyVersion,
  };
}
