/**
 * One run of watch mode: takes a batch of changes to the configuration, templates, models and
 * scenarios, applies it to the dependency graph, and builds only what it affects.
 */
import { PythonEnvironmentError } from '../catalog/python.js';
import type { PythonHelper } from '../catalog/python.js';
import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic, Result } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import { clearTemplateCache } from '../generate/templates.js';
import type { Generator } from '../generate/types.js';
import { affectedByChanges, collapseEvents } from '../watch/index.js';
import type { ChangeEvent, ScenarioGraph, Watcher } from '../watch/index.js';
import { analyze, introspect, ModelsError, modelModules } from './analyze.js';
import type { Analysis } from './analyze.js';
import { build } from './build.js';
import type { ScenarioOutcome } from './build.js';
import type { ErrorBoard, InputCache, StageTimings } from './watch-state.js';
import {
  emptyTimings,
  graphOf,
  rel,
  sameCatalogFiles,
  selectRebuild,
  sliceHashes,
  timedHelper,
} from './watch-state.js';
import { configFileOf, isAtOrUnder, templateDirs, watchInputs, watchPaths } from './watch-paths.js';
import { finishReport, LISTED_CHANGES } from './watch-report.js';
import type { RunReport } from './watch-report.js';

/** The session's options that a run calls back into. */
export interface RunHooks {
  /** Loads the configuration again (command-line overrides applied), on every config change. */
  readonly reloadConfig: () => Result<Config>;
  readonly createGenerator: (config: Config) => Promise<Generator>;
  /** A run starts: which paths changed (relative, sorted, at most 50) and how many. */
  readonly onRunStart?: (run: number, changes: readonly string[], changeCount: number) => void;
  /** A scenario finished building (for live per-scenario lines). */
  readonly onOutcome?: (outcome: ScenarioOutcome) => void;
}

/** What the session keeps between runs; each run reads and replaces parts of it. */
export interface SessionState {
  readonly hooks: RunHooks;
  readonly cache: InputCache;
  readonly board: ErrorBoard;
  config: Config;
  generator: Generator;
  helper: PythonHelper;
  catalog: Catalog;
  modules: string[];
  analysis: Analysis;
  slices: Map<string, string>;
  graph: ScenarioGraph;
  configErrors: readonly Diagnostic[] | null;
  modelsError: Diagnostic | null;
  /** The helper died under a run: it is restarted, and that run's scenarios retried, next run. */
  helperDied: boolean;
  retry: Set<string>;
  runCount: number;
  closed: boolean;
  /** The current run's; the timed helper adds its round trips to whichever run is current. */
  timings: StageTimings;
  watcher: Watcher;
  /** A watcher on the current configuration's and catalog's paths. */
  readonly createWatcher: () => Watcher;
  readonly restartHelper: () => Promise<void>;
}

function environmentDiagnostic(config: Config, err: PythonEnvironmentError): Diagnostic {
  return error('FG610', err.message, {
    ...(config.file ? { file: rel(config, config.file) } : {}),
    hint: `check \`python\` in the config (${config.python})`,
  });
}

