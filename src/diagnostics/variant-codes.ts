import type { DiagnosticCode } from './codes.js';

/** Names for the codes of named variants and overrides (registry: ./codes.ts). */
export const VariantCodes = {
  unknownLabel: 'FG260',
  countOnSingle: 'FG261',
  changedAndRemoved: 'FG262',
  removedInUse: 'FG263',
} as const satisfies Record<string, DiagnosticCode>;
