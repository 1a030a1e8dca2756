import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Config } from '../config/schema.js';

export interface ScenarioInput {
  /** Path relative to the project root, forward slashes. */
  readonly file: string;
  readonly text: string;
}

/** Every `*.yaml` / `*.yml` under the scenarios folder, recursively, sorted by path. */
export function listScenarioFiles(config: Config): string[] {
  const dir = join(config.root, config.scenarios);
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

export function toRel(root: string, abs: string): string {
  return relative(root, abs).split(sep).join('/');
}

export function readScenarioInputs(config: Config): ScenarioInput[] {
  return listScenarioFiles(config).map((abs) => ({
    file: toRel(config.root, abs),
    text: readFileSync(abs, 'utf8'),
  }));
}

/** Python import path of the output folder: `generated`, `tests/generated` → `tests.generated`. */
export function packageName(config: Config): string {
  return config.output
    .replace(/\\/g, '/')
    .replace(/^\.\//, '')
    .replace(/\/+$/, '')
    .split('/')
    .join('.');
}
