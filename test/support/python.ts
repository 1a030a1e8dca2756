import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const PYTHON = join(REPO, '.venv', 'bin', 'python');
export const CLI = join(REPO, 'bin', 'fixturegen.js');

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs pytest from the project venv (or `python`) in `cwd` (its own rootdir, no cache folder). */
export function pytest(
  cwd: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  python: string = PYTHON,
): RunResult {
  const r = spawnSync(
    python,
    ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--rootdir', cwd, ...args],
    {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: cwd, PYTHONDONTWRITEBYTECODE: '1', ...env },
      timeout: 120_000,
    },
  );
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the built CLI (`bin/fixturegen.js`) in `cwd`. */
export function fixturegen(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): RunResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 300_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