export async function runOnce(
  s: SessionState,
  batchEvents: readonly ChangeEvent[],
  initial: boolean,
  waitedSince: number | undefined,
): Promise<RunReport> {
  const t = emptyTimings();
  s.timings = t;
  const startedAt = new Date();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  if (waitedSince !== undefined) t.waitMs = t0 - waitedSince;
  const run = s.runCount++;
  const changes = collapseEvents(batchEvents);
  const changeList = [...changes.keys()].map((p) => rel(s.config, p)).sort();
  s.hooks.onRunStart?.(run, changeList.slice(0, LISTED_CHANGES), changeList.length);
  let impact = affectedByChanges(s.graph, watchInputs(s.config, s.catalog), changes);
  let everything = initial;
  let force = false;
  let restart = impact.restartHelper || s.helperDied;
  let configReloaded = false;
  /** Output or scenarios folder moved: the ignore function changes with them. */
  let recreateWatcher = false;

  let mark = performance.now();
  if (impact.reloadConfig) {
    const loaded = s.hooks.reloadConfig();
    if (!loaded.ok) {
      s.configErrors = loaded.diagnostics;
      changes.delete(configFileOf(s.config));
      impact = affectedByChanges(s.graph, watchInputs(s.config, s.catalog), changes);
      restart = impact.restartHelper || s.helperDied;
    } else {
      const prev = s.config;
      const next = loaded.value;
      s.configErrors = null;
      configReloaded = true;
      everything = true;
      force = true; // e.g. a new verify level or database: re-prove every file
      if (next.python !== prev.python || next.models.join('\0') !== prev.models.join('\0'))
        restart = true;
      recreateWatcher = next.output !== prev.output || next.scenarios !== prev.scenarios;
      s.config = next;
      s.generator = await s.hooks.createGenerator(s.config);
    }
  }
  const dirs = templateDirs(s.config);
  if ([...changes.keys()].some((p) => dirs.some((d) => isAtOrUnder(p, d)))) {
    clearTemplateCache();
    s.generator = await s.hooks.createGenerator(s.config);
    everything = true;
  }
  t.config = performance.now() - mark;

  mark = performance.now();
  const inputs = s.cache.refresh(s.config, new Set(changes.keys()), configReloaded);
  const wantedModules = modelModules(s.config, inputs);
  t.inputs = performance.now() - mark;

  mark = performance.now();
  let reintrospected = false;
  if (restart) await s.restartHelper();
  s.helperDied = false;
  if (restart || wantedModules.join('\0') !== s.modules.join('\0')) {
    try {
      const next = await introspect(s.helper, s.config, wantedModules);
      const filesChanged = !sameCatalogFiles(s.catalog, next);
      s.catalog = next;
      if (filesChanged && !recreateWatcher)
        await s.watcher.setPaths(watchPaths(s.config, s.catalog));
      s.modules = wantedModules;
      s.modelsError = null;
      reintrospected = true;
    } catch (err) {
      if (err instanceof ModelsError) s.modelsError = err.diagnostic;
      else if (err instanceof PythonEnvironmentError)
        s.modelsError = environmentDiagnostic(s.config, err);
      else throw err;
    }
  }
  t.introspect = performance.now() - mark;
  if (recreateWatcher && !s.closed) {
    await s.watcher.close();
    s.watcher = s.createWatcher();
    await s.watcher.ready;
  }

  const finish = (
    selected: readonly string[],
    outcomes: readonly ScenarioOutcome[],
    orphans: RunReport['orphans'],
    sliceChanged: readonly string[],
  ): RunReport =>
    finishReport(
      s,
      {
        run,
        changeList,
        startedAt,
        t0,
        cpu0,
        timings: t,
        configReloaded,
        helperRestarted: restart,
      },
      { selected, outcomes, orphans, sliceChanged },
    );
  // Builds wait for models that import: the last good files stay as they are meanwhile.
  if (s.modelsError !== null) return finish([], [], [], []);

  mark = performance.now();
  const nextAnalysis = analyze(s.catalog, s.config, inputs);
  const nextSlices = sliceHashes(nextAnalysis);
  const nextGraph = graphOf(s.config, nextAnalysis, nextSlices);
  const { selected, unnamed, orphans, sliceChanged } = selectRebuild({
    config: s.config,
    changes,
    impact,
    everything,
    retry: s.retry,
    reintrospected,
    before: { graph: s.graph, slices: s.slices },
    after: { analysis: nextAnalysis, graph: nextGraph, slices: nextSlices },
  });
  s.retry = new Set();
  t.compile = performance.now() - mark;

  let outcomes: readonly ScenarioOutcome[] = [];
  const only = [...selected, ...unnamed];
  if (only.length > 0) {
    mark = performance.now();
    try {
      const report = await build({
        config: s.config,
        helper: timedHelper(s.helper, () => s.timings),
        analysis: nextAnalysis,
        generator: s.generator,
        force,
        only,
        onProgress: (_name, phase, outcome) => {
          if (phase === 'done' && outcome && s.hooks.onOutcome) s.hooks.onOutcome(outcome);
        },
      });
      outcomes = report.outcomes;
    } catch (err) {
      if (!(err instanceof PythonEnvironmentError) || s.closed) throw err;
      // Killed from outside (out of memory, a signal): nothing was written; say so, and
      // restart it and retry these scenarios with the next change.
      s.helperDied = true;
      s.retry = new Set(selected);
      s.modelsError = error('FG610', `${err.message}; it restarts with the next change`, {
        hint: 'save any scenario to rebuild what this run could not',
      });
    }
    t.build = performance.now() - mark;
  }
  s.board.record(outcomes);
  s.board.keepOnly(new Set(inputs.map((i) => i.file)));
  s.analysis = nextAnalysis;
  s.slices = nextSlices;
  s.graph = nextGraph;
  return finish(selected, outcomes, orphans, sliceChanged);
}
