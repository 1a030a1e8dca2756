/**
 * Diagnostics are values, not exceptions: every stage returns them, the CLI collects all of them
 * across scenarios and renders them at the end.
 *
 * Codes come from the registry (codes.ts): a code missing there does not compile.
 */
import type { DiagnosticCode } from './codes.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** Path relative to the project root, with forward slashes. */
  readonly file?: string;
  /** 1-based. */
  readonly line?: number;
  /** 1-based. */
  readonly column?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly hint?: string;
}

/** A stage's result: the value, or the diagnostics that prevented it. */
export type Result<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export function ok<T>(value: T, warnings: readonly Diagnostic[] = []): Result<T> {
  return { ok: true, value, warnings };
}

export function fail<T>(diagnostics: readonly Diagnostic[]): Result<T> {
  return { ok: false, diagnostics };
}

export function error(
  code: DiagnosticCode,
  message: string,
  where: Omit<Diagnostic, 'code' | 'message' | 'severity'> = {},
): Diagnostic {
  return { code, severity: 'error', message, ...where };
}
