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
import { join, sep } from 'node:path';
import { PythonEnvironmentError, startPythonHelper } from '../catalog/python.js';
import type { PythonHelper } from '../catalog/python.js';
import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic, Result } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import { clearTemplateCache, TEMPLATES_DIR } from '../generate/templates.js';
import type { Generator } from '../generate/types.js';
import {
  affectedByChanges,
  collapseEvents,
  createScheduler,
  defaultIgnore,
  startWatching,
} from '../watch/index.js';
import type { ChangeEvent, ScenarioGraph, Watcher, WatchInputs } from '../watch/index.js';
import { analyze, introspect, ModelsError, modelModules } from './analyze.js';
import type { Analysis } from './analyze.js';
import { build } from './build.js';
import type { ScenarioOutcome } from './build.js';
import type { CurrentError, StageTimings } from './watch-state.js';
import {
  emptyTimings,
  ErrorBoard,
  graphOf,
  InputCache,
  rel,
  roundTimings,
  sameCatalogFiles,
  selectRebuild,
  sliceHashes,
  timedHelper,
} from './watch-state.js';

export interface RunReport {
  /** 0 for the initial build. */
  readonly run: number;
  /** Changed paths (relative to the root, sorted; at most 50 listed) and how many there were. */
  readonly changes: readonly string[];
  readonly changeCount: number;
  readonly startedAt: string;
  readonly durationMs: number;
  /** Scenario names this run asked `build` for. */
  readonly selected: readonly string[];
  /** What `build` reported for them (parents they need appear too, usually up to date). */
  readonly outcomes: readonly ScenarioOutcome[];
  /** Deleted scenarios whose generated files are left in place. */
  readonly orphans: readonly { readonly scenario: string; readonly output: string }[];
  /** Every scenario failing now, from this run or an earlier one. */
  readonly errors: readonly CurrentError[];
  readonly configReloaded: boolean;
  /** Why the configuration file does not load (the last good one is running), or null. */
  readonly configErrors: readonly Diagnostic[] | null;
  /** Why the models do not import (builds are paused), or null. */
  readonly modelsError: Diagnostic | null;
  readonly helperRestarted: boolean;
  /** Scenarios rebuilt because their catalog slice changed. */
  readonly sliceChanged: readonly string[];
  readonly helperPid: number | undefined;
  readonly timings: StageTimings;
}

