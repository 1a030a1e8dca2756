/**
 * What the watch runner reads from disk: input files with the hash of the bytes it read, and
 * the listings that say which inputs exist. A file that is not a regular file (a FIFO, a
 * device behind a symlink) is read as missing, without blocking.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readRegularBytes } from '../config/read.js';
import type { Config } from '../config/schema.js';
import { listScenarioFiles } from '../pipeline/inputs.js';
import { templateDirs } from './paths.js';

/** One input as read: its text and the hash the end-of-run check compares. */
export interface InputFile {
  /** Absolute path. */
  readonly path: string;
  readonly text: string;
  readonly hash: string;
  /** Modification time when read (wall clock, ms). */
  readonly mtimeMs: number;
}

/** What an input is on disk now: null when missing or unreadable. */
export interface DiskFile {
  readonly hash: string;
  readonly mtimeMs: number;
}

/** The input's text and hash; null when it is missing or not a regular file (see readRegularBytes). */
export function readInput(path: string): InputFile | null {
  const read = readRegularBytes(path);
  if (!read.ok) return null;
  return {
    path,
    text: read.bytes.toString('utf8'),
    hash: createHash('sha256').update(read.bytes).digest('hex'),
    mtimeMs: read.mtimeMs,
  };
}

/** Hash and modification time of each path (null: missing or unreadable). */
export function diskState(paths: Iterable<string>): Map<string, DiskFile | null> {
  const out = new Map<string, DiskFile | null>();
  for (const path of paths) {
    if (out.has(path)) continue;
    const f = readInput(path);
    out.set(path, f && { hash: f.hash, mtimeMs: f.mtimeMs });
  }
  return out;
}

/**
 * Scenario files now: those in `reread` (or all) read again, the others taken from `cached`.
 * Files that cannot be read are left out (a deletion's event follows).
 */
export function readScenarios(
  config: Config,
  cached: ReadonlyMap<string, InputFile>,
  reread: ReadonlySet<string> | 'all',
): InputFile[] {
  const out: InputFile[] = [];
  for (const path of listScenarioFiles(config)) {
    const keep = reread === 'all' || reread.has(path) ? undefined : cached.get(path);
    const file = keep ?? readInput(path);
    if (file) out.push(file);
  }
  return out;
}

/** Files under the template folders, skipping what `ignore` ignores (editor droppings). */
export function templateFiles(config: Config, ignore: (absPath: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (ignore(p)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  for (const dir of templateDirs(config)) walk(dir);
  return out.sort();
}

/** Hash (or null) of each path, for what the end-of-run check compares. */
export function hashes(paths: Iterable<string>): Map<string, string | null> {
  return new Map([...diskState(paths)].map(([p, f]) => [p, f?.hash ?? null]));
}
