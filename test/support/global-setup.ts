import type { TestProject } from 'vitest/node';
import { postgresBin, startPostgres } from './postgres.js';
import type { RunningPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** SQLAlchemy URL of the throwaway PostgreSQL cluster, or '' when none could be started. */
    pgUrl: string;
  }
}

let pg: RunningPostgres | null = null;

/** One PostgreSQL cluster for the whole run; CI must have one, a laptop without it skips those tests. */
export async function setup(project: TestProject): Promise<void> {
  if (postgresBin()) {
    pg = await startPostgres();
  } else if (process.env.CI) {
    throw new Error("CI needs PostgreSQL: .ci/run installs Debian's postgresql package");
  }
  project.provide('pgUrl', pg?.url ?? '');
}

export function teardown(): void {
  pg?.stop();
}
