/**
 * Where the configuration is and which Python runs the helper: no parsing, so that commands with
 * a fast path (check, validate) can find the project before they load the YAML library or zod.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { LIMITS } from '../scenario/limit-values.js';
import { readRegularFile } from './read.js';

export const CONFIG_FILE = 'fixturegen.yaml';

/** Finds `fixturegen.yaml`, or a `pyproject.toml` with `[tool.fixturegen]`, in cwd or above. */
export function findConfigFile(cwd: string): string | null {
  let dir = resolve(cwd);
  for (;;) {
    const yamlPath = join(dir, CONFIG_FILE);
    if (existsSync(yamlPath)) return yamlPath;
    const pyproject = join(dir, 'pyproject.toml');
    if (existsSync(pyproject)) {
      // A pyproject.toml that cannot be read is not ours to complain about: keep searching.
      const read = readRegularFile(pyproject, LIMITS.configBytes * 16);
      if (read.ok && /^\s*\[tool\.fixturegen\]/m.test(read.text)) return pyproject;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Python interpreter: config, then $VIRTUAL_ENV, then ./.venv, then python3 on PATH. */
export function resolvePython(
  root: string,
  configured: string | undefined,
  env: NodeJS.ProcessEnv,
): string {
  if (configured) return isAbsolute(configured) ? configured : resolve(root, configured);
  if (env.VIRTUAL_ENV) return join(env.VIRTUAL_ENV, 'bin', 'python');
  const local = join(root, '.venv', 'bin', 'python');
  if (existsSync(local)) return local;
  return 'python3';
}
