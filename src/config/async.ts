import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';

/** The database `async: true` verifies against when the configuration names none. */
export const ASYNC_DEFAULT_DATABASE_URL = 'sqlite+aiosqlite:///:memory:';

/** Each backend's sync drivers (the first is SQLAlchemy's default) and the async one to suggest. */
const SYNC_DRIVERS: Readonly<Record<string, { sync: readonly string[]; async: string }>> = {
  sqlite: { sync: ['pysqlite', 'pysqlcipher'], async: 'aiosqlite' },
  postgresql: { sync: ['psycopg2', 'pg8000', 'psycopg2cffi'], async: 'asyncpg' },
  mysql: { sync: ['mysqldb', 'pymysql', 'mysqlconnector', 'cymysql'], async: 'aiomysql' },
  mariadb: { sync: ['mysqldb', 'pymysql', 'mysqlconnector'], async: 'aiomysql' },
  mssql: { sync: ['pyodbc', 'pymssql'], async: 'aioodbc' },
};

/**
 * FG620 when `url` names a driver SQLAlchemy's asyncio extension refuses (a backend without a
 * driver means its sync default). Unknown backends and drivers are left to the driver itself.
 */
export function syncDriverOf(url: string): { driver: string; suggestion: string } | null {
  const scheme = /^([A-Za-z0-9_]+)(?:\+([A-Za-z0-9_]+))?:/.exec(url);
  if (!scheme) return null;
  const backend = scheme[1]!.toLowerCase();
  const known = SYNC_DRIVERS[backend === 'postgres' ? 'postgresql' : backend];
  if (!known) return null;
  const driver = scheme[2]?.toLowerCase() ?? known.sync[0]!;
  if (!known.sync.includes(driver)) return null;
  return { driver, suggestion: `${scheme[1]}+${known.async}:${url.slice(scheme[0].length)}` };
}

/** Masks the password of a URL shown in a message. */
function shown(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}

/**
 * The checks `async: true` adds: the configured URL (and FIXTUREGEN_DATABASE_URL, which
 * verification uses instead) must name an async driver. Both generators write async output (the
 * LLM generator's prompt shows the model the async contract: docs/llm.md).
 */
export function checkAsync(
  raw: { readonly database_url: string },
  envUrl: string | undefined,
  at: (key: string) => { file: string; line: number; column: number },
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const urls: [string, string, ReturnType<typeof at> | undefined][] = [
    ['database_url', raw.database_url, at('database_url')],
  ];
  if (envUrl) urls.push(['FIXTUREGEN_DATABASE_URL', envUrl, undefined]);
  for (const [name, url, where] of urls) {
    const sync = syncDriverOf(url);
    if (!sync) continue;
    out.push(
      error(
        'FG620',
        `async: true needs an async driver in ${name}; ${shown(url)} uses ${sync.driver}`,
        { ...(where ?? at('async')), hint: `use ${shown(sync.suggestion)}` },
      ),
    );
  }
  return out;
}
