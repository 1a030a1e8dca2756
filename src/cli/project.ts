import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { PythonHelper } from '../helper/client.js';
import type { LlmStatus } from '../generate/llm/index.js';
import type { Generator } from '../generate/types.js';
import { createBuiltinGenerator } from '../generate/builtin/index.js';
import { analyze, modelModules } from '../pipeline/analyze.js';
import type { Analysis } from '../pipeline/analyze.js';
import { readScenarioInputs } from '../pipeline/inputs.js';
import type { ScenarioInput } from '../pipeline/inputs.js';
import { catalogOf, startHelper, withFlags } from './start.js';
import type { CommonFlags, StartedHelper } from './start.js';
import { UsageError } from './exit.js';
import type { Io } from './io.js';

export type { CommonFlags } from './start.js';

export function loadProjectConfig(flags: CommonFlags, io: Io): Config {
  const loaded = loadConfig({ configPath: flags.config, cwd: process.cwd(), env: process.env });
  if (!loaded.ok) {
    io.diagnostics(loaded.diagnostics, process.cwd());
    throw new UsageError('configuration');
  }
  return withFlags(loaded.value, flags, io);
}

export interface GeneratorOptions {
  /** `--fallback builtin`: write the builtin output when the model's answers fail for a scenario. */
  readonly fallback?: 'builtin' | null;
  /** Live status of the LLM generator's scenarios. */
  readonly onLlmStatus?: (scenario: string, status: LlmStatus) => void;
}

export async function createGenerator(
  config: Config,
  io: Io,
  options: GeneratorOptions = {},
): Promise<Generator> {
  void io;
  if (config.generator === 'llm') {
    // Loaded only when asked for: the openai SDK is not needed by builtin builds.
    const { createLlmGenerator } = await import('../generate/llm/index.js');
    return createLlmGenerator(config, {
      fallback: options.fallback === 'builtin' ? createBuiltinGenerator() : null,
      onStatus: options.onLlmStatus,
    });
  }
  return createBuiltinGenerator();
}

export interface Project {
  readonly config: Config;
  readonly helper: PythonHelper;
  /** The model modules introspected: the configured ones and those the scenarios name. */
  readonly modules: readonly string[];
  readonly analysis: Analysis;
}

/**
 * Config, Python helper, catalog and plans: what every command but init starts from. `started`:
 * a helper already started (`startHelper`), `inputs`: the scenario files already read.
 */
export async function openProject(
  config: Config,
  started: StartedHelper = startHelper(config),
  inputs?: ScenarioInput[],
): Promise<Project> {
  try {
    // The helper imports the configured models while this process reads and parses the scenarios
    // (once: compiling them below reuses the parse).
    const read = inputs ?? readScenarioInputs(config);
    const modules = modelModules(config, read);
    const catalog = await catalogOf(started, config, modules);
    return { config, helper: started.helper, modules, analysis: analyze(catalog, config, read) };
  } catch (err) {
    await started.helper.close();
    throw err;
  }
}
