/**
 * JSON with object keys sorted at every level, so equal values give equal bytes. Every hash in
 * fixturegen (output headers, the watch's catalog slices, the LLM answer cache, a scenario's
 * canonical form) is taken over this text: one implementation keeps them from drifting apart.
 * A replacer sees values after `toJSON` and keeps a `__proto__` key as data.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
          a < b ? -1 : a > b ? 1 : 0,
        ),
      );
    }
    return v;
  });
}
