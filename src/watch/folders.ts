/**
 * Watching whole folders (the scenarios folder, the templates): one `fs.watch` per folder and
 * subfolder, each event turned into add, change or unlink by one `stat` of the file it names.
 *
 * chokidar lists a folder again (an lstat per entry) on every event in it, a content change
 * included: in a folder of 1,000 scenarios that is about 100 ms of this process's CPU per save,
 * taken from the run the save starts. Here a save costs one stat.
 *
 * A folder's own removal and re-creation are seen through its parent (one more `fs.watch`, whose
 * events for any other name are dropped). An event without a file name (the kernel's queue
 * overflowed) lists that folder again and reports what differs.
 */
import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import type { ChangeKind } from './graph.js';

/** Events for one file this close together are taken as one write (see `changed`). */
const SAME_WRITE_MS = 10;

export interface FolderWatch {
  close(): void;
}

interface Options {
  /** Absolute, existing folders; none inside another. */
  readonly folders: readonly string[];
  readonly ignore: (absPath: string) => boolean;
  readonly report: (absPath: string, kind: ChangeKind) => void;
  readonly onError: (error: Error) => void;
}

type Kind = 'file' | 'dir' | null;

function kindOf(path: string): Kind {
  const s = statSync(path, { throwIfNoEntry: false });
  return s === undefined ? null : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : null;
}

export function watchFolders(options: Options): FolderWatch {
  /** Watched folder → the files (names) known in it. */
  const files = new Map<string, Set<string>>();
  const watchers = new Map<string, FSWatcher>();
  let closed = false;

  const listen = (path: string, onEvent: (name: string | null) => void): FSWatcher | null => {
    try {
      const w = watch(path, { persistent: false }, (_event, name) => {
        if (!closed) onEvent(name === null ? null : String(name));
      });
      w.on('error', (err) => {
        // The folder went away (its parent's watch says so) or the watch broke: list it again.
        if (!closed && kindOf(path) === 'dir') options.onError(err);
        if (!closed) event(dirname(path), basename(path));
      });
      return w;
    } catch (err) {
      if (kindOf(path) === 'dir') options.onError(err as Error);
      return null;
    }
  };

  /** Starts watching `dir` and what is under it; `announce`: report its files as added. */
  const addFolder = (dir: string, announce: boolean): void => {
    if (files.has(dir) || options.ignore(dir)) return;
    const known = new Set<string>();
    files.set(dir, known);
    // Watch first, then list: a file created in between is in the listing or in an event.
    const w = listen(dir, (name) => (name === null ? relist(dir) : event(dir, name)));
    if (w) watchers.set(dir, w);
    relist(dir, announce);
  };

  /** Lists `dir` again: new files added, missing ones unlinked, new subfolders watched. */
  const relist = (dir: string, announce = true): void => {
    const known = files.get(dir);
    if (!known) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return removeFolder(dir);
    }
    const present = new Set<string>();
    for (const e of entries) {
      const abs = join(dir, e.name);
      if (options.ignore(abs)) continue;
      const kind = e.isSymbolicLink() ? kindOf(abs) : e.isDirectory() ? 'dir' : 'file';
      if (kind === 'dir') addFolder(abs, announce);
      else if (kind === 'file') {
        present.add(e.name);
        if (!known.has(e.name)) {
          known.add(e.name);
          if (announce) options.report(abs, 'add');
        }
      }
    }
    for (const name of [...known])
      if (!present.has(name)) {
        known.delete(name);
        options.report(join(dir, name), 'unlink');
      }
  };

  /** Stops watching `dir` and its subfolders; the files known in them (absolute paths). */
  const forget = (dir: string): string[] => {
    const gone: string[] = [];
    for (const [d, known] of [...files]) {
      if (d !== dir && !d.startsWith(dir + sep)) continue;
      files.delete(d);
      watchers.get(d)?.close();
      watchers.delete(d);
      for (const name of known) gone.push(join(d, name));
    }
    return gone.sort();
  };

  /** Stops watching `dir` and its subfolders, reporting each file known in them as unlinked. */
  const removeFolder = (dir: string): void => {
    for (const path of forget(dir)) options.report(path, 'unlink');
  };

  /**
   * `dir` may be another folder than the one watched (removed and made again before the events
   * were read: its watch saw nothing of the new one): watched afresh, every file in it reported
   * (added, unlinked, or changed when it was there before).
   */
  const renew = (dir: string): void => {
    const before = new Set(forget(dir));
    addFolder(dir, false);
    const after = new Set<string>();
    for (const [d, known] of files)
      if (d === dir || d.startsWith(dir + sep)) for (const name of known) after.add(join(d, name));
    for (const path of [...before].sort()) if (!after.has(path)) options.report(path, 'unlink');
    for (const path of [...after].sort()) options.report(path, before.has(path) ? 'change' : 'add');
  };

  /** `name` in the watched folder `dir` changed: what is it now? */
  const event = (dir: string, name: string): void => {
    const abs = join(dir, name);
    if (options.ignore(abs)) return;
    const known = files.get(dir);
    const kind = kindOf(abs);
    if (kind === 'dir') {
      if (files.has(abs)) renew(abs);
      else if (known) addFolder(abs, true);
      return;
    }
    if (files.has(abs)) removeFolder(abs);
    if (!known) return;
    if (kind === 'file') {
      const added = !known.has(name);
      known.add(name);
      if (added) options.report(abs, 'add');
      else changed(abs);
    } else if (known.delete(name)) options.report(abs, 'unlink');
  };

  /** Per file reported changed: what it was then, and whether events came since (see `changed`). */
  const recent = new Map<string, { stamp: string; again: boolean }>();
  const stampOf = (path: string): string => {
    const st = statSync(path, { throwIfNoEntry: false });
    return st === undefined ? '' : `${st.mtimeMs}:${st.size}:${st.ino}`;
  };
  /**
   * One write is several events (truncate, then write): the first is reported, the next within
   * `SAME_WRITE_MS` only if the file is not as it was when the first was (so the last state is
   * always reported, and a plain save once).
   */
  const changed = (abs: string): void => {
    const last = recent.get(abs);
    if (last) {
      last.again = true;
      return;
    }
    const entry = { stamp: stampOf(abs), again: false };
    recent.set(abs, entry);
    options.report(abs, 'change');
    const timer = setTimeout(() => {
      recent.delete(abs);
      if (closed || !entry.again) return;
      const now = stampOf(abs);
      if (now !== '' && now !== entry.stamp) options.report(abs, 'change');
    }, SAME_WRITE_MS);
    timer.unref();
  };

  // Each top folder's removal and re-creation, seen in its parent.
  const parents: FSWatcher[] = [];
  for (const top of options.folders) {
    const w = listen(dirname(top), (name) => {
      if (name !== null && name !== basename(top)) return;
      // Only the folder's own creation, removal or renaming names it here.
      const kind = kindOf(top);
      if (kind !== 'dir') removeFolder(top);
      else if (files.has(top)) renew(top);
      else addFolder(top, true);
    });
    if (w) parents.push(w);
  }
  for (const top of options.folders) addFolder(top, false);

  return {
    close() {
      closed = true;
      for (const w of [...watchers.values(), ...parents]) w.close();
      watchers.clear();
      files.clear();
    },
  };
}
