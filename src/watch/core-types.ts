/**
 * The watch core's vocabulary: the state kept between runs, the facts the runner feeds it (a
 * batch of changes, or what an action found), and the actions it asks the runner to perform.
 * All plain data: `transition` (core.ts) is a pure function over these.
 */
import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic, Result } from '../diagnostics/types.js';
import type { Analysis } from '../pipeline/analyze.js';
import type { ScenarioOutcome } from '../pipeline/build.js';
import type { DiskFile, InputFile } from './disk.js';
import type { ChangeImpact, ChangeKind, ScenarioGraph } from './graph.js';
import type { ErrorBoard, RebuildSelection } from './select.js';

export type Changes = ReadonlyMap<string, ChangeKind>;
/** Absolute path → hash of the bytes read (null: read as missing or unreadable). */
export type Hashes = ReadonlyMap<string, string | null>;

/** What the last runs read, by kind of input: what the end-of-run check compares the disk with. */
export interface ReadInputs {
  /** Scenario files as last read (also the cache a run reads unchanged files from). */
  readonly scenarios: ReadonlyMap<string, InputFile>;
  readonly config: Hashes;
  readonly models: Hashes;
  readonly templates: Hashes;
}

export interface Analyzed {
  readonly analysis: Analysis;
  readonly slices: ReadonlyMap<string, string>;
  readonly graph: ScenarioGraph;
}

/** A run in progress. */
export interface Run {
  /** Null while a recheck only looks at the disk (it becomes a run if something changed). */
  readonly number: number | null;
  readonly changes: Changes;
  /** The changes the run reports: relative, sorted. */
  readonly listed: readonly string[];
  readonly impact: ChangeImpact;
  /** Templates or configuration changed, or the initial build: everything is selected. */
  readonly everything: boolean;
  /** Rebuild even what is up to date (a new configuration: re-prove every file). */
  readonly force: boolean;
  /** The helper is to restart before the next introspection (a models file changed, it died). */
  readonly restart: boolean;
  /** Restarts done in this run. */
  readonly helperRestarts: number;
  /** The models modules this run's scenarios and configuration name. */
  readonly modules: readonly string[];
  readonly configReloaded: boolean;
  /** Output or scenarios folder moved: the watcher's ignore function changes with them. */
  readonly recreateWatcher: boolean;
  readonly inputs: readonly InputFile[];
  readonly reintrospected: boolean;
  /** When waiting for half-written files began (wall ms), or null. */
  readonly settlingSince: number | null;
  /** Scenarios a helper death interrupted in this run: selected again after the restart. */
  readonly retry: ReadonlySet<string>;
  readonly analyzed: Analyzed | null;
  readonly selection: RebuildSelection | null;
}

export interface WatchState {
  readonly config: Config;
  readonly catalog: Catalog;
  readonly modules: readonly string[];
  readonly analysis: Analysis;
  readonly slices: ReadonlyMap<string, string>;
  readonly graph: ScenarioGraph;
  /** Why the configuration file does not load (the last good one is running), or null. */
  readonly configErrors: readonly Diagnostic[] | null;
  /** Why the models do not import (builds are paused), or null. */
  readonly modelsError: Diagnostic | null;
  /** The helper died and could not be restarted: it restarts with the next change. */
  readonly helperDied: boolean;
  /** Scenarios a failed run could not build, selected by the next one. */
  readonly retry: ReadonlySet<string>;
  /** Scenario changes of runs that could not build (models paused): part of the next run. */
  readonly deferred: Changes;
  /** Runs reported so far (the next run's number). */
  readonly runs: number;
  readonly board: ErrorBoard;
  readonly read: ReadInputs;
  readonly run: Run | null;
}

