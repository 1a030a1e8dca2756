/**
 * `check` and `validate` without parsing, compiling or rendering when nothing they read changed
 * since a run that did all of it. Two things are remembered under `.fixturegen/state/`
 * (config/state.ts):
 *
 * - `analysis`: what compiling the scenarios gave (each plan's name and file, each failure with
 *   its diagnostics), and which model modules were introspected and the hash of the catalog they
 *   gave, and the hash of the helper's answer that catalog was checked from. Its key covers
 *   fixturegen itself (version, code, templates, schemas), the whole loaded configuration
 *   (environment overrides included) and every scenario file's path and content hash; it is used
 *   only when the helper's answer now hashes the same (the same answer, checked by the same
 *   code, gives the same catalog: it is not checked again, and zod is not loaded), or the catalog
 *   it gives does.
 * - `check`: that every generated file was found current, by the same key, the catalog's hash and
 *   the content of every `.py` file in the output folder (and the names and kinds of the rest).
 *
 * Anything else, or anything changed, and the command does its full work: a remembered answer is
 * only ever the answer the full work gave for exactly the same inputs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog } from '../catalog/types.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { recall, remember, sha256, toolStamp } from '../config/state.js';
import type { ScenarioFailure } from './analyze.js';
import type { FileDigests } from './file-digests.js';
import { hashInputs } from './inputs.js';
import type { HashedInput, ScenarioInput } from './inputs.js';
import type { UncheckedCatalog } from './introspect.js';

export interface AnalysisMemo {
  /** The model modules introspected, sorted: the configured ones and those scenarios name. */
  readonly modules: readonly string[];
  /** sha256 of the catalog they gave. */
  readonly catalog: string;
  /** sha256 of the helper's answer, before its schema check, that gave it (`UncheckedAnswer`). */
  readonly answer: string;
  readonly plans: readonly { readonly name: string; readonly source: string }[];
  readonly failures: readonly ScenarioFailure[];
}

export interface CheckMemo {
  /** How many scenarios the generated files are current for. */
  readonly scenarios: number;
  /** The warnings the check reported (`CheckReport.warnings`), said again when it is recalled. */
  readonly warnings?: readonly Diagnostic[];
}

const ANALYSIS = 'analysis';
const CHECK = 'check';

/** The key of everything the analysis reads besides the catalog. */
export function analysisKey(config: Config, inputs: readonly ScenarioInput[]): string {
  return analysisKeyOf(config, hashInputs(inputs));
}

/** `analysisKey` of the scenario files as `hashInputs` or `hashScenarioInputs` gave them. */
export function analysisKeyOf(config: Config, inputs: readonly HashedInput[]): string {
  return sha256(JSON.stringify([toolStamp(), config, inputs]));
}

export function catalogHash(catalog: Catalog): string {
  return sha256(JSON.stringify(catalog));
}

/**
 * The output folder as `check` reads it: each entry's name and kind, and the content hash of each
 * `.py` file (a folder named like a module is a kind, not a content). Null when it cannot be read.
 * With `digests`, a module whose stat is the one its hash was remembered with is not read.
 */
export function outputsKey(config: Config, digests?: FileDigests): string | null {
  const dir = join(config.root, config.output);
  const entries: string[][] = [];
  try {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st === undefined) return sha256('missing');
    if (!st.isDirectory()) return sha256('not a folder');
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const e = statSync(path, { bigint: true, throwIfNoEntry: false });
      if (e === undefined) entries.push([name, 'gone']);
      else if (!e.isFile()) entries.push([name, e.isDirectory() ? 'folder' : 'other']);
      else if (!name.endsWith('.py')) entries.push([name, 'file']);
      else if (digests === undefined) entries.push([name, sha256(readFileSync(path))]);
      else {
        // `e`, taken before the file is read, is its stamp (file-digests.ts).
        const read = () => sha256(readFileSync(path));
        entries.push([name, digests.hash(`output:${path}`, path, read, e) ?? read()]);
      }
    }
  } catch {
    return null;
  }
  return sha256(JSON.stringify(entries));
}

/** What `validate` and `check` remember of an analysis. */
export function analysisMemo(
  modules: readonly string[],
  catalog: Catalog,
  answer: string,
  analysis: {
    readonly plans: readonly { readonly name: string; readonly source: string }[];
    readonly failures: readonly ScenarioFailure[];
  },
): AnalysisMemo {
  return {
    modules,
    catalog: catalogHash(catalog),
    answer,
    plans: analysis.plans.map((p) => ({ name: p.name, source: p.source })),
    failures: analysis.failures,
  };
}

const checkKey = (analysis: string, catalog: string, outputs: string) =>
  sha256(JSON.stringify([analysis, catalog, outputs]));

/**
 * The remembered analysis for these inputs, if any; valid only for a catalog of its hash
 * (`holdsFor`).
 */
export function recallAnalysis(config: Config, key: string): AnalysisMemo | null {
  return recall<AnalysisMemo>(config.root, ANALYSIS, key);
}

/** Whether the helper's answer gives the catalog `memo` was computed for. */
export async function holdsFor(memo: AnalysisMemo, answer: UncheckedCatalog): Promise<boolean> {
  if (answer.hash === memo.answer) return true;
  return catalogHash(await answer.catalog()) === memo.catalog;
}

export function rememberAnalysis(config: Config, key: string, memo: AnalysisMemo): void {
  remember(config.root, ANALYSIS, key, memo);
}

/**
 * Whether the output folder, as `outputsKey` gave it, was found current for this analysis and
 * catalog.
 */
export function recallCheck(
  config: Config,
  key: string,
  memo: AnalysisMemo,
  outputs: string | null,
): CheckMemo | null {
  if (outputs === null) return null;
  return recall<CheckMemo>(config.root, CHECK, checkKey(key, memo.catalog, outputs));
}

/**
 * Remembers that the output folder was found current. `outputsBefore`: the folder's key taken
 * before the check read it; a folder that changed while it ran is not remembered.
 */
export function rememberCheck(
  config: Config,
  key: string,
  catalog: string,
  outputsBefore: string | null,
  memo: CheckMemo,
): void {
  const outputs = outputsKey(config);
  if (outputs === null || outputs !== outputsBefore) return;
  remember(config.root, CHECK, checkKey(key, catalog, outputs), memo);
}
