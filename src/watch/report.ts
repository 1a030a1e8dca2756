/** What a watch run reports: the core's summary, with the runner's times and pids. */
import type { Diagnostic } from '../diagnostics/types.js';
import type { ScenarioOutcome } from '../pipeline/build.js';
import type { RunSummary } from './core-types.js';
import type { CurrentError } from './select.js';
import { currentErrors } from './select.js';
import type { StageTimings } from './timings.js';
import { roundTimings } from './timings.js';

export interface RunReport {
  /** 0 for the initial build. */
  readonly run: number;
  /** Changed paths, relative to the root and sorted: the first `LISTED_CHANGES` of them. */
  readonly changes: readonly string[];
  /** How many paths changed (all of them, listed or not). */
  readonly changeCount: number;
  /** True when `changes` lists only the first `LISTED_CHANGES` of `changeCount`. */
  readonly changesTruncated: boolean;
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
  /** What failed this run's build as a whole, said once (FG630: the database cannot hold the models). */
  readonly runErrors: readonly Diagnostic[];
  readonly helperRestarted: boolean;
  /** Scenarios rebuilt because their catalog slice changed. */
  readonly sliceChanged: readonly string[];
  readonly helperPid: number | undefined;
  readonly timings: StageTimings;
}

export const LISTED_CHANGES = 50;

/** What the runner measured and looked up for the report. */
export interface RunMeasures {
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly timings: StageTimings;
  readonly helperPid: number | undefined;
  /** Of the summary's orphan candidates, whether the generated file is still there. */
  readonly exists: (output: string) => boolean;
}

export function toReport(summary: RunSummary, m: RunMeasures): RunReport {
  return {
    run: summary.run,
    changes: summary.changes.slice(0, LISTED_CHANGES),
    changeCount: summary.changes.length,
    changesTruncated: summary.changes.length > LISTED_CHANGES,
    startedAt: m.startedAt.toISOString(),
    durationMs: Math.round(m.durationMs),
    selected: summary.selected,
    outcomes: summary.outcomes,
    orphans: summary.orphans.filter((o) => m.exists(o.output)),
    errors: currentErrors(summary.board),
    configReloaded: summary.configReloaded,
    configErrors: summary.configErrors,
    modelsError: summary.modelsError,
    runErrors: summary.runErrors,
    helperRestarted: summary.helperRestarted,
    sliceChanged: summary.sliceChanged,
    helperPid: m.helperPid,
    timings: roundTimings(m.timings),
  };
}
