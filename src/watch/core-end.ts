/**
 * The second half of a watch run in the core (core.ts): half-written files, what to build, the
 * report, and the end-of-run check that compares every input the run read with the disk.
 */
import { join } from 'node:path';
import { error } from '../diagnostics/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Analysis } from '../pipeline/analyze.js';
import type { ScenarioOutcome } from '../pipeline/build.js';
import type { DiskFile, InputFile } from './disk.js';
import type { Action, Run, Step, WatchState } from './core-types.js';
import type { ChangeKind } from './graph.js';
import { toRel } from '../pipeline/inputs.js';
import { graphOf, recordOutcomes, selectRebuild, sliceHashes } from './select.js';

/**
 * A file modified less than this long ago may still be being written: if it fails to compile,
 * it is read again this long after its modification before the failure counts; and the
 * end-of-run check looks again then, in case the write's event was lost.
 */
export const SETTLE_MS = 50;
/** Past this, a file that keeps changing is built (or reported) as it is. */
export const SETTLE_LIMIT_MS = 2000;

/** After the analysis (or, with `analysis` null, after half-written files turned out settled). */
export function afterAnalysis(
  state: WatchState,
  run: Run,
  analysis: Analysis | null,
  now: number,
): Step {
  let r = run;
  if (analysis !== null) {
    const slices = sliceHashes(analysis);
    r = { ...r, analyzed: { analysis, slices, graph: graphOf(state.config, analysis, slices) } };
    const suspects = halfWritten(state, r, analysis, now);
    if (suspects.length > 0) {
      const newest = Math.max(...suspects.map((f) => f.mtimeMs));
      return {
        state: { ...state, run: { ...r, settlingSince: r.settlingSince ?? now } },
        actions: [
          {
            type: 'settle',
            paths: suspects.map((f) => f.path),
            until: Math.min(newest, now) + SETTLE_MS,
          },
        ],
      };
    }
  }
  const after = r.analyzed;
  if (after === null) throw new Error('watch core: no analysis to build from');
  const selection = selectRebuild({
    config: state.config,
    changes: r.changes,
    impact: r.impact,
    everything: r.everything,
    retry: new Set([...state.retry, ...r.retry]),
    reintrospected: r.reintrospected,
    before: { graph: state.graph, slices: state.slices },
    after,
  });
  r = { ...r, selection };
  const only = [...selection.selected, ...selection.unnamed];
  if (only.length === 0) return endRun({ ...state, run: r }, r, []);
  return {
    state: { ...state, run: r },
    actions: [
      { type: 'build', config: state.config, analysis: after.analysis, only, force: r.force },
    ],
  };
}

/**
 * Changed files of this run that failed to compile: each is read once more (at once when it was
 * modified more than SETTLE_MS ago) before its error is reported. Judging by the modification time
 * alone missed half-written files on a loaded machine: the analysis could end more than SETTLE_MS
 * after a read that fell between an editor's truncate and its write.
 */
function halfWritten(state: WatchState, run: Run, analysis: Analysis, now: number): InputFile[] {
  if (run.settlingSince !== null && now - run.settlingSince >= SETTLE_LIMIT_MS) return [];
  const byPath = new Map(run.inputs.map((f) => [f.path, f]));
  const out: InputFile[] = [];
  for (const failure of analysis.failures) {
    const path = join(state.config.root, failure.file);
    const kind = run.changes.get(path);
    const file = byPath.get(path);
    if (kind === undefined || kind === 'unlink' || file === undefined) continue;
    out.push(file);
  }
  return out;
}

/** The run with what changed while it waited, or null when nothing did. */
export function afterSettle(run: Run, files: ReadonlyMap<string, InputFile | null>): Run | null {
  const byPath = new Map(run.inputs.map((f) => [f.path, f]));
  const changed = [...files].filter(([p, f]) => f?.hash !== byPath.get(p)?.hash);
  if (changed.length === 0) return null;
  const changes = new Map(run.changes);
  for (const [p, f] of changed) {
    if (f === null) byPath.delete(p);
    else byPath.set(p, f);
    changes.set(p, f === null ? 'unlink' : 'change');
  }
  const inputs = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  return { ...run, changes, inputs, analyzed: null };
}