export interface WatchSessionOptions {
  /** The configuration to start with (already loaded and validated). */
  readonly config: Config;
  /** Loads the configuration again (command-line overrides applied), on every config change. */
  readonly reloadConfig: () => Result<Config>;
  readonly createGenerator: (config: Config) => Promise<Generator>;
  readonly onRun: (report: RunReport) => void;
  /** A run starts: which paths changed (relative, sorted, at most 50) and how many. */
  readonly onRunStart?: (run: number, changes: readonly string[], changeCount: number) => void;
  /** A scenario finished building (for live per-scenario lines). */
  readonly onOutcome?: (outcome: ScenarioOutcome) => void;
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
const LISTED_CHANGES = 50;

function isAtOrUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

function configFileOf(config: Config): string {
  return config.file ?? join(config.root, 'fixturegen.yaml');
}

function templateDirs(config: Config): string[] {
  return [...new Set([TEMPLATES_DIR, join(config.root, 'templates')])];
}

function watchInputs(config: Config, catalog: Catalog): WatchInputs {
  return {
    scenarioDirs: [join(config.root, config.scenarios)],
    templates: templateDirs(config),
    configFile: configFileOf(config),
    modelFiles: new Set(catalog.files),
  };
}

function watchPaths(config: Config, catalog: Catalog): string[] {
  const inputs = watchInputs(config, catalog);
  return [...inputs.scenarioDirs, ...inputs.templates, inputs.configFile, ...inputs.modelFiles];
}

function environmentDiagnostic(config: Config, err: PythonEnvironmentError): Diagnostic {
  return error('FG610', err.message, {
    ...(config.file ? { file: rel(config, config.file) } : {}),
    hint: `check \`python\` in the config (${config.python})`,
  });
}

/**
 * Starts the helper, introspects, starts the watcher and runs the initial build. Rejects (after
 * cleaning up) when the models do not import or Python cannot be used at start.
 */
export async function startWatchSession(options: WatchSessionOptions): Promise<WatchSession> {
  const startHelper =
    options.startHelper ?? ((c: Config) => startPythonHelper({ python: c.python, root: c.root }));
  const reportError = options.onError ?? ((e: unknown) => console.error(e));
  let config = options.config;
  let generator = await options.createGenerator(config);
  let helper = startHelper(config);
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
  let analysis: Analysis = analyze(catalog, config, []);
  let slices = new Map<string, string>();
  let graph: ScenarioGraph = graphOf(config, analysis, slices);
  let configErrors: readonly Diagnostic[] | null = null;
  let modelsError: Diagnostic | null = null;
  /** The helper died under a run: it is restarted, and that run's scenarios retried, next run. */
  let helperDied = false;
  let retry = new Set<string>();
  let runCount = 0;
  let closed = false;

  let events: ChangeEvent[] = [];
  let firstEventAt: number | undefined;
  let timings = emptyTimings();

  let resolveReady: (report: RunReport) => void = () => undefined;
  let rejectReady: (err: unknown) => void = () => undefined;
  const ready = new Promise<RunReport>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });

  function createWatcher(): Watcher {
    return startWatching({
      root: config.root,
      paths: watchPaths(config, catalog),
      ignore: defaultIgnore(config.root, config.output),
      onChange: (path, kind) => {
        if (closed) return;
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
        report = await runOnce(batchEvents, initial, waitedSince);
      } catch (err) {
        if (initial) rejectReady(err);
        throw err;
      }
      if (initial) resolveReady(report);
      if (!closed) options.onRun(report);
    },
    onError: (err) => {
      if (!closed) reportError(err);
    },
  });

  let watcher: Watcher = createWatcher();

  async function restartHelper(): Promise<void> {
    await helper.close();
    if (closed) throw new Error('watch session closed');
    helper = startHelper(config);
  }

  async function runOnce(
    batchEvents: readonly ChangeEvent[],
    initial: boolean,
    waitedSince: number | undefined,
  ): Promise<RunReport> {
    const t = emptyTimings();
    timings = t;
    const startedAt = new Date();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    if (waitedSince !== undefined) t.waitMs = t0 - waitedSince;
    const run = runCount++;
    const changes = collapseEvents(batchEvents);
    const changeList = [...changes.keys()].map((p) => rel(config, p)).sort();
    options.onRunStart?.(run, changeList.slice(0, LISTED_CHANGES), changeList.length);
    let impact = affectedByChanges(graph, watchInputs(config, catalog), changes);
    let everything = initial;
    let force = false;
    let restart = impact.restartHelper || helperDied;
    let configReloaded = false;
    /** Output or scenarios folder moved: the ignore function changes with them. */
    let recreateWatcher = false;

    let mark = performance.now();
    if (impact.reloadConfig) {
      const loaded = options.reloadConfig();
      if (!loaded.ok) {
        configErrors = loaded.diagnostics;
        changes.delete(configFileOf(config));
        impact = affectedByChanges(graph, watchInputs(config, catalog), changes);
        restart = impact.restartHelper || helperDied;
      } else {
        const prev = config;
        const next = loaded.value;
        configErrors = null;
        configReloaded = true;
        everything = true;
        force = true; // e.g. a new verify level or database: re-prove every file
        if (next.python !== prev.python || next.models.join('\0') !== prev.models.join('\0'))
          restart = true;
        recreateWatcher = next.output !== prev.output || next.scenarios !== prev.scenarios;
        config = next;
        generator = await options.createGenerator(config);
      }
    }
    const dirs = templateDirs(config);
    if ([...changes.keys()].some((p) => dirs.some((d) => isAtOrUnder(p, d)))) {
      clearTemplateCache();
      generator = await options.createGenerator(config);
      everything = true;
    }
    t.config = performance.now() - mark;

    mark = performance.now();
    const inputs = cache.refresh(config, new Set(changes.keys()), configReloaded);
    const wantedModules = modelModules(config, inputs);
    t.inputs = performance.now() - mark;

    mark = performance.now();
    let reintrospected = false;
    if (restart) await restartHelper();
    helperDied = false;
    if (restart || wantedModules.join('\0') !== modules.join('\0')) {
      try {
        const next = await introspect(helper, config, wantedModules);
        const filesChanged = !sameCatalogFiles(catalog, next);
        catalog = next;
        if (filesChanged && !recreateWatcher) await watcher.setPaths(watchPaths(config, catalog));
        modules = wantedModules;
        modelsError = null;
        reintrospected = true;
      } catch (err) {
        if (err instanceof ModelsError) modelsError = err.diagnostic;
        else if (err instanceof PythonEnvironmentError)
          modelsError = environmentDiagnostic(config, err);
        else throw err;
      }
    }
    t.introspect = performance.now() - mark;
    if (recreateWatcher && !closed) {
      await watcher.close();
      watcher = createWatcher();
      await watcher.ready;
    }

    const finish = (
      selected: readonly string[],
      outcomes: readonly ScenarioOutcome[],
      orphans: RunReport['orphans'],
      sliceChanged: readonly string[],
    ): RunReport => {
      const cpu = process.cpuUsage(cpu0);
      t.nodeCpu = (cpu.user + cpu.system) / 1000;
      return report(selected, outcomes, orphans, sliceChanged);
    };
    const report = (
      selected: readonly string[],
      outcomes: readonly ScenarioOutcome[],
      orphans: RunReport['orphans'],
      sliceChanged: readonly string[],
    ): RunReport => ({
      run,
      changes: changeList.slice(0, LISTED_CHANGES),
      changeCount: changeList.length,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      selected,
      outcomes,
      orphans,
      errors: board.current,
      configReloaded,
      configErrors,
      modelsError,
      helperRestarted: restart,
      sliceChanged,
      helperPid: helper.pid,
      timings: roundTimings(t),
    });
    // Builds wait for models that import: the last good files stay as they are meanwhile.
    if (modelsError !== null) return finish([], [], [], []);

    mark = performance.now();
    const nextAnalysis = analyze(catalog, config, inputs);
    const nextSlices = sliceHashes(nextAnalysis);
    const nextGraph = graphOf(config, nextAnalysis, nextSlices);
    const { selected, unnamed, orphans, sliceChanged } = selectRebuild({
      config,
      changes,
      impact,
      everything,
      retry,
      reintrospected,
      before: { graph, slices },
      after: { analysis: nextAnalysis, graph: nextGraph, slices: nextSlices },
    });
    retry = new Set();
    t.compile = performance.now() - mark;

    let outcomes: readonly ScenarioOutcome[] = [];
    const only = [...selected, ...unnamed];
    if (only.length > 0) {
      mark = performance.now();
      try {
        const report = await build({
          config,
          helper: timedHelper(helper, () => timings),
          analysis: nextAnalysis,
          generator,
          force,
          only,
          onProgress: (_name, phase, outcome) => {
            if (phase === 'done' && outcome && options.onOutcome) options.onOutcome(outcome);
          },
        });
        outcomes = report.outcomes;
      } catch (err) {
        if (!(err instanceof PythonEnvironmentError) || closed) throw err;
        // Killed from outside (out of memory, a signal): nothing was written; say so, and
        // restart it and retry these scenarios with the next change.
        helperDied = true;
        retry = new Set(selected);
        modelsError = error('FG610', `${err.message}; it restarts with the next change`, {
          hint: 'save any scenario to rebuild what this run could not',
        });
      }
      t.build = performance.now() - mark;
    }
    board.record(outcomes);
    board.keepOnly(new Set(inputs.map((i) => i.file)));
    analysis = nextAnalysis;
    slices = nextSlices;
    graph = nextGraph;
    return finish(selected, outcomes, orphans, sliceChanged);
  }

  try {
    await watcher.ready;
  } catch (err) {
    await Promise.all([watcher.close(), helper.close()]);
    throw err;
  }
  scheduler.add(INITIAL);

  return {
    ready,
    get helperPid() {
      return helper.pid;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await watcher.close();
      // Ending the helper first makes a run in flight fail fast instead of finishing its builds.
      await helper.close();
      await scheduler.close();
      await helper.close(); // a restart may have been under way
    },
  };
}
