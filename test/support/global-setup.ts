import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startPostgres } from '../../bench/support/postgres.mjs';
import type { RunningPostgres } from '../../bench/support/postgres.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** SQLAlchemy URL of the throwaway PostgreSQL cluster, or '' when none could be started. */
    pgUrl: string;
  }
}

let pg: RunningPostgres | null = null;
let runTmp: string | null = null;

/**
 * One temporary folder for the whole run, removed at its end: every test's (and every child's)
 * `os.tmpdir()` is inside it, so nothing a test forgets to remove outlives the run. Sticky and
 * world-writable like /tmp: the cluster runs as `postgres` and some tests drop to `nobody`.
 */
function isolateTmp(): void {
  runTmp = mkdtempSync(join(tmpdir(), 'fixturegen-tests-'));
  chmodSync(runTmp, 0o1777);
  process.env.TMPDIR = runTmp;
}

/** One PostgreSQL cluster for the whole run; CI must have one, a laptop without it skips those tests. */
export async function setup(project: TestProject): Promise<void> {
  isolateTmp();
  pg = await startPostgres();
  if (!pg && process.env.CI) {
    throw new Error("CI needs PostgreSQL: .ci/run installs Debian's postgresql package");
  }
  project.provide('pgUrl', pg?.url ?? '');
}

export function teardown(): void {
  pg?.stop();
  if (runTmp) rmSync(runTmp, { recursive: true, force: true });
}
