import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { startPythonHelper } from '../helper/client.js';
import type { PythonHelper } from '../helper/client.js';
import type { LlmStatus } from '../generate/llm/index.js';
import type { Generator } from '../generate/types.js';
import { createBuiltinGenerator } from '../generate/builtin/index.js';
import { analyze, introspect, modelModules } from '../pipeline/analyze.js';
import type { Analysis } from '../pipeline/analyze.js';
import { readScenarioInputs } from '../pipeline/inputs.js';
import { UsageError } from './exit.js';
import type { Io } from './io.js';

export interface CommonFlags {
  config?: string;
  generator?: string;
  verify?: string;
}

export function loadProjectConfig(flags: CommonFlags, io: Io): Config {
  const loaded = loadConfig({ configPath: flags.config, cwd: process.cwd(), env: process.env });
  if (!loaded.ok) {
    io.diagnostics(loaded.diagnostics, process.cwd());
    throw new UsageError('configuration');
  }
  let config = loaded.value;
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
  readonly analysis: Analysis;
}

/** Config, Python helper, catalog and plans: what every command but init starts from. */
export async function openProject(config: Config): Promise<Project> {
  const helper = startPythonHelper({ python: config.python, root: config.root });
  // The helper starts Python and imports the configured models while this process reads and
  // parses the scenarios (once: compiling them below reuses the parse).
  const configured = modelModules(config, []);
  const early = introspect(helper, config, configured);
  early.catch(() => {}); // awaited below, or superseded
  try {
    const inputs = readScenarioInputs(config);
    const modules = modelModules(config, inputs);
    const catalog =
      modules.join('\n') === configured.join('\n')
        ? await early
        : await early.then(
            () => introspect(helper, config, modules),
            // Scenarios name more models: those decide, whatever the configured ones alone gave.
            () => introspect(helper, config, modules),
          );
    return { config, helper, analysis: analyze(catalog, config, inputs) };
  } catch (err) {
    await helper.close();
    throw err;
  }
}
