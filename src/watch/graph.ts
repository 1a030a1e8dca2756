/**
 * What a set of file changes affects, as pure functions over plain data, so the watch loop can
 * rebuild exactly what changed and nothing else.
 *
 * Every path here is absolute (what the watcher reports and what `path.resolve(root, p)` gives);
 * a relative path is a programming error and throws, rather than being resolved against whatever
 * the process's working directory happens to be.
 */
import { isAbsolute, normalize, sep } from 'node:path';

export type ChangeKind = 'add' | 'change' | 'unlink';

export interface ChangeEvent {
  readonly path: string;
  readonly kind: ChangeKind;
}

/** One loaded scenario as the graph sees it. */
export interface ScenarioNode {
  readonly name: string;
  /** Absolute path of its YAML file. */
  readonly file: string;
  /** Names of the scenarios it extends (as written; unknown names are allowed). */
  readonly extends: readonly string[];
  /** Hash of the catalog slice the scenario touches. */
  readonly sliceHash: string;
}

export interface ScenarioGraph {
  readonly byName: ReadonlyMap<string, readonly ScenarioNode[]>;
  readonly byFile: ReadonlyMap<string, ScenarioNode>;
  /** name → names of the scenarios that extend it directly. */
  readonly extenders: ReadonlyMap<string, ReadonlySet<string>>;
  /** Scenarios that extend a name no loaded scenario has: a new or renamed file may satisfy it. */
  readonly dangling: ReadonlySet<string>;
}

/** The files the watch loop cares about besides scenarios. All absolute. */
export interface WatchInputs {
  /** Scenario folders: a new `*.yaml`/`*.yml` under one is a new scenario. */
  readonly scenarioDirs: readonly string[];
  /** Template files or folders; any change at or under one rebuilds everything. */
  readonly templates: readonly string[];
  /** `fixturegen.yaml` or `pyproject.toml`, whichever holds the configuration. */
  readonly configFile: string;
  /** Python source files of the imported models modules, as the helper reported them. */
  readonly modelFiles: ReadonlySet<string>;
}

export interface ChangeImpact {
  /** Names of loaded scenarios to rebuild. */
  readonly rebuild: Set<string>;
  /** Scenario files not loaded before: load them, then build whatever they declare. */
  readonly added: Set<string>;
  /** Scenario files that are gone: report their outputs as orphans; never delete anything. */
  readonly deleted: Set<string>;
  /** Re-read and re-validate the configuration; keep the last good one if it fails. */
  readonly reloadConfig: boolean;
  /** A models file changed: the helper must import the models afresh. */
  readonly restartHelper: boolean;
  /** Re-introspect, then rebuild `affectedBySliceChange(old, new, graph)`. */
  readonly reintrospect: boolean;
}

const SCENARIO_EXT = ['.yaml', '.yml'];

/** An absolute POSIX path with nothing for `normalize` to change (no `//`, `.`, `..` or trailing `/`). */
const NORMAL = /^(?:\/(?!\.\.?(?:\/|$))[^/]+)+$/;

function abs(path: string): string {
  if (!isAbsolute(path)) throw new TypeError(`watch graph: expected an absolute path, got ${path}`);
  // The graph is rebuilt after every save, over every scenario: most paths need no normalizing.
  return sep === '/' && NORMAL.test(path) ? path : normalize(path);
}

function isAtOrUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

export function buildGraph(scenarios: readonly ScenarioNode[]): ScenarioGraph {
  const byName = new Map<string, ScenarioNode[]>();
  const byFile = new Map<string, ScenarioNode>();
  const extenders = new Map<string, Set<string>>();
  for (const node of scenarios) {
    const list = byName.get(node.name);
    if (list) list.push(node);
    else byName.set(node.name, [node]);
    byFile.set(abs(node.file), node);
    for (const parent of node.extends) {
      const set = extenders.get(parent);
      if (set) set.add(node.name);
      else extenders.set(parent, new Set([node.name]));
    }
  }
  const dangling = new Set<string>();
  for (const node of scenarios) {
    if (node.extends.some((parent) => !byName.has(parent))) dangling.add(node.name);
  }
  return { byName, byFile, extenders, dangling };
}

