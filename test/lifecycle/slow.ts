/**
 * A sample project whose verification can be caught in the act: a tenant named `Slow Corp`
 * makes the verification child write a marker file and then block forever, so a test can signal
 * or kill fixturegen while a verification is under way. The confined child may write only inside
 * its temporary folder (`$TMPDIR`, a `fixturegen-verify-*` folder of the system's), so the marker
 * is written there, under a name unique to the project, and looked for in every such folder.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { sampleProject } from '../support/project.js';
import { until } from '../watch/helpers.js';

export const SLOW_NAME = 'Slow Corp';

export function slowProject(prefix: string): { dir: string; marker: string } {
  const dir = sampleProject(prefix);
  const marker = `verifying-${basename(dir)}`;
  appendFileSync(
    join(dir, 'crm/models.py'),
    `

from sqlalchemy import event as _event


@_event.listens_for(Tenant, "before_insert")
def _block_slow_tenant(mapper, connection, target):
    if target.name == ${JSON.stringify(SLOW_NAME)}:
        import os
        import select

        open(os.path.join(os.environ["TMPDIR"], ${JSON.stringify(marker)}), "w").close()
        select.select([], [], [])
`,
  );
  return { dir, marker };
}

/** Renames team_budget's tenant so that its next verification blocks. */
export function makeSlow(dir: string): void {
  const file = join(dir, 'scenarios/team_budget.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('name: Globex', `name: ${SLOW_NAME}`));
}

export function untilVerifying(marker: string): Promise<void> {
  const written = () =>
    readdirSync(tmpdir())
      .filter((d) => d.startsWith('fixturegen-verify-'))
      .some((d) => existsSync(join(tmpdir(), d, marker)));
  return until(written, 60_000, 'a verification to block');
}
