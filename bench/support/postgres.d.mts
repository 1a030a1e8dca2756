/** Types of the throwaway PostgreSQL cluster in postgres.mjs (the test suite's and the benchmarks'). */

export interface RunningPostgres {
  /** SQLAlchemy URL (psycopg) of the cluster's `postgres` database, as the `postgres` user. */
  readonly url: string;
  /** The PostgreSQL version it runs (the folder under /usr/lib/postgresql: `16`). */
  readonly version: string;
  /** Stops the cluster and removes its folder. */
  stop(): void;
}

/**
 * A new cluster of the newest installed PostgreSQL (Debian layout: /usr/lib/postgresql/<version>/bin)
 * in a temporary folder, on a free loopback port; null when none is installed.
 */
export function startPostgres(): Promise<RunningPostgres | null>;