/** The given names plus every scenario that extends one of them, transitively (cycle-safe). */
export function withExtenders(graph: ScenarioGraph, names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const queue = [...names];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (out.has(name)) continue;
    out.add(name);
    for (const child of graph.extenders.get(name) ?? []) queue.push(child);
  }
  return out;
}

/**
 * Collapses raw watcher events into the last state of each path: a file added then removed is
 * removed; removed then re-created (an atomic save, a `git checkout`) is changed.
 */
export function collapseEvents(events: Iterable<ChangeEvent>): Map<string, ChangeKind> {
  const out = new Map<string, ChangeKind>();
  for (const { path, kind } of events) {
    const p = abs(path);
    const before = out.get(p);
    if (kind === 'add' && before === 'unlink') out.set(p, 'change');
    else if (kind === 'change' && before === 'add') continue;
    else out.set(p, kind);
  }
  return out;
}

/** What a batch of changes (absolute path → last kind) requires the watch loop to do. */
export function affectedByChanges(
  graph: ScenarioGraph,
  inputs: WatchInputs,
  changes: ReadonlyMap<string, ChangeKind>,
): ChangeImpact {
  const scenarioDirs = inputs.scenarioDirs.map(abs);
  const templates = inputs.templates.map(abs);
  const configFile = abs(inputs.configFile);
  const modelFiles = new Set([...inputs.modelFiles].map(abs));

  const direct = new Set<string>();
  const added = new Set<string>();
  const deleted = new Set<string>();
  let all = false;
  let reloadConfig = false;
  let restartHelper = false;
  let scenarioFileSeen = false;

  for (const [rawPath, kind] of changes) {
    const path = abs(rawPath);
    if (path === configFile) {
      reloadConfig = true;
      all = true;
      continue;
    }
    if (templates.some((t) => isAtOrUnder(path, t))) {
      all = true;
      continue;
    }
    if (modelFiles.has(path)) {
      restartHelper = true;
      continue;
    }
    const known = graph.byFile.get(path);
    if (known) {
      if (kind === 'unlink') {
        deleted.add(path);
        // Its extenders lose their base: rebuilding them puts the error in front of the user
        // while their last good files stay on disk.
        for (const child of graph.extenders.get(known.name) ?? []) direct.add(child);
      } else {
        direct.add(known.name);
        scenarioFileSeen = true;
      }
      continue;
    }
    const isScenarioFile =
      SCENARIO_EXT.some((ext) => path.endsWith(ext)) &&
      scenarioDirs.some((dir) => isAtOrUnder(path, dir));
    // Unknown and changed rather than added still means "load it": a file that failed to load
    // before has no node, and its next save must be picked up.
    if (isScenarioFile && kind !== 'unlink') {
      added.add(path);
      scenarioFileSeen = true;
    }
  }

  // A new or edited file may now provide a name that some scenario extends but nobody had.
  if (scenarioFileSeen) for (const name of graph.dangling) direct.add(name);

  const rebuild = all ? new Set(graph.byName.keys()) : withExtenders(graph, direct);
  for (const file of deleted) {
    const name = graph.byFile.get(file)?.name;
    if (name === undefined) continue;
    const stillThere = (graph.byName.get(name) ?? []).some((n) => !deleted.has(abs(n.file)));
    if (!stillThere) rebuild.delete(name);
  }
  return {
    rebuild,
    added,
    deleted,
    reloadConfig,
    restartHelper,
    reintrospect: restartHelper,
  };
}

/**
 * After a re-introspection: the scenarios whose catalog slice hash changed, appeared or
 * disappeared (a slice that can no longer be computed is a change the user must see), plus
 * everything that extends them.
 */
export function affectedBySliceChange(
  oldHashes: ReadonlyMap<string, string>,
  newHashes: ReadonlyMap<string, string>,
  graph: ScenarioGraph,
): Set<string> {
  const changed = new Set<string>();
  for (const [name, hash] of newHashes) if (oldHashes.get(name) !== hash) changed.add(name);
  for (const name of oldHashes.keys()) if (!newHashes.has(name)) changed.add(name);
  // Names no longer in the graph were deleted; they are orphans, not rebuilds.
  for (const name of changed) if (!graph.byName.has(name)) changed.delete(name);
  return withExtenders(graph, changed);
}
