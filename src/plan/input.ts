/**
 * What plan building needs from the scenario stage: entities whose written values are already
 * checked and converted, with the positions diagnostics point at. Keeps src/plan free of YAML.
 */
import type { ModelInfo } from '../catalog/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { PlanInherited, ValueExpr } from './types.js';

/** Where a diagnostic points: file and 1-based span. */
export type Where = Omit<Diagnostic, 'code' | 'message' | 'severity' | 'hint'>;

/** A label visible in a scenario: its own or one from an extended scenario. */
export interface LabelInfo {
  readonly label: string;
  readonly model: ModelInfo;
  readonly count: number | null;
  /** Scenario that defines the label; null for the scenario being compiled. */
  readonly scenario: string | null;
}

export interface RefSite {
  readonly label: string;
  readonly at: Where;
}

export interface WrittenValue {
  readonly attribute: string;
  readonly value: ValueExpr;
  readonly collection: boolean;
  /** Column keys of this entity the value sets (the column itself, or a relationship's columns). */
  readonly covers: readonly string[];
  /** Every reference inside the value. */
  readonly refs: readonly RefSite[];
  /** One-to-many values set the foreign keys of the referenced rows: label → their column keys. */
  readonly reverse: readonly { readonly label: string; readonly columns: readonly string[] }[];
  readonly at: Where;
}

export interface CheckedEntity {
  readonly label: string;
  readonly model: ModelInfo;
  readonly count: number | null;
  readonly values: readonly WrittenValue[];
  /** The label's key in `entities`. */
  readonly at: Where;
}

export interface BuildInput {
  readonly name: string;
  readonly description: string | null;
  readonly source: string;
  readonly extends: readonly string[];
  readonly scope: 'function' | 'module' | 'session';
  /** Labels of extended scenarios, transitively, in their creation order. */
  readonly inherited: readonly PlanInherited[];
  readonly entities: readonly CheckedEntity[];
  /** `expect.counts`, resolved to qualnames, in written order. */
  readonly expectCounts: readonly { readonly model: string; readonly count: number }[];
  readonly edgeCases: 'auto' | readonly string[] | null;
  readonly canonical: string;
  /** Where the scenario starts, for diagnostics about it as a whole. */
  readonly at: Where;
}
