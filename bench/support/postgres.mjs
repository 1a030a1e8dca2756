// A throwaway PostgreSQL cluster, for the test suite (test/support/global-setup.ts: one per run)
// and the benchmarks (bulk-fixtures.mjs): initdb in a temporary folder, fsync off, trusting local
// connections, on a free loopback port. Runs as the `postgres` user when we are root (initdb
// refuses root). Types in postgres.d.mts.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BASE = '/usr/lib/postgresql';

/** The newest installed PostgreSQL's version (Debian layout: /usr/lib/postgresql/<v>/bin), or null. */
function newestVersion() {
  if (!existsSync(BASE)) return null;
  const versions = readdirSync(BASE)
    .filter((v) => existsSync(join(BASE, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ?? null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Starts a cluster: { url (SQLAlchemy, psycopg), version, stop() }, or null when none is installed. */
export async function startPostgres() {
  const version = newestVersion();
  if (!version) return null;
  const bin = join(BASE, version, 'bin');
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const pg = (cmd, args) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]]
      : [join(bin, cmd), args];
    const r = spawnSync(file, argv, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  };
  try {
    pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    pg('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
      'start',
    ]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `postgresql+psycopg://postgres@127.0.0.1:${port}/postgres`,
    version,
    stop() {
      try {
        pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
