import type { Catalog, ModelInfo } from '../catalog/types.js';

/** Lookups over a catalog that plan building and checking need again and again. */
export class CatalogIndex {
  private readonly byQualname = new Map<string, ModelInfo>();

  constructor(readonly catalog: Catalog) {
    for (const m of catalog.models) this.byQualname.set(m.qualname, m);
  }

  model(qualname: string): ModelInfo | undefined {
    return this.byQualname.get(qualname);
  }

  /** The model's qualname followed by its mapped ancestors', nearest first. */
  lineage(qualname: string): string[] {
    const out: string[] = [];
    let cur: string | null = qualname;
    while (cur !== null && !out.includes(cur)) {
      out.push(cur);
      cur = this.byQualname.get(cur)?.inherits ?? null;
    }
    return out;
  }

  /** True when `qualname` is `ancestor` or inherits from it. */
  isA(qualname: string, ancestor: string): boolean {
    return this.lineage(qualname).includes(ancestor);
  }
}
