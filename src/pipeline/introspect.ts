import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import type { PythonHelper, SpawnedHelper } from '../helper/client.js';
import { HelperMethodError } from '../helper/errors.js';

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
    throw modelsError(err, config, modules);
  }
}

/** The catalog of `modules` as the helper answered it, before its schema check. */
export interface UncheckedCatalog {
  /** sha256 of the answer (`UncheckedAnswer.hash`). */
  readonly hash: string;
  /** The answer checked: the catalog. */
  catalog(): Promise<Catalog>;
}

/**
 * `introspect` without the answer's schema check until `catalog()` is called: a command that
 * remembers the hash of an answer it checked before needs no check (nor zod) for the same answer.
 */
export async function introspectUnchecked(
  helper: SpawnedHelper,
  config: Config,
  modules: string[],
): Promise<UncheckedCatalog> {
  try {
    const answer = await helper.requestUnchecked('introspect', { models: modules });
    return { hash: answer.hash, catalog: () => answer.check() };
  } catch (err) {
    throw modelsError(err, config, modules);
  }
}

/** What a failed `introspect` means for the user: their models' error, or the error as it is. */
function modelsError(err: unknown, config: Config, modules: string[]): unknown {
  if (!(err instanceof HelperMethodError)) return err;
  const where = config.file ? { file: config.file } : {};
  if (err.type === 'UnsupportedSQLAlchemy')
    return new ModelsError(
      error('FG612', `${err.message} (found by ${config.python})`, {
        ...where,
        hint: "install one in that environment (pip install 'SQLAlchemy>=1.4,<3'), or point `python` in the config at an environment that has one",
      }),
    );
  const code = err.type === 'MapperError' ? 'FG611' : 'FG610';
  const what =
    err.type === 'MapperError' ? 'the models do not configure' : 'cannot import the models';
  return new ModelsError(
    error(code, `${what} (${modules.join(', ')}): ${err.type}: ${err.message}`, {
      ...where,
      hint: `check \`models\` in the config and that ${config.python} can import them from ${config.root}`,
    }),
  );
}
