/**
 * Watch mode's session: an initial build, then one run per batch of file changes, each
 * rebuilding only what the batch affects, through the same `build` as `fixturegen build` (so
 * up-to-date checks, atomic writes and "a failure keeps the last good file" live in one place).
 * The decisions are the core's (core.ts); this file wires the watcher, the scheduler and the
 * runner together.
 *
 * The Python helper stays warm between runs; it restarts when a models file changed (the models
 * must be imported afresh) or when it died. A configuration that no longer loads keeps the last
 * good one running; a models file that no longer imports keeps the last catalog and pauses
 * builds; both say why in every run until fixed.
 */
import { startPythonHelper } from '../helper/client.js';
import type { PythonHelper } from '../helper/client.js';
import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import { analyze, introspect } from '../pipeline/analyze.js';
import type { WatchState } from './core-types.js';
import { hashes, readScenarios, templateFiles } from './disk.js';
import type { ChangeEvent } from './graph.js';
import { collapseEvents } from './graph.js';
import { configFileOf, watchPaths } from './paths.js';
import type { RunReport } from './report.js';
import { Runner } from './runner.js';
import { watchModelModules } from './scenario-inputs.js';
import type { RunHooks } from './runner.js';
import { createScheduler } from './scheduler.js';
import { graphOf } from './select.js';
import { defaultIgnore, startWatching } from './watcher.js';
import type { Watcher } from './watcher.js';

export type { RunReport } from './report.js';
export type { RunHooks } from './runner.js';

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
/** A scheduler item with no path: look at the disk again (see the core's `recheck`). */
const RECHECK = '\0recheck';

/**
 * A save is one change event (chokidar folds an editor's write, or its rename-over-the-file, into
 * one), seen 1–5 ms after the write: 10 ms of quiet is enough to take it alone, and every
 * millisecond here is latency. Bursts (a checkout) still get the scheduler's longer quiet period
 * once ten changes are pending.
 */
export const WATCH_DEBOUNCE_MS = 10;

const ignoreOf = (c: Config) => defaultIgnore(c.root, c.output);

/**
 * Starts the helper, introspects, starts the watcher and runs the initial build. Rejects (after
 * cleaning up) when the models do not import or Python cannot be used at start.
 */
export async function startWatchSession(options: WatchSessionOptions): Promise<WatchSession> {
  const startHelper =
    options.startHelper ?? ((c: Config) => startPythonHelper({ python: c.python, root: c.root }));
  const reportError = options.onError ?? ((e: unknown) => console.error(e));
  const config = options.config;
  const templates = hashes(templateFiles(config, ignoreOf(config)));
  const configHash = hashes([configFileOf(config)]);
  const generator = await options.createGenerator(config);
  const helper = startHelper(config);
  const files = readScenarios(config, new Map(), 'all');
  const modules = watchModelModules(config, files);
  let catalog: Catalog;
  try {
    catalog = await introspect(helper, config, modules);
  } catch (err) {
    await helper.close();
    throw err;
  }
  const analysis = analyze(catalog, config, []);
  const initial: WatchState = {
    config,
    catalog,
    modules,
    analysis,
    slices: new Map(),
    graph: graphOf(config, analysis, new Map()),
    configErrors: null,
    modelsError: null,
    helperDied: false,
    retry: new Set(),
    deferred: new Map(),
    runs: 0,
    board: new Map(),
    read: {
      scenarios: new Map(files.map((f) => [f.path, f])),
      config: configHash,
      models: hashes(catalog.files),
      templates,
    },
    run: null,
  };

  let closed = false;
  let events: ChangeEvent[] = [];
  let firstEventAt: number | undefined;
  let recheckTimer: NodeJS.Timeout | undefined;
  let resolveReady: (report: RunReport) => void = () => undefined;
  let rejectReady: (err: unknown) => void = () => undefined;
  const ready = new Promise<RunReport>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });

  const changed = (path: string, kind: ChangeEvent['kind']) => {
    if (closed) return;
    events.push({ path, kind });
    firstEventAt ??= performance.now();
    scheduler.add(path);
  };
  const createWatcher = (c: Config, cat: Catalog): Watcher =>
    startWatching({
      root: c.root,
      paths: watchPaths(c, cat),
      ignore: ignoreOf(c),
      onChange: changed,
      onError: reportError,
    });

  const runner = new Runner(initial, {
    hooks: options,
    helper,
    generator,
    watcher: createWatcher(config, catalog),
    startHelper,
    createWatcher,
    ignore: ignoreOf,
    onRun: (report) => {
      if (report.run === 0) resolveReady(report);
      if (!closed) options.onRun(report);
    },
    rerun: (changes) => {
      for (const [path, kind] of changes) changed(path, kind);
    },
    recheck: (at) => {
      clearTimeout(recheckTimer);
      recheckTimer = setTimeout(
        () => {
          if (!closed) scheduler.add(RECHECK);
        },
        Math.max(0, at - Date.now()),
      );
    },
    closed: () => closed,
  });

  const scheduler = createScheduler<string>({
    debounceMs: options.debounceMs ?? WATCH_DEBOUNCE_MS,
    run: async (batch) => {
      // Taken synchronously: whatever arrives from here on belongs to the next batch.
      const batchEvents = events;
      const waitedSince = firstEventAt;
      events = [];
      firstEventAt = undefined;
      const isInitial = batch.has(INITIAL);
      try {
        await runner.handle(collapseEvents(batchEvents), isInitial, waitedSince);
      } catch (err) {
        if (isInitial) rejectReady(err);
        throw err;
      }
    },
    onError: (err) => {
      if (!closed) reportError(err);
    },
  });

  try {
    await runner.parts.watcher.ready;
  } catch (err) {
    await Promise.all([runner.parts.watcher.close(), helper.close()]);
    throw err;
  }
  scheduler.add(INITIAL);

  return {
    ready,
    get helperPid() {
      return runner.parts.helper.pid;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearTimeout(recheckTimer);
      await runner.parts.watcher.close();
      // Ending the helper first makes a run in flight fail fast instead of finishing its builds.
      await runner.parts.helper.close();
      await scheduler.close();
      await runner.parts.helper.close(); // a restart may have been under way
    },
  };
}
