import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/**
 * Writes a file atomically: a temporary file in the same folder, then a rename. Returns false and
 * touches nothing when the file already holds exactly these bytes (watchers see no event).
 */
export function writeAtomic(path: string, contents: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === contents) return false;
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, contents);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return true;
}
