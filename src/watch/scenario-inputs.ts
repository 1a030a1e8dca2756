/**
 * The scenario files a run read, as the compile takes them, kept per file read: a save reads
 * again only the files that changed (the others are the same `InputFile` objects), so each run
 * works out the relative path and the `models` a file names only for those, not for all of a
 * large project's files again.
 */
import type { Config } from '../config/schema.js';
import { toRel } from '../pipeline/inputs.js';
import { modelPathsOf } from '../scenario/index.js';
import type { ScenarioInput } from '../scenario/index.js';
import type { InputFile } from './disk.js';

const asInput = new WeakMap<InputFile, { root: string; input: ScenarioInput }>();
const modelsOf = new WeakMap<InputFile, { key: string; paths: readonly string[] }>();

/** `file` as a compile input (its path relative to the root): the same object for the same read. */
export function scenarioInput(config: Config, file: InputFile): ScenarioInput {
  const kept = asInput.get(file);
  if (kept !== undefined && kept.root === config.root) return kept.input;
  const input = { file: toRel(config.root, file.path), text: file.text };
  asInput.set(file, { root: config.root, input });
  return input;
}

/** `modelModules` of the pipeline (the configured models plus those scenarios name), per file read. */
export function watchModelModules(config: Config, files: readonly InputFile[]): string[] {
  const all = new Set(config.models);
  const options = config.session_fixture ? { sessionFixture: config.session_fixture } : {};
  const key = `${config.root}\0${config.session_fixture ?? ''}`;
  for (const f of files) {
    let kept = modelsOf.get(f);
    if (kept === undefined || kept.key !== key) {
      kept = { key, paths: modelPathsOf(scenarioInput(config, f), options) };
      modelsOf.set(f, kept);
    }
    for (const m of kept.paths) all.add(m);
  }
  return [...all].sort();
}
