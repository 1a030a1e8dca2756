/**
 * What fixturegen remembers about a project between runs, under `<root>/.fixturegen/state/`: one
 * JSON file per purpose, each holding one value and the key it was computed for. A read whose key
 * differs, a file that is missing, unreadable or not ours is a miss, and the command does its full
 * work; a write that fails is skipped. Nothing here is ever needed for a correct answer, only
 * for a fast one, so every key covers everything the remembered value was computed from, and
 * fixturegen itself (`toolStamp`).
 */
import { createHash } from 'node:crypto';
import {
  type Dirent,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { VERSION } from '../version.js';
import { redact } from './secrets.js';

/** Bumped when what a state file holds changes shape. */
const FORMAT = 1;

export function stateDir(root: string): string {
  return join(root, '.fixturegen', 'state');
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The value stored under `name` for `key`, or null. */
export function recall<T>(root: string, name: string, key: string): T | null {
  try {
    const stored = JSON.parse(readFileSync(join(stateDir(root), `${name}.json`), 'utf8')) as {
      format?: unknown;
      key?: unknown;
      value?: unknown;
    };
    if (stored.format !== FORMAT || stored.key !== key || stored.value === undefined) return null;
    return stored.value as T;
  } catch {
    return null;
  }
}

/**
 * Stores `value` under `name` for `key`, replacing what was there (written to a temporary file and
 * renamed, so a reader never sees half a file). A value that does not survive JSON unchanged, or
 * that holds a known secret (a database password, an API key), is not stored.
 */
export function remember(root: string, name: string, key: string, value: unknown): void {
  const json = JSON.stringify(value);
  if (json === undefined || redact(json) !== json) return;
  if (!isDeepStrictEqual(JSON.parse(json), value)) return;
  const dir = stateDir(root);
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, `{"format":${FORMAT},"key":${JSON.stringify(key)},"value":${json}}\n`);
    renameSync(tmp, join(dir, `${name}.json`));
  } catch {
    // A read-only checkout, a full disk: the next run does its full work, nothing worse.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing more to do
    }
  }
}

/** The package's folders: dist/ (or src/ under the tests), templates/, schemas/. */
const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));
const CODE = fileURLToPath(new URL('..', import.meta.url));

let stamp: string | null = null;

/** Each file's path, size and modification time, or its content, in `dir` and below. */
function hashTree(h: ReturnType<typeof createHash>, dir: string, content: boolean): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      hashTree(h, path, content);
      continue;
    }
    // Source maps and type declarations never run: they decide no output, and are half the files.
    if (!content && (entry.name.endsWith('.map') || entry.name.endsWith('.d.ts'))) continue;
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined) continue;
    if (st.isDirectory()) {
      hashTree(h, path, content); // a symbolic link to a folder
      continue;
    }
    h.update(`${path}\0${st.size}\0`);
    h.update(content ? readFileSync(path) : `${st.mtimeMs}`);
    h.update('\0');
  }
}

/**
 * What decides how a configuration file parses: the version and the configuration code (a few
 * files, cheap enough to take before the helper starts).
 */
export function configStamp(): string {
  const h = createHash('sha256');
  h.update(`${FORMAT}\0${VERSION}\0`);
  hashTree(h, join(CODE, 'config'), false);
  return h.digest('hex');
}

/**
 * fixturegen itself, as far as it decides an output: its version, its code (each file's path,
 * size and modification time), and the content of its templates and schemas. A remembered
 * result is used only by the fixturegen that computed it; an upgrade, a rebuild or an edited
 * template makes every key new.
 */
export function toolStamp(): string {
  if (stamp !== null) return stamp;
  const h = createHash('sha256');
  h.update(`${FORMAT}\0${VERSION}\0`);
  hashTree(h, CODE, false);
  hashTree(h, join(PACKAGE, 'templates'), true);
  hashTree(h, join(PACKAGE, 'schemas'), true);
  stamp = h.digest('hex');
  return stamp;
}
