/**
 * Diagnostics are values, not exceptions: every stage returns them, the CLI collects all of them
 * across scenarios and renders them at the end.
 *
 * Code ranges: FG1xx scenario (YAML, schema), FG2xx catalog and semantic, FG3xx generation,
 * FG4xx verification, FG5xx output and check, FG6xx configuration and environment.
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly code: string;
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
  code: string,
  message: string,
  where: Omit<Diagnostic, 'code' | 'message' | 'severity'> = {},
): Diagnostic {
  return { code, severity: 'error', message, ...where };
}
