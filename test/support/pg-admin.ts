import { spawnSync } from 'node:child_process';
import { PYTHON } from './python.js';

/** libpq's form of a SQLAlchemy PostgreSQL URL (no `+driver`), for psycopg. */
function libpq(url: string): string {
  return url.replace(/^postgresql\+\w+:/, 'postgresql:');
}

/** Runs one statement on `url` (autocommit) with psycopg; returns the rows' first column. */
export function pgQuery(url: string, statement: string): string[] {
  const script =
    'import sys, psycopg\n' +
    'with psycopg.connect(sys.argv[1], autocommit=True) as c:\n' +
    '    cur = c.execute(sys.argv[2])\n' +
    '    rows = cur.fetchall() if cur.description else []\n' +
    'print("\\n".join(str(r[0]) for r in rows))\n';
  const r = spawnSync(PYTHON, ['-c', script, libpq(url), statement], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${statement}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** A database of its own on the test cluster (dropped first if a run left it), and its URL. */
export function freshDatabase(url: string, name: string, driver = 'psycopg'): string {
  pgQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  pgQuery(url, `CREATE DATABASE ${name}`);
  return url.replace(/^postgresql\+\w+:/, `postgresql+${driver}:`).replace(/\/[^/]*$/, `/${name}`);
}

/** The cluster's databases whose name starts with `prefix`. */
export function databasesLike(url: string, prefix: string): string[] {
  return pgQuery(url, 'SELECT datname FROM pg_database ORDER BY datname').filter((d) =>
    d.startsWith(prefix),
  );
}
