/**
 * The folders of the configuration, checked before anything is read or written: `output` must be
 * a Python package inside the project (it is imported as `pytest_plugins = ["<output>"]` and
 * written to), and `scenarios` must be an existing folder (an empty package would de-register
 * every fixture).
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);

export interface PathProblem {
  readonly key: 'output' | 'scenarios';
  readonly message: string;
  readonly hint: string;
}

/** True when `path` is `root` or inside it. */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path of `path`, or of its deepest existing ancestor joined with the rest. */
function realish(path: string): string {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    return resolve(realpathSync(existing), relative(existing, path));
  } catch {
    return path;
  }
}

export function checkOutput(root: string, output: string): PathProblem | null {
  const normalized = output.replace(/\\/g, '/');
  if (isAbsolute(output) || normalized.startsWith('/')) {
    return {
      key: 'output',
      message: `output must be a folder inside the project, not the absolute path ${output}`,
      hint: 'write it relative to the folder of the configuration file, e.g. output: generated',
    };
  }
  const parts = normalized
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '')
    .split('/');
  if (parts.includes('..') || !inside(root, resolve(root, output))) {
    return {
      key: 'output',
      message: `output ${JSON.stringify(output)} is outside the project`,
      hint: 'fixturegen writes only inside the folder of its configuration file: e.g. output: generated',
    };
  }
  const bad = parts.find((p) => !IDENTIFIER.test(p) || KEYWORDS.has(p));
  if (bad !== undefined) {
    return {
      key: 'output',
      message: `output ${JSON.stringify(output)} is not a Python package path: ${JSON.stringify(bad)} is not an identifier`,
      hint: 'each folder name must be a Python identifier (letters, digits, underscores; no keyword), e.g. tests/generated',
    };
  }
  if (!inside(realish(root), realish(resolve(root, output)))) {
    return {
      key: 'output',
      message: `output ${JSON.stringify(output)} leads outside the project through a symbolic link`,
      hint: 'point output at a real folder inside the project',
    };
  }
  return null;
}

export function checkScenarios(root: string, scenarios: string): PathProblem | null {
  const path = resolve(root, scenarios);
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return {
      key: 'scenarios',
      message: `the scenarios folder ${JSON.stringify(scenarios)} does not exist`,
      hint: 'create it (fixturegen init writes an example), or point scenarios: at the folder that holds them',
    };
  }
  if (!isDir) {
    return {
      key: 'scenarios',
      message: `scenarios ${JSON.stringify(scenarios)} is not a folder`,
      hint: 'point scenarios: at the folder that holds the *.yaml scenario files',
    };
  }
  return null;
}
