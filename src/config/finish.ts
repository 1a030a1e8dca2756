/**
 * The parts of loading the configuration that need neither the YAML library nor zod: finding and
 * reading the file, and what the environment and the disk add to its parsed settings (the
 * FIXTUREGEN_DATABASE_URL override, the async driver check, the folders, the Python to run, the
 * secrets to mask). `loadConfig` runs them around the parse; config/fast.ts runs them around a
 * parse remembered by the file's content.
 */
import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Result } from '../diagnostics/types.js';
import { error, fail, ok } from '../diagnostics/types.js';
import { LIMITS } from '../scenario/limit-values.js';
import { checkAsync } from './async.js';
import { CONFIG_FILE, findConfigFile, resolvePython } from './find.js';
import { checkOutput, checkScenarios } from './paths.js';
import { readRegularFile } from './read.js';
import type { Config, RawConfig } from './schema.js';
import { rememberConfigSecrets } from './secrets.js';

export interface LoadConfigOptions {
  /** `--config PATH`; otherwise searched upwards from `cwd`. */
  readonly configPath?: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Position of a key path in the configuration file, for diagnostics. */
export type Position = (path: readonly PropertyKey[]) => { line: number; column: number };

export interface ConfigSource {
  /** Absolute path of the file. */
  readonly file: string;
  /** Its folder: the project root. */
  readonly root: string;
  /** The file as diagnostics name it (relative to the working directory). */
  readonly rel: string;
  readonly text: string;
}

export function readConfigSource(options: LoadConfigOptions): Result<ConfigSource> {
  const file = options.configPath
    ? resolve(options.cwd, options.configPath)
    : findConfigFile(options.cwd);
  if (!file) {
    return fail([
      error('FG602', `no ${CONFIG_FILE} (or [tool.fixturegen] in pyproject.toml) here or above`, {
        hint: 'run `fixturegen init` to create one',
      }),
    ]);
  }
  if (!existsSync(file)) {
    return fail([error('FG602', `config file not found: ${file}`)]);
  }
  const rel = relative(options.cwd, file) || file;
  const read = readRegularFile(file, LIMITS.configBytes);
  if (!read.ok) {
    return fail([
      error('FG698', `the configuration file ${read.message}`, {
        file: rel,
        line: 1,
        column: 1,
        hint: read.hint,
      }),
    ]);
  }
  return ok({ file, root: dirname(file), rel, text: read.text });
}

/** The parsed settings with what the environment and the disk decide: the loaded `Config`. */
export function finishConfig(
  source: ConfigSource,
  raw: RawConfig,
  env: NodeJS.ProcessEnv,
  position: Position,
): Result<Config> {
  const { file, root, rel } = source;
  if (raw.async) {
    const problems = checkAsync(raw, env.FIXTUREGEN_DATABASE_URL, (key) => ({
      file: rel,
      ...position([key]),
    }));
    if (problems.length > 0) return fail(problems);
  }
  const folders = [checkOutput(root, raw.output), checkScenarios(root, raw.scenarios)].filter(
    (p) => p !== null,
  );
  if (folders.length > 0) {
    return fail(
      folders.map((p) =>
        error('FG603', p.message, { file: rel, ...position([p.key]), hint: p.hint }),
      ),
    );
  }
  rememberConfigSecrets(raw, env);
  return ok({
    ...raw,
    models: typeof raw.models === 'string' ? [raw.models] : raw.models,
    verifyDatabaseUrl: env.FIXTUREGEN_DATABASE_URL || raw.database_url,
    root,
    file,
    python: resolvePython(root, raw.python, env),
  });
}
