import type { DiagnosticCode } from './codes.js';

/** Names for the codes of derived edge cases (registry: ./codes.ts). */
export const EdgeCodes = {
  unknownExclude: 'FG264',
  unknownKind: 'FG265',
  caseFailed: 'FG461',
  refusedUntested: 'FG462',
} as const satisfies Record<string, DiagnosticCode>;
