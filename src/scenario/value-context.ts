/** What checking one value needs to know and where its diagnostics go. */
import type { ColumnInfo, ModelInfo, RelationshipInfo } from '../catalog/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { CatalogIndex } from '../plan/catalog-index.js';
import type { LabelInfo, RefSite, Where } from '../plan/input.js';
import { diagAt, spanFor, type Within } from './position.js';
import type { Code } from '../diagnostics/scenario-codes.js';
import type { Path, ScenarioSource } from './types.js';

export type Target =
  | { readonly kind: 'column'; readonly col: ColumnInfo }
  | { readonly kind: 'relationship'; readonly rel: RelationshipInfo };

export interface ValueContext {
  readonly src: ScenarioSource;
  readonly index: CatalogIndex;
  /** Visible labels; null marks a label whose own model did not resolve (already reported). */
  readonly labels: ReadonlyMap<string, LabelInfo | null>;
  readonly entity: {
    readonly label: string;
    readonly model: ModelInfo;
    readonly count: number | null;
  };
  readonly diagnostics: Diagnostic[];
  /** References met while checking the current value. */
  readonly refs: RefSite[];
}

/** The instances a (sub)value applies to: `i < count` with `i % m == r` for every filter. */
export interface Subset {
  readonly count: number;
  readonly filters: readonly (readonly [number, number])[];
}

export function* instances(s: Subset): Generator<number> {
  for (let i = 0; i < s.count; i++) {
    if (s.filters.every(([m, r]) => i % m === r)) yield i;
  }
}

export function where(ctx: ValueContext, path: Path, within?: Within): Where {
  return { file: ctx.src.file, ...spanFor(ctx.src, path, within) };
}

/** Records a diagnostic at `path`, or at a part of the string written there. */
export function report(
  ctx: ValueContext,
  code: Code,
  message: string,
  path: Path,
  hint?: string,
  within?: Within,
): null {
  ctx.diagnostics.push(diagAt(ctx.src, code, message, path, { hint, within }));
  return null;
}

export function targetName(t: Target): string {
  return t.kind === 'column' ? t.col.key : t.rel.key;
}

export function short(qualname: string): string {
  return qualname.slice(qualname.lastIndexOf('.') + 1);
}
