/**
 * The desired outputs against the disk: which generated files are current, missing, stale (and
 * why), edited by hand, or orphaned. Reads files, writes nothing.
 *
 * A file at a scenario's output path without a fixturegen header counts as edited by hand: `check`
 * reports it and `build` replaces it, saying so. A `.py` file without a header in the output folder
 * that no scenario owns is the user's own, and neither command touches or reports it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import { readHeader, sha256 } from '../output/header.js';
import type { DesiredOutputs, DesiredScenario } from './desired.js';
import { fileContents, generateBody } from './desired.js';
import type { Plan } from '../plan/types.js';
import { absolute, initPath, renderInit, scenarioPath } from './outputs.js';
import type { StaleReason } from './stale.js';
import { staleReasons } from './stale.js';

export type OutputState =
  | { readonly kind: 'current' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'stale'; readonly reasons: readonly StaleReason[] }
  | { readonly kind: 'hand-edited'; readonly headerless: boolean };

export interface ScenarioDiff {
  readonly desired: DesiredScenario;
  /** What is at its path now, or null. */
  readonly existing: string | null;
  readonly state: OutputState;
  /** Its constraint test file against the disk, when it should have one. */
  readonly tests: { readonly existing: string | null; readonly state: OutputState } | null;
}

export interface Orphan {
  /** The generated file, relative to the root. */
  readonly path: string;
  /** The scenario file its header names. */
  readonly source: string;
  /** Why it is orphaned, as a sentence fragment ("its scenario … no longer exists"). */
  readonly why: string;
}

export interface OutputsDiff {
  readonly scenarios: ReadonlyMap<string, ScenarioDiff>;
  readonly orphaned: readonly Orphan[];
}

function readIfExists(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/**
 * Each desired scenario's file against the disk (parents before children), and the orphans.
 * `rebuildAll` (`build --force`): every scenario is rebuilt whatever its state, so a builtin file
 * whose header says it is current is not rendered again to compare its bytes (which could only
 * turn `current` into `stale`, and both are rebuilt alike).
 */
export async function diffOutputs(
  desired: DesiredOutputs,
  options: { readonly rebuildAll?: boolean } = {},
): Promise<OutputsDiff> {
  const { config, generator } = desired;
  const compareBytes = generator.id === 'builtin' && options.rebuildAll !== true;
  const out = new Map<string, ScenarioDiff>();
  const visit = async (d: DesiredScenario): Promise<ScenarioDiff> => {
    const known = out.get(d.name);
    if (known) return known;
    const parents: ScenarioDiff[] = [];
    for (const p of d.plan.extends) {
      const parent = desired.scenarios.get(p);
      if (parent) parents.push(await visit(parent));
    }
    const existing = readIfExists(absolute(config, d.path));
    const state = await stateOf(d, existing, parents, compareBytes ? desired : null);
    const tests = d.constraints?.tests
      ? testsState(
          d,
          d.constraints.tests.contents,
          readIfExists(absolute(config, d.constraints.tests.path)),
          parents,
        )
      : null;
    const diff = { desired: d, existing, state, tests };
    out.set(d.name, diff);
    return diff;
  };
  for (const d of desired.scenarios.values()) await visit(d);
  return {
    scenarios: out,
    orphaned: orphans(config, desired.owned, desired.ownedTests),
  };
}

/** A constraint test file: rendered in memory, so its bytes decide. */
function testsState(
  d: DesiredScenario,
  expected: string,
  existing: string | null,
  parents: readonly ScenarioDiff[],
): { existing: string | null; state: OutputState } {
  if (existing === null) return { existing, state: { kind: 'missing' } };
  const parsed = readHeader(existing);
  if (parsed === null) return { existing, state: { kind: 'hand-edited', headerless: true } };
  if (sha256(parsed.body) !== parsed.header.body) {
    return { existing, state: { kind: 'hand-edited', headerless: false } };
  }
  if (parsed.header.input !== d.input) {
    const reasons = staleReasons(parsed.header, { ...d, generator: 'builtin' }, parents);
    return { existing, state: { kind: 'stale', reasons } };
  }
  if (existing !== expected)
    return { existing, state: { kind: 'stale', reasons: [{ kind: 'bytes' }] } };
  return { existing, state: { kind: 'current' } };
}

async function stateOf(
  d: DesiredScenario,
  existing: string | null,
  parents: readonly ScenarioDiff[],
  builtin: DesiredOutputs | null,
): Promise<OutputState> {
  if (existing === null) return { kind: 'missing' };
  const parsed = readHeader(existing);
  if (parsed === null) return { kind: 'hand-edited', headerless: true };
  if (sha256(parsed.body) !== parsed.header.body) return { kind: 'hand-edited', headerless: false };
  if (parsed.header.input !== d.input) {
    return { kind: 'stale', reasons: staleReasons(parsed.header, d, parents) };
  }
  // Builtin output costs next to nothing to render: compare the bytes too, so that `build` and
  // `check` agree even on an input the hash would miss.
  if (builtin !== null && parsed.header.generator === 'builtin') {
    const fresh = await generateBody(builtin.generator, d, () => Promise.resolve([]));
    if (!fresh.ok || fileContents(d, fresh.body) !== existing) {
      return { kind: 'stale', reasons: [{ kind: 'bytes' }] };
    }
  }
  return { kind: 'current' };
}

/** Files in the output folder with a fixturegen header whose scenario no longer exists. */
function orphans(
  config: Config,
  owned: ReadonlySet<string>,
  ownedTests: ReadonlySet<string>,
): Orphan[] {
  const outDir = absolute(config, config.output);
  if (!existsSync(outDir)) return [];
  const found: Orphan[] = [];
  for (const entry of readdirSync(outDir).sort()) {
    if (!entry.endsWith('.py') || entry === '__init__.py') continue;
    const stem = entry.slice(0, -3);
    if (owned.has(stem) || ownedTests.has(stem)) continue;
    const parsed = readHeader(readFileSync(join(outDir, entry), 'utf8'));
    if (!parsed) continue;
    const source = parsed.header.source;
    // A scenario's constraint tests outlive `edge_cases: auto` (or `constraint_tests: true`).
    const scenario = /^test_(.+)_constraints$/.exec(stem)?.[1];
    const why =
      scenario !== undefined && owned.has(scenario)
        ? `its scenario ${source} no longer asks for constraint tests (edge_cases: auto, constraint_tests)`
        : `its scenario ${source} no longer exists`;
    found.push({ path: scenarioPath(config, stem), source, why });
  }
  return found;
}

/** The plugin package's `__init__.py`: what it should be given the scenario modules on disk. */
export function diffInit(
  config: Config,
  catalog: Catalog,
  owned: ReadonlySet<string>,
  plans: readonly Plan[],
): { path: string; expected: string; state: OutputState } {
  const registered = [...owned].filter((n) =>
    existsSync(absolute(config, scenarioPath(config, n))),
  );
  const path = initPath(config);
  const expected = renderInit(config, catalog, registered, plans);
  const text = readIfExists(absolute(config, path));
  if (text === null) return { path, expected, state: { kind: 'missing' } };
  const parsed = readHeader(text);
  if (parsed === null || sha256(parsed.body) !== parsed.header.body) {
    return { path, expected, state: { kind: 'hand-edited', headerless: parsed === null } };
  }
  if (text !== expected) return { path, expected, state: { kind: 'stale', reasons: [] } };
  return { path, expected, state: { kind: 'current' } };
}
