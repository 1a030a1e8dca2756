import { catalogLines } from './catalog-text.js';
import { startPythonHelper } from '../helper/client.js';
import { introspect, modelModules } from '../pipeline/analyze.js';
import { readScenarioInputs } from '../pipeline/inputs.js';
import type { Io } from './io.js';
import { EXIT } from './exit.js';
import { loadProjectConfig } from './project.js';
import type { CommonFlags } from './project.js';

export async function catalogCommand(flags: CommonFlags, io: Io): Promise<number> {
  const config = loadProjectConfig(flags, io);
  const helper = startPythonHelper({ python: config.python, root: config.root });
  try {
    const catalog = await introspect(
      helper,
      config,
      modelModules(config, readScenarioInputs(config)),
    );
    if (io.json) {
      io.result(catalog);
      return EXIT.ok;
    }
    for (const line of catalogLines(catalog)) io.say(line);
    return EXIT.ok;
  } finally {
    await helper.close();
  }
}
