/**
 * Watch mode's loop: an initial build, then one run per batch of file changes, each rebuilding
 * only what the batch affects, through the same `build` as `fixturegen build` (so up-to-date
 * checks, atomic writes and "a failure keeps the last good file" live in one place).
 *
 * The Python helper stays warm between runs; it restarts only when a models file changed, since
 * the models must be imported afresh. A configuration that no longer loads keeps the last good
 * one running; a models file that no longer imports keeps the last catalog and pauses builds;
 * both say why in every run until fixed.
 */
import { startPythonHelper } from '../catalog/python.js';
import type { PythonHelper } from '../catalog/python.js';
import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import { createScheduler, defaultIgnore, startWatching } from '../watch/index.js';
import type { ChangeEvent, Watcher } from '../watch/index.js';
import { analyze, introspect, modelModules } from './analyze.js';
import { emptyTimings, ErrorBoard, graphOf, InputCache } from './watch-state.js';
import { watchPaths } from './watch-paths.js';
import type { RunReport } from './watch-report.js';
import { runOnce } from './watch-run.js';
import type { RunHooks, SessionState } from './watch-run.js';

export type { RunReport } from './watch-report.js';

export interface WatchSessionOptions extends RunHooks {
  /** The configuration to start with (already loaded and validated). */
  readonly config: Config;
  readonly onRun: (report: RunReport) => void;
  /** Failures of the loop itself (a run that threw, a watcher error). */
  readonly onError?: (error: unknown) => void;
  readonly startHelper?: (config: Config) => PythonHelper;
  /** Quiet period before a run; default `WATCH_DEBOUNCE_MS`. */
  readonly debounceMs?: number;
}

export interface WatchSession {
  /** Resolves with the initial build's report once the watcher is ready. */
  readonly ready: Promise<RunReport>;
  readonly helperPid: number | undefined;
  /** Stops watching, ends the helper (and its verification children), waits for the run. */
  close(): Promise<void>;
}

const INITIAL = '\0initial';

/**
 * A save is one change event (chokidar folds an editor's write, or its rename-over-the-file, into
 * one), seen 1–5 ms after the write: 10 ms of quiet is enough to take it alone, and every
 * millisecond here is latency. Bursts (a checkout) still get the scheduler's longer quiet period
 * once ten changes are pending.
 */
export const WATCH_DEBOUNCE_MS = 10;

/**
 * Starts the helper, introspects, starts the watcher and runs the initial build. Rejects (after
 * cleaning up) when the models do not import or Python cannot be used at start.
 */
export async function startWatchSession(options: WatchSessionOptions): Promise<WatchSession> {
  const startHelper =
    options.startHelper ?? ((c: Config) => startPythonHelper({ python: c.python, root: c.root }));
  const reportError = options.onError ?? ((e: unknown) => console.error(e));
  const config = options.config;
  const generator = await options.createGenerator(config);
  const helper = startHelper(config);
  const cache = new InputCache();
  const board = new ErrorBoard();
  let catalog: Catalog;
  let modules: string[];
  try {
    const inputs = cache.refresh(config, new Set(), true);
    modules = modelModules(config, inputs);
    catalog = await introspect(helper, config, modules);
  } catch (err) {
    await helper.close();
    throw err;
  }
  const analysis = analyze(catalog, config, []);
  const slices = new Map<string, string>();

  let events: ChangeEvent[] = [];
  let firstEventAt: number | undefined;

  let resolveReady: (report: RunReport) => void = () => undefined;
  let rejectReady: (err: unknown) => void = () => undefined;
  const ready = new Promise<RunReport>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });

  function createWatcher(config: Config, catalog: Catalog): Watcher {
    return startWatching({
      root: config.root,
      paths: watchPaths(config, catalog),
      ignore: defaultIgnore(config.root, config.output),
      onChange: (path, kind) => {
        if (s.closed) return;
        events.push({ path, kind });
        firstEventAt ??= performance.now();
        scheduler.add(path);
      },
      onError: reportError,
    });
  }

  const scheduler = createScheduler<string>({
    debounceMs: options.debounceMs ?? WATCH_DEBOUNCE_MS,
    run: async (batch) => {
      // Taken synchronously: whatever arrives from here on belongs to the next batch.
      const batchEvents = events;
      const waitedSince = firstEventAt;
      events = [];
      firstEventAt = undefined;
      const initial = batch.has(INITIAL);
      let report: RunReport;
      try {
        report = await runOnce(s, batchEvents, initial, waitedSince);
      } catch (err) {
        if (initial) rejectReady(err);
        throw err;
      }
      if (initial) resolveReady(report);
      if (!s.closed) options.onRun(report);
    },
    onError: (err) => {
      if (!s.closed) reportError(err);
    },
  });

  const s: SessionState = {
    hooks: options,
    cache,
    board,
    config,
    generator,
    helper,
    catalog,
    modules,
    analysis,
    slices,
    graph: graphOf(config, analysis, slices),
    configErrors: null,
    modelsError: null,
    helperDied: false,
    retry: new Set<string>(),
    runCount: 0,
    closed: false,
    timings: emptyTimings(),
    watcher: createWatcher(config, catalog),
    createWatcher: () => createWatcher(s.config, s.catalog),
    restartHelper: async () => {
      await s.helper.close();
      if (s.closed) throw new Error('watch session closed');
      s.helper = startHelper(s.config);
    },
  };

  try {
    await s.watcher.ready;
  } catch (err) {
    await Promise.all([s.watcher.close(), s.helper.close()]);
    throw err;
  }
  scheduler.add(INITIAL);

  return {
    ready,
    get helperPid() {
      return s.helper.pid;
    },
    async close(): Promise<void> {
      if (s.closed) return;
      s.closed = true;
      await s.watcher.close();
      // Ending the helper first makes a run in flight fail fast instead of finishing its builds.
      await s.helper.close();
      await scheduler.close();
      await s.helper.close(); // a restart may have been under way
    },
  };
}
