/**
 * The pieces of watch mode's state that are plain data: the scenario inputs kept between runs,
 * the dependency graph and slice hashes derived from an analysis, the errors that stay on screen
 * until fixed, and a helper wrapper that times each request for the run's profile.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PythonHelper } from '../catalog/python.js';
import { catalogSlice } from '../catalog/slice.js';
import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { hashJson } from '../output/header.js';
import { affectedBySliceChange, buildGraph, withExtenders } from '../watch/graph.js';
import type { ChangeImpact, ChangeKind, ScenarioGraph, ScenarioNode } from '../watch/graph.js';
import type { Analysis } from './analyze.js';
import type { ScenarioOutcome } from './build.js';
import type { ScenarioInput } from './inputs.js';
import { listScenarioFiles, toRel } from './inputs.js';
import { scenarioPath } from './outputs.js';

/**
 * Scenario files by absolute path, re-read only when the watcher said they changed (or when
 * `all` is set: a new configuration may point at another folder).
 */
export class InputCache {
  private texts = new Map<string, string>();

  refresh(config: Config, changed: ReadonlySet<string>, all: boolean): ScenarioInput[] {
    const files = listScenarioFiles(config);
    const next = new Map<string, string>();
    const out: ScenarioInput[] = [];
    for (const abs of files) {
      let text = all || changed.has(abs) ? undefined : this.texts.get(abs);
      if (text === undefined) {
        try {
          text = readFileSync(abs, 'utf8');
        } catch {
          continue; // deleted between the listing and the read: its unlink event follows
        }
      }
      next.set(abs, text);
      out.push({ file: toRel(config.root, abs), text });
    }
    this.texts = next;
    return out;
  }
}

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

/** The graph of every loaded scenario, compiled or not (a failing file must map to its name). */
export function graphOf(
  config: Config,
  analysis: Analysis,
  slices: ReadonlyMap<string, string>,
): ScenarioGraph {
  const nodes: ScenarioNode[] = analysis.plans.map((p) => ({
    name: p.name,
    file: join(config.root, p.source),
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
export class ErrorBoard {
  private byFile = new Map<string, CurrentError>();

  record(outcomes: readonly ScenarioOutcome[]): void {
    for (const o of outcomes) {
      if (o.status === 'failed')
        this.byFile.set(o.file, { name: o.name, file: o.file, diagnostics: o.diagnostics });
      else this.byFile.delete(o.file);
    }
  }

  /** Forgets files that are no longer scenarios (deleted, or outside a new scenarios folder). */
  keepOnly(files: ReadonlySet<string>): void {
    for (const file of [...this.byFile.keys()]) if (!files.has(file)) this.byFile.delete(file);
  }

  get current(): CurrentError[] {
    return [...this.byFile.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
  }
}

/** Where a run's time went, in milliseconds. */
export interface StageTimings {
  /** From the first change event of the batch to the run's start (debounce and queueing). */
  waitMs: number;
  config: number;
  inputs: number;
  introspect: number;
  compile: number;
  /** The whole `build` call: generate, guard, verify, write. */
  build: number;
  /** Round trips to the helper, summed over the run. */
  guard: number;
  verify: number;
  /** What the helper's verification reported of its own stages (summed over the run). */
  verifyStages: Record<string, number>;
  /** CPU time of this (Node) process during the run: unlike wall times, load does not skew it. */
  nodeCpu: number;
}

export function emptyTimings(): StageTimings {
  return {
    waitMs: 0,
    config: 0,
    inputs: 0,
    introspect: 0,
    compile: 0,
    build: 0,
    guard: 0,
    verify: 0,
    verifyStages: {},
    nodeCpu: 0,
  };
}

/** A helper whose `guard` and `verify` round trips are added to `timings`. */
export function timedHelper(helper: PythonHelper, timings: () => StageTimings): PythonHelper {
  return {
    get pid() {
      return helper.pid;
    },
    close: () => helper.close(),
    async request<T>(method: string, params?: unknown): Promise<T> {
      const started = performance.now();
      const result = await helper.request<T>(method, params);
      const t = timings();
      const ms = performance.now() - started;
      if (method === 'guard') t.guard += ms;
      if (method === 'verify') {
        t.verify += ms;
        const stages = (result as { timings?: Record<string, number> } | null)?.timings;
        for (const [k, v] of Object.entries(stages ?? {}))
          if (typeof v === 'number') t.verifyStages[k] = (t.verifyStages[k] ?? 0) + v;
      }
      return result;
    },
  };
}

/** Rounds every figure to a tenth of a millisecond for the report. */
export function roundTimings(t: StageTimings): StageTimings {
  const r = (n: number) => Math.round(n * 10) / 10;
  const out = emptyTimings();
  for (const key of Object.keys(t) as (keyof StageTimings)[]) {
    if (key === 'verifyStages') {
      for (const [k, v] of Object.entries(t.verifyStages)) out.verifyStages[k] = r(v);
    } else out[key] = r(t[key]);
  }
  return out;
}

/** Relative path for reports (forward slashes). */
export function rel(config: Config, abs: string): string {
  return toRel(config.root, abs);
}

export function sameCatalogFiles(a: Catalog | null, b: Catalog): boolean {
  return a !== null && a.files.join('\0') === b.files.join('\0');
}

export interface RebuildSelection {
  /** Scenario names to build, sorted (extenders included). */
  readonly selected: string[];
  /** Files of scenarios that do not even parse (no name): selected by their path. */
  readonly unnamed: string[];
  /** Deleted scenarios whose generated file is still there. */
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
    const output = scenarioPath(config, old.name);
    if (existsSync(join(config.root, output)))
      orphans.push({ scenario: rel(config, file), output });
  }
  return { selected, unnamed, orphans, sliceChanged };
}
