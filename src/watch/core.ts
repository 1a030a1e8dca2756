/**
 * The watch core: one pure transition `(state, fact) → (next state, actions)`. A batch of
 * changes starts a run; each fact an action produces moves it on (configuration, templates,
 * scenario files, helper and catalog, analysis, half-written files, build, report); the run
 * ends with a check of every input it read against the disk, and a rerun when any changed.
 * The runner (runner.ts) performs the actions and feeds back what they found; nothing here
 * touches a file, a process or a clock.
 */
import { toRel } from '../pipeline/inputs.js';
import {
  afterAnalysis,
  afterCheck,
  afterSettle,
  endRun,
  helperDied,
  readHashes,
  SETTLE_LIMIT_MS,
  SETTLE_MS,
} from './core-end.js';
import type { Action, Changes, Fact, Run, Step, WatchState } from './core-types.js';
import type { DiskFile } from './disk.js';
import { affectedByChanges } from './graph.js';
import { configFileOf, isAtOrUnder, templateDirs, watchInputs } from './paths.js';
import { watchModelModules } from './scenario-inputs.js';

export function transition(state: WatchState, fact: Fact): Step {
  const run = state.run;
  if (fact.type === 'changes') {
    if (run !== null) throw new Error('watch core: a batch arrived during a run');
    return start(state, unchanged(state, fact.changes, fact.disk), fact.initial);
  }
  if (run === null) throw new Error(`watch core: ${fact.type} outside a run`);
  switch (fact.type) {
    case 'config-loaded':
      return configLoaded(state, run, fact);
    case 'generator-ready':
      return readInputs({ ...state, read: { ...state.read, templates: fact.templates } }, run, []);
    case 'inputs-read':
      return inputsRead(state, { ...run, inputs: fact.files });
    case 'introspected':
      return introspected(state, run, fact);
    case 'introspect-failed':
      return introspectFailed(state, run, fact);
    case 'analyzed':
      return afterAnalysis(state, run, fact.analysis, fact.now);
    case 'settled': {
      const next = afterSettle(run, fact.files);
      return next === null ? afterAnalysis(state, run, null, 0) : inputsRead(state, next);
    }
    case 'built':
      return endRun(state, run, fact.outcomes, undefined, fact.diagnostics);
    case 'helper-died': {
      const after = helperDied(state, run, fact.message);
      return 'step' in after ? after.step : introspect(after.state, after.run, []);
    }
    case 'checked':
      return afterCheck(state, run, fact.disk, fact.now);
  }
}

/** Paths that are neither the configuration, a models file nor a template: scenario changes. */
function scenarioChanges(state: WatchState, changes: Changes): Changes {
  const inputs = watchInputs(state.config, state.catalog);
  return new Map(
    [...changes].filter(
      ([p]) =>
        p !== inputs.configFile &&
        !inputs.modelFiles.has(p) &&
        !inputs.templates.some((d) => isAtOrUnder(p, d)),
    ),
  );
}

/**
 * The batch without inputs whose content is what the last runs read: the end-of-run check may
 * have run them already, before the watcher's event came (or a save wrote the same bytes).
 * Files that are not inputs (no hash recorded) stay, unless they are gone.
 */
function unchanged(
  state: WatchState,
  batch: Changes,
  disk: ReadonlyMap<string, DiskFile | null>,
): Changes {
  const read = readHashes(state);
  return new Map(
    [...batch].filter(([p]) => {
      if (!disk.has(p)) return true;
      const after = disk.get(p)?.hash ?? null;
      // Not read and not there (a second unlink event): nothing to do either.
      return (read.get(p) ?? null) !== after || (after !== null && !read.has(p));
    }),
  );
}

function start(state: WatchState, batch: Changes, initial: boolean): Step {
  const probe = batch.size === 0 && !initial;
  const changes = new Map([...state.deferred, ...batch]);
  const impact = affectedByChanges(state.graph, watchInputs(state.config, state.catalog), changes);
  const listed = [...changes.keys()].map((p) => toRel(state.config.root, p)).sort();
  const run: Run = {
    number: probe ? null : state.runs,
    changes,
    listed,
    impact,
    everything: initial,
    force: false,
    restart: impact.restartHelper || state.helperDied,
    helperRestarts: 0,
    modules: state.modules,
    configReloaded: false,
    recreateWatcher: false,
    inputs: [],
    reintrospected: false,
    settlingSince: null,
    retry: new Set(),
    analyzed: null,
    selection: null,
  };
  // A batch with no change is a recheck: the disk decides whether it becomes a run.
  if (probe) return endRun({ ...state, run }, run, null);
  const next = { ...state, runs: state.runs + 1, deferred: new Map() };
  const started: Action = { type: 'started', run: state.runs, changes: listed };
  if (impact.reloadConfig)
    return { state: { ...next, run }, actions: [started, { type: 'load-config' }] };
  return afterConfig(next, run, [started]);
}

