import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO } from './python.js';

/** Environment that points fixturegen at the repo's venv, as an activated virtualenv would. */
export const VENV_ENV = { VIRTUAL_ENV: join(REPO, '.venv') };

/** A temporary copy of this repo's sample project: crm/, scenarios/, fixturegen.yaml. */
export function sampleProject(prefix = 'fixturegen-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const name of ['crm', 'scenarios', 'fixturegen.yaml']) {
    cpSync(join(REPO, name), join(dir, name), {
      recursive: true,
      filter: (src) => !src.includes('__pycache__'),
    });
  }
  return dir;
}

/**
 * The lines of a build's stderr besides the sample project's constraint-test findings (its
 * team_budget scenario has `edge_cases: auto`, and its models disagree with the database).
 */
export function besidesFindings(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !/: FG28[01] warning: |^ {2}hint: /.test(l));
}

/** Every file under `dir` (relative path → contents), skipping caches. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name === '__pycache__' || name === '.pytest_cache' || name === '.fixturegen') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}
