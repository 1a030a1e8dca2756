/**
 * The Python helper started first: it imports the configured models while this process reads and
 * parses the scenarios (or, in `check` and `validate`, while it loads the modules they need).
 * Nothing here loads the YAML library, ajv or handlebars.
 */
import type { Catalog } from '../catalog/types.js';
import { loadConfigFast } from '../config/fast.js';
import type { Config } from '../config/schema.js';
import { startPythonHelper } from '../helper/client.js';
import type { SpawnedHelper } from '../helper/client.js';
import { introspectUnchecked } from '../pipeline/introspect.js';
import type { UncheckedCatalog } from '../pipeline/introspect.js';
import { UsageError } from './exit.js';
import type { Io } from './io.js';

export interface CommonFlags {
  config?: string;
  generator?: string;
  verify?: string;
}

/** `loadProjectConfig` without the YAML library and zod when the file's parse is remembered. */
export async function loadProjectConfigFast(flags: CommonFlags, io: Io): Promise<Config> {
  const loaded = await loadConfigFast({
    configPath: flags.config,
    cwd: process.cwd(),
    env: process.env,
  });
  if (!loaded.ok) {
    io.diagnostics(loaded.diagnostics, process.cwd());
    throw new UsageError('configuration');
  }
  return withFlags(loaded.value, flags, io);
}

/** The configuration with `--generator` and `--verify` applied. */
export function withFlags(config: Config, flags: CommonFlags, io: Io): Config {
  if (flags.generator) {
    if (flags.generator !== 'builtin' && flags.generator !== 'llm') {
      io.warn(`--generator must be builtin or llm, not ${JSON.stringify(flags.generator)}`);
      throw new UsageError('generator');
    }
    config = { ...config, generator: flags.generator };
  }
  if (flags.verify) {
    if (!['none', 'collect', 'run'].includes(flags.verify)) {
      io.warn(`--verify must be none, collect or run, not ${JSON.stringify(flags.verify)}`);
      throw new UsageError('verify');
    }
    config = { ...config, verify: flags.verify as Config['verify'] };
  }
  return config;
}

export interface StartedHelper {
  readonly helper: SpawnedHelper;
  /** The catalog of each list of model modules asked for, by the list, as answered (unchecked). */
  readonly answers: Map<string, Promise<UncheckedCatalog>>;
  /** The configured models' catalog, asked for at start. */
  readonly early: Promise<UncheckedCatalog>;
}

/**
 * Starts the helper and asks it at once for the catalog of the configured models. `verifier:
 * false` for a command that never verifies (the helper then starts without pytest).
 */
export function startHelper(config: Config, options: { verifier?: boolean } = {}): StartedHelper {
  const helper = startPythonHelper({
    python: config.python,
    root: config.root,
    verifier: options.verifier,
  });
  const configured = [...new Set(config.models)].sort();
  const early = introspectUnchecked(helper, config, configured);
  early.catch(() => {}); // awaited by whoever needs it, or superseded
  return { helper, answers: new Map([[configured.join('\n'), early]]), early };
}

/**
 * The helper's answer for `modules` (sorted), unchecked: the early answer when they are the
 * configured ones; otherwise asked for once the early request is done, whatever it gave (when
 * scenarios name more models, those decide).
 */
export function answerOf(
  started: StartedHelper,
  config: Config,
  modules: readonly string[],
): Promise<UncheckedCatalog> {
  const key = modules.join('\n');
  let answer = started.answers.get(key);
  if (answer === undefined) {
    const ask = () => introspectUnchecked(started.helper, config, [...modules]);
    answer = started.early.then(ask, ask);
    answer.catch(() => {});
    started.answers.set(key, answer);
  }
  return answer;
}

/** The catalog of `modules` (sorted), checked against the protocol's schema. */
export async function catalogOf(
  started: StartedHelper,
  config: Config,
  modules: readonly string[],
): Promise<Catalog> {
  return (await answerOf(started, config, modules)).catalog();
}
