import { startPythonHelper } from '../catalog/python.js';
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
    for (const model of catalog.models) {
      const extra = model.inherits ? ` (inherits ${model.inherits})` : '';
      io.say(`${model.qualname}  table ${model.table}${extra}`);
      for (const c of model.columns) {
        const flagsText = [
          c.primaryKey ? 'pk' : '',
          c.autoincrement ? 'autoincrement' : '',
          c.nullable ? 'nullable' : 'not null',
          c.hasDefault || c.hasServerDefault ? 'default' : '',
          ...c.foreignKeys.map((fk) => `→ ${fk.table}.${fk.column}`),
        ].filter(Boolean);
        const len = c.length ? `(${c.length})` : '';
        io.say(`  ${c.key.padEnd(24)} ${`${c.type}${len}`.padEnd(18)} ${flagsText.join(', ')}`);
      }
      for (const r of model.relationships) {
        io.say(
          `  ${r.key.padEnd(24)} ${r.direction.padEnd(18)} → ${r.target}${r.secondary ? ` via ${r.secondary}` : ''}`,
        );
      }
    }
    io.say(`${catalog.models.length} models from ${catalog.modules.join(', ')}`);
    return EXIT.ok;
  } finally {
    await helper.close();
  }
}