/** The helper died under the build: restart it and build again, once per run. */
export function helperDied(
  state: WatchState,
  run: Run,
  message: string,
): { state: WatchState; run: Run } | { step: Step } {
  const retry = new Set([...run.retry, ...(run.selection?.selected ?? [])]);
  if (run.helperRestarts < 1) return { state, run: { ...run, restart: true, retry } };
  const modelsError = error('FG610', `${message}; it restarts with the next change`, {
    hint: 'save any scenario to rebuild what this run could not',
  });
  const next = { ...state, helperDied: true, modelsError };
  return { step: endRun(next, { ...run, retry }, [], retry) };
}

/**
 * Ends a run: `outcomes` null when nothing was built (builds paused, or a recheck), then the
 * state keeps its analysis; `retry` is what the next run must build again.
 */
export function endRun(
  state: WatchState,
  run: Run,
  outcomes: readonly ScenarioOutcome[] | null,
  retry: ReadonlySet<string> = new Set(),
  runErrors: readonly Diagnostic[] = [],
): Step {
  let next: WatchState = { ...state, run };
  if (outcomes !== null && run.analyzed !== null) {
    const files = new Set(run.inputs.map((f) => toRel(state.config.root, f.path)));
    next = {
      ...next,
      board: recordOutcomes(state.board, outcomes, files),
      analysis: run.analyzed.analysis,
      slices: run.analyzed.slices,
      graph: run.analyzed.graph,
      retry,
    };
  }
  const actions: Action[] = [];
  if (run.number !== null) {
    const sel = run.selection;
    actions.push({
      type: 'report',
      summary: {
        run: run.number,
        changes: run.listed,
        selected: sel?.selected ?? [],
        outcomes: outcomes ?? [],
        orphans: sel?.orphans ?? [],
        configReloaded: run.configReloaded,
        configErrors: next.configErrors,
        modelsError: next.modelsError,
        runErrors,
        helperRestarted: run.helperRestarts > 0,
        sliceChanged: sel?.sliceChanged ?? [],
        board: next.board,
      },
    });
  }
  const r = next.read;
  const paths = [
    ...r.scenarios.keys(),
    ...r.config.keys(),
    ...r.models.keys(),
    ...r.templates.keys(),
  ];
  actions.push({ type: 'check-inputs', config: next.config, paths });
  return { state: next, actions };
}

/** Everything the last runs read, by absolute path. */
export function readHashes(state: WatchState): Map<string, string | null> {
  const r = state.read;
  const out = new Map<string, string | null>([...r.config, ...r.models, ...r.templates]);
  for (const [p, f] of r.scenarios) out.set(p, f.hash);
  return out;
}

/** What the disk says against what was read: a rerun, a later look, or nothing. */
export function afterCheck(
  state: WatchState,
  _run: Run,
  disk: ReadonlyMap<string, DiskFile | null>,
  now: number,
): Step {
  const read = readHashes(state);
  const changes = new Map<string, ChangeKind>();
  let newest = -Infinity;
  for (const [path, now_] of disk) {
    const before = read.get(path);
    const after = now_?.hash ?? null;
    // A modification time in the future (a skewed clock) never settles: not worth a look.
    if (now_ !== null && now_.mtimeMs <= now) newest = Math.max(newest, now_.mtimeMs);
    if (before === after || (before === undefined && after === null)) continue;
    changes.set(path, after === null ? 'unlink' : before == null ? 'add' : 'change');
  }
  const next = { ...state, run: null };
  if (changes.size > 0) return { state: next, actions: [{ type: 'rerun', changes }] };
  if (newest > now - SETTLE_MS)
    return { state: next, actions: [{ type: 'recheck', at: newest + SETTLE_MS }] };
  return { state: next, actions: [] };
}
