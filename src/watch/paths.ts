/** What watch mode watches: the scenarios folder, the templates, the configuration and models. */
import { join, sep } from 'node:path';
import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import { TEMPLATES_DIR } from '../generate/templates.js';
import { toRel } from '../pipeline/inputs.js';
import type { WatchInputs } from './graph.js';

export function isAtOrUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

export function configFileOf(config: Config): string {
  return config.file ?? join(config.root, 'fixturegen.yaml');
}

export function templateDirs(config: Config): string[] {
  return [...new Set([TEMPLATES_DIR, join(config.root, 'templates')])];
}

export function watchInputs(config: Config, catalog: Catalog): WatchInputs {
  return {
    scenarioDirs: [join(config.root, config.scenarios)],
    templates: templateDirs(config),
    configFile: configFileOf(config),
    modelFiles: new Set(catalog.files),
  };
}

export function watchPaths(config: Config, catalog: Catalog): string[] {
  const inputs = watchInputs(config, catalog);
  return [...inputs.scenarioDirs, ...inputs.templates, inputs.configFile, ...inputs.modelFiles];
}

/** Relative path for reports (forward slashes). */
export function rel(config: Config, abs: string): string {
  return toRel(config.root, abs);
}
