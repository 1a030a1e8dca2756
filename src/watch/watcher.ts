/**
 * The file watcher: chokidar 4 over a list of files and folders, reporting absolute paths.
 *
 * chokidar 4 has no globs, so what is not watched is decided by one function of the absolute
 * path (`defaultIgnore`). Ignored folders are never descended into, which is what keeps the
 * watcher from seeing its own output and from spending inotify watches on `.venv` or
 * `node_modules`.
 *
 * Wanted folders that exist (the scenarios folder, the templates) are watched by `watchFolders`
 * instead: chokidar lists a folder again on every event in it, which in a folder of a thousand
 * scenarios costs more than the rest of a save's run in this process. chokidar keeps what is left:
 * files (the configuration, the models) and wanted paths that do not exist yet.
 */
import { existsSync, statSync, type Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { watchFolders } from './folders.js';
import type { ChangeKind } from './graph.js';

export interface WatchOptions {
  readonly root: string;
  /** Files and folders to watch; relative ones are taken from `root`. */
  readonly paths: readonly string[];
  /** Absolute path → true to neither report nor descend into it. */
  readonly ignore: (absPath: string) => boolean;
  readonly onChange: (absPath: string, kind: ChangeKind) => void;
  /**
   * Watcher errors (e.g. ENOSPC: out of inotify watches) and errors thrown by `onChange`.
   * Without it they are dropped.
   */
  readonly onError?: (error: Error) => void;
}

export interface Watcher {
  /** Resolves when the initial scan is done; changes after this are reported. */
  readonly ready: Promise<void>;
  /**
   * Replaces the watched list (the models' files change after a re-introspection). Resolves when
   * the new list is watched; the old one keeps reporting until then, so nothing falls in a gap
   * (a change during the swap may be reported twice, which a set-based scheduler absorbs).
   */
  setPaths(paths: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** Folder names never watched wherever they appear under the root. */
const IGNORED_DIR_NAMES = new Set([
  '.git',
  '.hg',
  '.svn',
  '.venv',
  'node_modules',
  '.fixturegen',
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.tox',
]);

/** Editor and tool droppings: swap files, backups, lock files, vim's `4913` write probe. */
function isEditorTemp(name: string): boolean {
  return (
    name === '4913' ||
    name.endsWith('~') ||
    name.startsWith('.#') ||
    /\.sw[a-px]$/.test(name) ||
    /___jb_(tmp|old)___$/.test(name) ||
    name.endsWith('.pyc') ||
    name === '.DS_Store'
  );
}

/**
 * The ignore function for a project: its output folder (by path, so a models subpackage that
 * happens to be called `generated` is still watched), the folders in `IGNORED_DIR_NAMES` by
 * name, `extraDirs` by path (e.g. a virtualenv configured elsewhere), and editor temp files.
 */
export function defaultIgnore(
  root: string,
  outputDir: string,
  extraDirs: readonly string[] = [],
): (absPath: string) => boolean {
  const absRoot = resolve(root);
  const byPath = [outputDir, ...extraDirs].map((d) => resolve(absRoot, d));
  const rootPrefix = absRoot.endsWith(sep) ? absRoot : absRoot + sep;
  return (absPath: string): boolean => {
    const p = resolve(absRoot, absPath);
    for (const dir of byPath) if (p === dir || p.startsWith(dir + sep)) return true;
    // Only the part below the root is matched by name: a project that itself lives under some
    // `node_modules` or `.venv` must still be watchable.
    const rel = p.startsWith(rootPrefix) ? p.slice(rootPrefix.length) : p;
    const parts = rel.split(/[\\/]/);
    const name = parts[parts.length - 1] ?? '';
    if (isEditorTemp(name)) return true;
    return parts.some((part) => IGNORED_DIR_NAMES.has(part));
  };
}

/**
 * What chokidar is pointed at for a wanted path: a folder itself, a file's folder, or the nearest
 * existing ancestor of something not there yet. Only existing folders are given to chokidar:
 * for a missing path it emits `ready` before the parent is actually watched, so a config file
 * created right after `ready` would be missed; and a folder watch survives editors that save by
 * replacing the file, which a watch on the file itself does not always.
 */
function watchTarget(wanted: string): string {
  let p = wanted;
  try {
    if (statSync(p).isDirectory()) return p;
    p = dirname(p);
  } catch {
    // missing: climb below
  }
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** At or under a wanted path, or on the way down to one (so chokidar descends into it). */
function isRelevant(abs: string, wanted: readonly string[]): boolean {
  return wanted.some(
    (w) =>
      abs === w || abs.startsWith(w + sep) || w.startsWith(abs.endsWith(sep) ? abs : abs + sep),
  );
}

/**
 * Files in `dir` that `accept` takes and chokidar does not know. `known` is read after the
 * listing, so a file chokidar registers meanwhile is not reported twice.
 */
export async function unknownFiles(
  dir: string,
  known: () => ReadonlySet<string>,
  accept: (absPath: string) => boolean,
): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return []; // gone again: its unlink events say so
  }
  const seen = known();
  return entries
    .filter((e) => e.isFile() && !seen.has(e.name))
    .map((e) => join(dir, e.name))
    .filter(accept)
    .sort();
}

/** Quiet time after a folder's last add or unlink before it is listed again. */
const RESCAN_AFTER_MS = 100;

const KINDS: Readonly<Record<string, ChangeKind>> = {
  add: 'add',
  change: 'change',
  unlink: 'unlink',
};

export function startWatching(options: WatchOptions): Watcher {
  const root = resolve(options.root);
  let closed = false;

  interface Instance {
    readonly fsw: FSWatcher | null;
    /** Resolves on chokidar's `ready`, or when the instance is stopped before it. */
    readonly ready: Promise<void>;
    stop(): Promise<void>;
  }

  /** A throwing callback must not unwind into chokidar's internals. */
  function report(abs: string, kind: ChangeKind): void {
    try {
      options.onChange(abs, kind);
    } catch (error) {
      options.onError?.(error instanceof Error ? error : new Error(String(error)));
    }
  }

  function create(paths: readonly string[]): Instance {
    const all = [...new Set(paths.map((p) => resolve(root, p)))];
    const isDir = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
    const within = (p: string, dir: string) => p === dir || p.startsWith(dir + sep);
    // Existing wanted folders, the outermost only; what is at or under them is theirs alone.
    const folders = all
      .filter((p) => isDir(p) && !options.ignore(p))
      .sort()
      .filter((p, k, sorted) => !sorted.slice(0, k).some((f) => within(p, f)));
    const inFolder = (p: string) => folders.some((f) => within(p, f));
    const wanted = all.filter((p) => !inFolder(p));
    let stopped = false;
    const own = watchFolders({
      folders,
      ignore: options.ignore,
      report: (abs, kind) => {
        if (!closed && !stopped) report(abs, kind);
      },
      onError: (error) => {
        if (!closed) options.onError?.(error);
      },
    });
    if (wanted.length === 0) {
      return {
        fsw: null,
        ready: Promise.resolve(),
        stop: () => {
          stopped = true;
          own.close();
          return Promise.resolve();
        },
      };
    }
    const fsw = watch([...new Set(wanted.map(watchTarget))], {
      ignoreInitial: true,
      // Our own ignore covers more editor files, but `atomic` also turns an editor's
      // unlink-then-rename save into one `change`.
      atomic: true,
      // No awaitWriteFinish: it polls for ~2 s by default, far beyond the latency budget. A
      // half-written scenario fails to parse, keeps the last good output, and the write's
      // next event triggers the run that succeeds.
      awaitWriteFinish: false,
      ignored: (p: string) => {
        const abs = resolve(root, p);
        return inFolder(abs) || !isRelevant(abs, wanted) || options.ignore(abs);
      },
    });
    const dirty = new Set<string>();
    let rescanTimer: NodeJS.Timeout | undefined;

    // chokidar can miss an `add` when a file appears while it is re-reading the folder
    // (paulmillr/chokidar#685; seen here about once in ten 500-file bursts on a busy machine) and
    // then reports it only on the folder's next change. So once a folder's adds and unlinks go
    // quiet, it is listed again and any file chokidar does not know is reported as added. A file
    // reported twice is harmless: the scheduler collects paths in a set.
    async function rescan(): Promise<void> {
      rescanTimer = undefined;
      const dirs = [...dirty];
      dirty.clear();
      for (const dir of dirs) {
        const missed = await unknownFiles(
          dir,
          () => new Set(fsw.getWatched()[dir] ?? []),
          (p) => !inFolder(p) && isRelevant(p, wanted) && !options.ignore(p),
        );
        if (stopped || closed) return;
        for (const p of missed) report(p, 'add');
      }
    }

    fsw.on('all', (event, path) => {
      if (closed || stopped) return;
      const abs = resolve(root, path);
      if (event === 'add' || event === 'unlink' || event === 'addDir') {
        dirty.add(event === 'addDir' ? abs : dirname(abs));
        clearTimeout(rescanTimer);
        rescanTimer = setTimeout(() => void rescan(), RESCAN_AFTER_MS);
      }
      const kind = KINDS[event];
      if (kind !== undefined) report(abs, kind);
    });
    fsw.on('error', (error) => {
      if (!closed) options.onError?.(error instanceof Error ? error : new Error(String(error)));
    });
    let markReady = (): void => undefined;
    const ready = new Promise<void>((res) => {
      markReady = res;
      fsw.once('ready', () => res());
    });
    return {
      fsw,
      ready,
      stop: () => {
        stopped = true;
        own.close();
        clearTimeout(rescanTimer);
        markReady();
        return fsw.close();
      },
    };
  }

  let current = create(options.paths);
  let currentKey = key(options.paths);
  /** The instance a `setPaths` is waiting on, so `close` can stop it too. */
  let incoming: Instance | undefined;
  /** setPaths and close run one after another, in call order. */
  let chain: Promise<void> = Promise.resolve();

  function key(paths: readonly string[]): string {
    return [...new Set(paths.map((p) => resolve(root, p)))].sort().join('\0');
  }

  function enqueue(step: () => Promise<void>): Promise<void> {
    const next = chain.then(step);
    chain = next.catch(() => undefined);
    return next;
  }

  return {
    ready: current.ready,

    setPaths(paths: readonly string[]): Promise<void> {
      return enqueue(async () => {
        const k = key(paths);
        if (closed || k === currentKey) return;
        const next = create(paths);
        incoming = next;
        await next.ready;
        incoming = undefined;
        if (closed) {
          await next.stop();
          return;
        }
        const old = current;
        current = next;
        currentKey = k;
        await old.stop();
      });
    },

    close(): Promise<void> {
      closed = true;
      // Closing now, not after a pending swap: whatever watcher is current gets closed, and a
      // swap that finishes later sees `closed` and closes its own.
      const now = Promise.all([current.stop(), incoming?.stop()]).then(() => undefined);
      return enqueue(() => now);
    },
  };
}
