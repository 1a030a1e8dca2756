/**
 * The pure parts of a watch run's decisions that are about scenarios: the dependency graph and
 * slice hashes derived from an analysis, what a run rebuilds, and the errors that stay on screen
 * until fixed.
 */
import { join } from 'node:path';
import { catalogSlice } from '../catalog/slice.js';
import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { hashJson } from '../output/header.js';
import type { Analysis } from '../pipeline/analyze.js';
import type { Plan } from '../plan/types.js';
import type { ScenarioOutcome } from '../pipeline/build.js';
import { scenarioPath } from '../pipeline/outputs.js';
import { affectedBySliceChange, buildGraph, withExtenders } from './graph.js';
import type { ChangeImpact, ChangeKind, ScenarioGraph, ScenarioNode } from './graph.js';
import { rel } from './paths.js';

/** Slice hashes by catalog, then by the models a scenario touches: most runs hash nothing. */
const sliceMemo = new WeakMap<Catalog, Map<string, string>>();

function sliceHash(catalog: Catalog, models: readonly string[]): string {
  let memo = sliceMemo.get(catalog);
  if (!memo) {
    memo = new Map();
    sliceMemo.set(catalog, memo);
  }
  const key = models.join('\0');
  let hash = memo.get(key);
  if (hash === undefined) {
    hash = hashJson(catalogSlice(catalog, models));
    memo.set(key, hash);
  }
  return hash;
}

/** Hash of each compiled scenario's catalog slice: what a models change is compared by. */
export function sliceHashes(analysis: Analysis): Map<string, string> {
  return new Map(analysis.plans.map((p) => [p.name, sliceHash(analysis.catalog, p.models)]));
}

/** Each plan's absolute file, by root: plans are kept from save to save, and so is this. */
const planFiles = new WeakMap<Plan, { readonly root: string; readonly file: string }>();

function planFile(root: string, plan: Plan): string {
  const known = planFiles.get(plan);
  if (known?.root === root) return known.file;
  const file = join(root, plan.source);
  planFiles.set(plan, { root, file });
  return file;
}

/** The graph of every loaded scenario, compiled or not (a failing file must map to its name). */
export function graphOf(
  config: Config,
  analysis: Analysis,
  slices: ReadonlyMap<string, string>,
): ScenarioGraph {
  const nodes: ScenarioNode[] = analysis.plans.map((p) => ({
    name: p.name,
    file: planFile(config.root, p),
    extends: p.extends,
    sliceHash: slices.get(p.name) ?? '',
  }));
  for (const f of analysis.failures) {
    if (f.name === null) continue;
    nodes.push({ name: f.name, file: join(config.root, f.file), extends: [], sliceHash: '' });
  }
  return buildGraph(nodes);
}

export interface CurrentError {
  readonly name: string;
  readonly file: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** Failing scenarios by file: set by a failed outcome, cleared by a good one or a deletion. */
export type ErrorBoard = ReadonlyMap<string, CurrentError>;

/** The board after a run's outcomes, keeping only files that are still scenarios. */
export function recordOutcomes(
  board: ErrorBoard,
  outcomes: readonly ScenarioOutcome[],
  files: ReadonlySet<string>,
): ErrorBoard {
  const next = new Map(board);
  for (const o of outcomes) {
    if (o.status === 'failed')
      next.set(o.file, { name: o.name, file: o.file, diagnostics: o.diagnostics });
    else next.delete(o.file);
  }
  for (const file of [...next.keys()]) if (!files.has(file)) next.delete(file);
  return next;
}

export function currentErrors(board: ErrorBoard): CurrentError[] {
  return [...board.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
}

export function sameCatalogFiles(a: Catalog | null, b: Catalog): boolean {
  return a !== null && a.files.join('\0') === b.files.join('\0');
}

export interface RebuildSelection {
  /** Scenario names to build, sorted (extenders included). */
  readonly selected: string[];
  /** Files of scenarios that do not even parse (no name): selected by their path. */
  readonly unnamed: string[];
  /** Deleted scenarios: their generated files, if still there, are orphans (the runner looks). */
  readonly orphans: { scenario: string; output: string }[];
  /** Scenarios selected because their catalog slice changed. */
  readonly sliceChanged: string[];
}

/** What a run rebuilds, from what changed and the analyses before and after it. */
export function selectRebuild(args: {
  readonly config: Config;
  readonly changes: ReadonlyMap<string, ChangeKind>;
  readonly impact: ChangeImpact;
  /** Templates or configuration changed, or the initial build: everything. */
  readonly everything: boolean;
  /** Scenarios a failed run could not build. */
  readonly retry: ReadonlySet<string>;
  readonly reintrospected: boolean;
  readonly before: { readonly graph: ScenarioGraph; readonly slices: ReadonlyMap<string, string> };
  readonly after: {
    readonly analysis: Analysis;
    readonly graph: ScenarioGraph;
    readonly slices: ReadonlyMap<string, string>;
  };
}): RebuildSelection {
  const { config, changes, impact, before, after } = args;
  const wanted = new Set<string>(args.retry);
  let sliceChanged: string[] = [];
  if (args.everything) {
    for (const name of after.graph.byName.keys()) wanted.add(name);
  } else {
    for (const name of impact.rebuild) wanted.add(name);
    // Edited and new files under the names they have now (a renamed scenario too).
    for (const [path, kind] of changes) {
      const node = kind === 'unlink' ? undefined : after.graph.byFile.get(path);
      if (node) wanted.add(node.name);
    }
    if (args.reintrospected) {
      sliceChanged = [...affectedBySliceChange(before.slices, after.slices, after.graph)].sort();
      for (const name of sliceChanged) wanted.add(name);
    }
  }
  const selected = [...withExtenders(after.graph, wanted)]
    .filter((n) => after.graph.byName.has(n))
    .sort();
  const unnamed = after.analysis.failures
    .filter((f) => f.name === null && (args.everything || changes.has(join(config.root, f.file))))
    .map((f) => f.file);
  const orphans: { scenario: string; output: string }[] = [];
  for (const file of impact.deleted) {
    const old = before.graph.byFile.get(file);
    if (!old || after.graph.byName.has(old.name)) continue;
    orphans.push({ scenario: rel(config, file), output: scenarioPath(config, old.name) });
  }
  return { selected, unnamed, orphans, sliceChanged };
}
