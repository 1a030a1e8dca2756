import type { Catalog } from '../catalog/types.js';
import type { PythonHelper } from '../helper/client.js';
import { HelperMethodError } from '../helper/errors.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import type { Plan } from '../plan/types.js';
import { compileScenarios, modelPathsOf } from '../scenario/index.js';
import type { CompileCache, CompileStep } from '../scenario/index.js';
import type { ScenarioInput } from './inputs.js';

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

/** Errors of the user's models are environment errors (exit 3): no scenario can be checked. */
export class ModelsError extends Error {
  override readonly name = 'ModelsError';
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

export async function introspect(
  helper: PythonHelper,
  config: Config,
  modules: string[],
): Promise<Catalog> {
  try {
    return await helper.request('introspect', { models: modules });
  } catch (err) {
    if (err instanceof HelperMethodError) {
      const where = config.file ? { file: config.file } : {};
      if (err.type === 'UnsupportedSQLAlchemy')
        throw new ModelsError(
          error('FG612', `${err.message} (found by ${config.python})`, {
            ...where,
            hint: "install one in that environment (pip install 'SQLAlchemy>=1.4,<3'), or point `python` in the config at an environment that has one",
          }),
        );
      const code = err.type === 'MapperError' ? 'FG611' : 'FG610';
      const what =
        err.type === 'MapperError' ? 'the models do not configure' : 'cannot import the models';
      throw new ModelsError(
        error(code, `${what} (${modules.join(', ')}): ${err.type}: ${err.message}`, {
          ...where,
          hint: `check \`models\` in the config and that ${config.python} can import them from ${config.root}`,
        }),
      );
    }
    throw err;
  }
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
    ...(config.session_fixture ? { sessionFixture: config.session_fixture } : {}),
    ...again,
  });
  return { catalog, plans, failures };
}