/** What the runner tells the core: a batch of changes starts a run; the rest answer actions. */
export type Fact =
  | {
      readonly type: 'changes';
      readonly changes: Changes;
      readonly initial: boolean;
      /** The changed paths as they are now: a path whose content is what was read is no change. */
      readonly disk: ReadonlyMap<string, DiskFile | null>;
    }
  | {
      readonly type: 'config-loaded';
      readonly result: Result<Config>;
      readonly hashes: Hashes;
      /** The file's modification time (null: missing) and the time it was read (wall ms). */
      readonly mtimeMs: number | null;
      readonly now: number;
    }
  | { readonly type: 'generator-ready'; readonly templates: Hashes }
  | { readonly type: 'inputs-read'; readonly files: readonly InputFile[] }
  | { readonly type: 'introspected'; readonly catalog: Catalog; readonly models: Hashes }
  | {
      readonly type: 'introspect-failed';
      readonly diagnostic: Diagnostic;
      /** The helper process is gone (killed from outside), as opposed to models that fail. */
      readonly helperGone: boolean;
      readonly models: Hashes;
    }
  | { readonly type: 'analyzed'; readonly analysis: Analysis; readonly now: number }
  | { readonly type: 'settled'; readonly files: ReadonlyMap<string, InputFile | null> }
  | {
      readonly type: 'built';
      readonly outcomes: readonly ScenarioOutcome[];
      /** What failed the build as a whole, said once (FG630: the database cannot hold the models). */
      readonly diagnostics: readonly Diagnostic[];
    }
  | { readonly type: 'helper-died'; readonly message: string }
  | {
      readonly type: 'checked';
      readonly disk: ReadonlyMap<string, DiskFile | null>;
      readonly now: number;
    };

/** What a run reports, as far as the core decides it (the runner adds times and pids). */
export interface RunSummary {
  readonly run: number;
  /** Every changed path, relative and sorted (the report lists the first ones). */
  readonly changes: readonly string[];
  readonly selected: readonly string[];
  readonly outcomes: readonly ScenarioOutcome[];
  /** Deleted scenarios' outputs: orphans if the files are still there. */
  readonly orphans: readonly { readonly scenario: string; readonly output: string }[];
  readonly configReloaded: boolean;
  readonly configErrors: readonly Diagnostic[] | null;
  readonly modelsError: Diagnostic | null;
  /** What failed this run's build as a whole, said once (FG630). */
  readonly runErrors: readonly Diagnostic[];
  readonly helperRestarted: boolean;
  readonly sliceChanged: readonly string[];
  readonly board: ErrorBoard;
}

/**
 * What the core asks for. Effects first, then at most one action whose answer is the next fact
 * (marked "→"); a step without one ends the run.
 */
export type Action =
  | { readonly type: 'started'; readonly run: number; readonly changes: readonly string[] }
  /** → config-loaded */
  /** `after` (wall ms): wait until then first (a configuration read half-written). */
  | { readonly type: 'load-config'; readonly after?: number }
  /** → generator-ready */
  | { readonly type: 'new-generator'; readonly config: Config; readonly clearTemplates: boolean }
  /** → inputs-read */
  | {
      readonly type: 'read-inputs';
      readonly config: Config;
      readonly cached: ReadonlyMap<string, InputFile>;
      readonly reread: ReadonlySet<string> | 'all';
    }
  | { readonly type: 'restart-helper'; readonly config: Config }
  /** → introspected | introspect-failed */
  | {
      readonly type: 'introspect';
      readonly config: Config;
      readonly modules: readonly string[];
      /** The models files known so far, hashed before the helper imports them. */
      readonly files: readonly string[];
    }
  | {
      readonly type: 'watch-paths';
      readonly config: Config;
      readonly catalog: Catalog;
      readonly recreate: boolean;
    }
  /** → analyzed */
  | {
      readonly type: 'analyze';
      readonly config: Config;
      readonly catalog: Catalog;
      readonly inputs: readonly InputFile[];
    }
  /** → settled: the files read again once `until` (wall ms) has passed. */
  | { readonly type: 'settle'; readonly paths: readonly string[]; readonly until: number }
  /** → built | helper-died */
  | {
      readonly type: 'build';
      readonly config: Config;
      readonly analysis: Analysis;
      readonly only: readonly string[];
      readonly force: boolean;
    }
  | { readonly type: 'report'; readonly summary: RunSummary }
  /** → checked: these paths, the scenario files and the template files as they are now. */
  | { readonly type: 'check-inputs'; readonly config: Config; readonly paths: readonly string[] }
  /** Changes found by the check: the scheduler runs them (with its debounce). */
  | { readonly type: 'rerun'; readonly changes: Changes }
  /** Inputs changed moments ago: check again at `at` (wall ms), in case a write was missed. */
  | { readonly type: 'recheck'; readonly at: number };

export interface Step {
  readonly state: WatchState;
  readonly actions: readonly Action[];
}
