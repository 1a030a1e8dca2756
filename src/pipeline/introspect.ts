import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import type { PythonHelper } from '../helper/client.js';
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
