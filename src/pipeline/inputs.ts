import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { readRegularFile } from '../config/read.js';
import type { Config } from '../config/schema.js';
import { sha256 } from '../config/state.js';
import { error } from '../diagnostics/types.js';
import { Codes } from '../diagnostics/scenario-codes.js';
import { LIMITS } from '../scenario/limit-values.js';
import type { ScenarioInput } from '../scenario/index.js';
import type { FileDigests } from './file-digests.js';

export type { ScenarioInput } from '../scenario/index.js';

/**
 * FG198: a scenario file (or a folder under the scenarios folder) that cannot be read: a dangling
 * or looping symbolic link, a FIFO, a device, no permission.
 */
export const UNREADABLE = 'FG198';

const SCENARIO_FILE = /\.ya?ml$/;

/**
 * Every `*.yaml` / `*.yml` under the scenarios folder, recursively, sorted by path. Folders are
 * walked, symbolic links to folders are not (no loops); everything else with a scenario's name is
 * listed, so that reading it says what is wrong with it rather than skipping it silently.
 */
export function listScenarioFiles(config: Config): string[] {
  return listScenarioEntries(config).map((e) => e.path);
}

interface Listed {
  readonly path: string;
  /** A folder that could not be listed. */
  readonly unlisted?: string;
}

function listScenarioEntries(config: Config): Listed[] {
  const dir = join(config.root, config.scenarios);
  const out: Listed[] = [];
  const walk = (d: string, top: boolean) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch (err) {
      // The folder itself missing is the configuration's error (FG603), reported when loading it.
      if (!top) out.push({ path: d, unlisted: (err as NodeJS.ErrnoException).code ?? 'error' });
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, false);
      else if (SCENARIO_FILE.test(e.name)) out.push({ path: p });
    }
  };
  walk(dir, true);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function toRel(root: string, abs: string): string {
  // A path under `root` (every listed scenario file) without path.relative's normalizing.
  const rel = abs.startsWith(root) && abs[root.length] === sep ? abs.slice(root.length + 1) : null;
  return (rel ?? relative(root, abs)).split(sep).join('/');
}

/** One scenario file read safely: its text, or why it cannot be read as a diagnostic. */
export function readScenarioInput(root: string, abs: string): ScenarioInput {
  const file = toRel(root, abs);
  const read = readRegularFile(abs, LIMITS.scenarioBytes);
  if (read.ok) return { file, text: read.text };
  return {
    file,
    text: '',
    problem: error(
      read.kind === 'limit' ? Codes.beyondLimits : UNREADABLE,
      `this file ${read.message}`,
      {
        file,
        line: 1,
        column: 1,
        hint: read.hint,
      },
    ),
  };
}

export function readScenarioInputs(config: Config): ScenarioInput[] {
  return inputsOf(config, listScenarioEntries(config));
}

function inputsOf(config: Config, entries: readonly Listed[]): ScenarioInput[] {
  return entries.map((entry) => {
    if (entry.unlisted === undefined) return readScenarioInput(config.root, entry.path);
    const file = toRel(config.root, entry.path);
    return {
      file,
      text: '',
      problem: error(UNREADABLE, `the folder ${file} cannot be listed (${entry.unlisted})`, {
        file,
        line: 1,
        column: 1,
        hint: 'give the user running fixturegen read access to it, or move it out of the scenarios folder',
      }),
    };
  });
}

/** A scenario file as the analysis key sees it: its path, its text's hash, why it cannot be read. */
export type HashedInput = readonly [
  file: string,
  hash: string,
  problem: ScenarioInput['problem'] | null,
];

/** `readScenarioInputs` hashed: what the analysis key is made of. */
export function hashInputs(inputs: readonly ScenarioInput[]): HashedInput[] {
  return inputs.map((i) => [i.file, sha256(i.text), i.problem ?? null]);
}

/**
 * What `hashInputs(readScenarioInputs(config))` gives, without reading the files whose hash
 * `digests` remembers for their current stat.
 */
export function hashScenarioInputs(config: Config, digests: FileDigests): HashedInput[] {
  return listScenarioEntries(config).map((entry) => {
    if (entry.unlisted !== undefined) return hashInputs(inputsOf(config, [entry]))[0]!;
    let problem: ScenarioInput['problem'] | null = null;
    const hash = digests.hash(`scenario:${entry.path}`, entry.path, () => {
      const input = readScenarioInput(config.root, entry.path);
      problem = input.problem ?? null;
      // A file that cannot be read is read (and reported) again every time.
      return problem === null ? sha256(input.text) : null;
    });
    return [toRel(config.root, entry.path), hash ?? sha256(''), problem];
  });
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