function configLoaded(
  state: WatchState,
  run: Run,
  fact: Extract<Fact, { type: 'config-loaded' }>,
): Step {
  const read = { ...state.read, config: fact.hashes };
  if (!fact.result.ok && settling(run, fact.mtimeMs, fact.now)) {
    // Modified moments ago: perhaps read half-written. Read it again once it has settled.
    return {
      state: { ...state, run: { ...run, settlingSince: run.settlingSince ?? fact.now } },
      actions: [{ type: 'load-config', after: fact.mtimeMs! + SETTLE_MS }],
    };
  }
  if (!fact.result.ok) {
    const changes = new Map(run.changes);
    changes.delete(configFileOf(state.config));
    const impact = affectedByChanges(
      state.graph,
      watchInputs(state.config, state.catalog),
      changes,
    );
    const restart = impact.restartHelper || state.helperDied;
    return afterConfig(
      { ...state, read, configErrors: fact.result.diagnostics },
      { ...run, changes, impact, restart },
      [],
    );
  }
  const prev = state.config;
  const config = fact.result.value;
  const restart =
    run.restart ||
    config.python !== prev.python ||
    config.models.join('\0') !== prev.models.join('\0');
  return afterConfig(
    { ...state, read, config, configErrors: null },
    {
      ...run,
      everything: true,
      force: true, // e.g. a new verify level or database: re-prove every file
      restart,
      configReloaded: true,
      recreateWatcher: config.output !== prev.output || config.scenarios !== prev.scenarios,
    },
    [],
  );
}

/** A file modified at `mtimeMs` may still be being written, and the run may still wait for it. */
function settling(run: Run, mtimeMs: number | null, now: number): boolean {
  if (mtimeMs === null || mtimeMs <= now - SETTLE_MS || mtimeMs > now) return false;
  return run.settlingSince === null || now - run.settlingSince < SETTLE_LIMIT_MS;
}

/** Templates changed, or a new configuration: a new generator before the inputs are read. */
function afterConfig(state: WatchState, run: Run, actions: Action[]): Step {
  const dirs = templateDirs(state.config);
  const templates = [...run.changes.keys()].some((p) => dirs.some((d) => isAtOrUnder(p, d)));
  const r = { ...run, everything: run.everything || templates };
  if (!templates && !run.configReloaded) return readInputs(state, r, actions);
  return {
    state: { ...state, run: r },
    actions: [
      ...actions,
      { type: 'new-generator', config: state.config, clearTemplates: templates },
    ],
  };
}

function readInputs(state: WatchState, run: Run, actions: Action[]): Step {
  const reread = run.configReloaded ? 'all' : new Set(run.changes.keys());
  return {
    state: { ...state, run },
    actions: [
      ...actions,
      { type: 'read-inputs', config: state.config, cached: state.read.scenarios, reread },
    ],
  };
}

function inputsRead(state: WatchState, run: Run): Step {
  const scenarios = new Map(run.inputs.map((f) => [f.path, f]));
  const next = { ...state, read: { ...state.read, scenarios } };
  const modules = watchModelModules(state.config, run.inputs);
  if (run.restart || modules.join('\0') !== state.modules.join('\0'))
    return introspect(next, { ...run, modules }, []);
  return toAnalysis(next, { ...run, modules }, []);
}

/** Restarts the helper first when the run asks for it (once). */
function introspect(state: WatchState, run: Run, actions: Action[]): Step {
  const r = run.restart ? { ...run, restart: false, helperRestarts: run.helperRestarts + 1 } : run;
  if (run.restart) actions.push({ type: 'restart-helper', config: state.config });
  actions.push({
    type: 'introspect',
    config: state.config,
    modules: r.modules,
    files: state.catalog.files,
  });
  return { state: { ...state, run: r }, actions };
}

function introspected(
  state: WatchState,
  run: Run,
  fact: Extract<Fact, { type: 'introspected' }>,
): Step {
  const filesChanged = state.catalog.files.join('\0') !== fact.catalog.files.join('\0');
  const actions: Action[] = [];
  if (filesChanged && !run.recreateWatcher)
    actions.push({
      type: 'watch-paths',
      config: state.config,
      catalog: fact.catalog,
      recreate: false,
    });
  const next: WatchState = {
    ...state,
    catalog: fact.catalog,
    modules: run.modules,
    modelsError: null,
    helperDied: false,
    read: { ...state.read, models: fact.models },
  };
  return toAnalysis(next, { ...run, reintrospected: true }, actions);
}

function introspectFailed(
  state: WatchState,
  run: Run,
  fact: Extract<Fact, { type: 'introspect-failed' }>,
): Step {
  const next = { ...state, read: { ...state.read, models: fact.models } };
  // Killed from outside: one restart per run, then the error waits for the next change.
  if (fact.helperGone && run.helperRestarts < 1)
    return introspect(next, { ...run, restart: true }, []);
  return toAnalysis(
    { ...next, modelsError: fact.diagnostic, helperDied: fact.helperGone },
    run,
    [],
  );
}

/** Builds wait for models that import: the last good files stay as they are meanwhile. */
function toAnalysis(state: WatchState, run: Run, actions: Action[]): Step {
  if (run.recreateWatcher)
    actions.push({
      type: 'watch-paths',
      config: state.config,
      catalog: state.catalog,
      recreate: true,
    });
  const r = { ...run, recreateWatcher: false };
  if (state.modelsError !== null) {
    const deferred = scenarioChanges(state, r.changes);
    const end = endRun({ ...state, deferred, run: r }, r, null);
    return { state: end.state, actions: [...actions, ...end.actions] };
  }
  return {
    state: { ...state, run: r },
    actions: [
      ...actions,
      { type: 'analyze', config: state.config, catalog: state.catalog, inputs: r.inputs },
    ],
  };
}
