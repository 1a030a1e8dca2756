/**
 * The dialect a SQLAlchemy URL names, without its driver: `postgresql+psycopg://u:p@h/db` →
 * `postgresql`. Only this reaches headers and hashes: never credentials, host or database name.
 */
export function dialectOf(url: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9]*)(?:\+[^:]*)?:/.exec(url.trim())?.[1]?.toLowerCase() ?? '';
  return scheme === 'postgres' ? 'postgresql' : scheme;
}
