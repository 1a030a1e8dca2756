import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, basename } from 'node:path';

/**
 * Temporary files of `writeAtomic`: `.<name>.<pid>.<random>.tmp`. The pid tells whether the
 * process that wrote it is still running; the older form without it is stray by definition.
 */
const TEMP = /^\.(.+?)\.(?:(\d+)\.)?[0-9a-f]{12}\.tmp$/;

/**
 * Writes a file atomically: a temporary file in the same folder, then a rename. Returns false and
 * touches nothing when the file already holds exactly these bytes (watchers see no event).
 */
export function writeAtomic(path: string, contents: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === contents) return false;
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, contents);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return true;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files `writeAtomic` left in `dir` when a process writing them died (a
 * `kill -9` between the write and the rename). Files of a writer still running are left alone: a
 * second fixturegen may be writing there right now. Returns the names removed.
 */
export function removeStrayTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || (m[2] !== undefined && alive(Number(m[2])))) continue;
    try {
      rmSync(join(dir, name), { force: true });
      removed.push(name);
    } catch {
      // another process removed it first, or the folder is read-only: nothing to report
    }
  }
  return removed.sort();
}
