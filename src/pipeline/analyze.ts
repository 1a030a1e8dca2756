import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Plan } from '../plan/types.js';
import { compileScenarios, modelPathsOf } from '../scenario/index.js';
import type { CompileCache, CompileStep } from '../scenario/index.js';
import type { ScenarioInput } from './inputs.js';

export { introspect, ModelsError } from './introspect.js';

export interface ScenarioFailure {
  readonly file: string;
  readonly name: string | null;
  readonly diagnostics: readonly Diagnostic[];
}

export interface Analysis {
  readonly catalog: Catalog;
  readonly plans: readonly Plan[];
  readonly failures: readonly ScenarioFailure[];
}

/** The models modules to introspect: the configured ones plus any a scenario names itself. */
export function modelModules(config: Config, inputs: readonly ScenarioInput[]): string[] {
  const all = new Set(config.models);
  const options = config.session_fixture ? { sessionFixture: config.session_fixture } : {};
  for (const input of inputs) for (const m of modelPathsOf(input, options)) all.add(m);
  return [...all].sort();
}

/** With `cache` (watch), only the scenarios the changes since its last compile can affect. */
export function analyze(
  catalog: Catalog,
  config: Config,
  inputs: readonly ScenarioInput[],
  again: {
    readonly cache?: CompileCache;
    readonly trace?: (file: string, step: CompileStep) => void;
  } = {},
): Analysis {
  const { plans, failures } = compileScenarios(inputs, catalog, {
    defaultModels: config.models,
    ...(config.scope ? { defaultScope: config.scope } : {}),
    ...(config.async ? { async: true } : {}),
    ...(config.session_fixture ? { sessionFixture: config.session_fixture } : {}),
    ...again,
  });
  return { catalog, plans, failures };
}
