/** Exit codes of every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2, environment: 3 } as const;

/** A usage or configuration error already reported: the command exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
