/** What a watch run reports, and how the report is put together when the run ends. */
import type { PythonHelper } from '../catalog/python.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { ScenarioOutcome } from './build.js';
import type { CurrentError, ErrorBoard, StageTimings } from './watch-state.js';
import { roundTimings } from './watch-state.js';

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

export const LISTED_CHANGES = 50;

/**
 * The session as the report reads it, at the end of the run: a build that lost the helper sets
 * `modelsError` after the run started.
 */
interface SessionView {
  readonly board: ErrorBoard;
  readonly configErrors: readonly Diagnostic[] | null;
  readonly modelsError: Diagnostic | null;
  readonly helper: PythonHelper;
}

/** What the run itself knew and decided. */
interface RunFacts {
  readonly run: number;
  readonly changeList: readonly string[];
  readonly startedAt: Date;
  readonly t0: number;
  readonly cpu0: NodeJS.CpuUsage;
  readonly timings: StageTimings;
  readonly configReloaded: boolean;
  readonly helperRestarted: boolean;
}

type Selection = Pick<RunReport, 'selected' | 'outcomes' | 'orphans' | 'sliceChanged'>;

export function finishReport(session: SessionView, facts: RunFacts, sel: Selection): RunReport {
  const t = facts.timings;
  const cpu = process.cpuUsage(facts.cpu0);
  t.nodeCpu = (cpu.user + cpu.system) / 1000;
  return {
    run: facts.run,
    changes: facts.changeList.slice(0, LISTED_CHANGES),
    changeCount: facts.changeList.length,
    startedAt: facts.startedAt.toISOString(),
    durationMs: Math.round(performance.now() - facts.t0),
    selected: sel.selected,
    outcomes: sel.outcomes,
    orphans: sel.orphans,
    errors: session.board.current,
    configReloaded: facts.configReloaded,
    configErrors: session.configErrors,
    modelsError: session.modelsError,
    helperRestarted: facts.helperRestarted,
    sliceChanged: sel.sliceChanged,
    helperPid: session.helper.pid,
    timings: roundTimings(t),
  };
}
