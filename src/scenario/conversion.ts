/** Shapes shared by the literal converters. */
import type { ColumnInfo } from '../catalog/types.js';
import type { PyLiteral } from '../plan/types.js';
import { Codes, type Code } from '../diagnostics/scenario-codes.js';

export interface LiteralInput {
  /** The YAML value as plain data. */
  readonly value: unknown;
  /** Source text of a plain YAML scalar (exact digits), or null. */
  readonly source: string | null;
  /** True for the text of an interpolation: converted like a plain scalar written as that text. */
  readonly interpolated?: boolean;
}

export type Conversion =
  | { readonly ok: true; readonly value: PyLiteral }
  | {
      readonly ok: false;
      readonly code: Code;
      readonly message: string;
      readonly hint?: string;
      /** Where inside a list or mapping value the problem is, relative to the value. */
      readonly at?: readonly (string | number)[];
    };

export type Column = Pick<
  ColumnInfo,
  'key' | 'type' | 'family' | 'length' | 'precision' | 'scale' | 'timezone' | 'enum' | 'itemFamily'
> &
  Partial<Pick<ColumnInfo, 'storedAs' | 'unplaced'>>;

export function bad(message: string, hint?: string, code: Code = Codes.typeMismatch): Conversion {
  return hint === undefined ? { ok: false, code, message } : { ok: false, code, message, hint };
}

export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'a mapping';
  return String(v);
}
