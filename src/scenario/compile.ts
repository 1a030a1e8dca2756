/**
 * The scenario stage as a whole: every file loaded, schema-checked, its name and `extends`
 * resolved, checked against the catalog and planned. One scenario's failure never stops another's,
 * except that a scenario extending a failed one fails too.
 */
import type { Catalog } from '../catalog/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { buildPlan } from '../plan/build.js';
import { CatalogIndex } from '../plan/catalog-index.js';
import type { LabelInfo } from '../plan/input.js';
import type { Plan, PlanInherited } from '../plan/types.js';
import { analyzeScenario } from './analyze.js';
import { Codes } from './codes.js';
import { loadScenario } from './load.js';
import { diagAt, spanAt } from './position.js';
import { checkSchema } from './schema.js';
import type { Path, RawScenario, ScenarioSource } from './types.js';

export interface ScenarioInput {
  /** Path relative to the project root, forward slashes. */
  readonly file: string;
  readonly text: string;
}

export interface CompileOptions {
  /** Model import paths of the configuration, for scenarios without `models`. */
  readonly defaultModels: readonly string[];
}

export interface ScenarioFailure {
  readonly file: string;
  /** The scenario's name when it could be read. */
  readonly name: string | null;
  readonly diagnostics: Diagnostic[];
}

export interface CompileResult {
  /** Sorted by name. */
  readonly plans: Plan[];
  /** Sorted by file. */
  readonly failures: ScenarioFailure[];
}

const NAME = /^[a-z_][a-z0-9_]*$/;
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);

interface Entry {
  readonly file: string;
  readonly src: ScenarioSource | null;
  readonly raw: RawScenario | null;
  readonly name: string | null;
  /** Where the name is written (the `name` key's value, else the top of the file). */
  readonly namePath: Path | null;
  readonly diagnostics: Diagnostic[];
  plan: Plan | null;
  inCycle: boolean;
  state: 'new' | 'visiting' | 'done';
}

/** `scenarios/team.yaml` → `team`. */
export function fileStem(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return base.replace(/\.ya?ml$/i, '');
}

function listOf(v: string | readonly string[] | undefined): readonly string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = sort((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

function loadEntry(input: ScenarioInput): Entry {
  const base = { file: input.file, plan: null, inCycle: false, state: 'new' as const };
  const loaded = loadScenario(input.file, input.text);
  if (!loaded.ok) {
    return {
      ...base,
      src: null,
      raw: null,
      name: null,
      namePath: null,
      diagnostics: [...loaded.diagnostics],
    };
  }
  const src = loaded.value;
  const data = src.data as Record<string, unknown>;
  const diagnostics = checkSchema(src);
  const written = data.name;
  let name: string | null = null;
  let namePath: Path | null = null;
  if (typeof written === 'string' && NAME.test(written) && !KEYWORDS.has(written)) {
    name = written;
    namePath = ['name'];
  } else if (written === undefined) {
    const stem = fileStem(input.file);
    if (NAME.test(stem) && !KEYWORDS.has(stem)) {
      name = stem;
      namePath = [];
    } else {
      diagnostics.push({
        code: Codes.badFileStem,
        severity: 'error',
        message: `the file name "${stem}" is not a valid fixture name and the scenario has no name:`,
        file: input.file,
        line: 1,
        column: 1,
        hint: `add name: ${stem
          .toLowerCase()
          .replace(/[^a-z0-9_]/g, '_')
          .replace(/^([0-9])/, '_$1')}, or rename the file`,
      });
    }
  }
  const raw = diagnostics.length === 0 ? (data as RawScenario) : null;
  return { ...base, src, raw, name, namePath, diagnostics };
}

function nameSite(e: Entry): string {
  if (e.src === null || e.namePath === null) return e.file;
  const s = e.namePath.length === 0 ? { line: 1, column: 1 } : spanAt(e.src, e.namePath);
  return `${e.file}:${s.line}:${s.column}`;
}

function nameDiagnostic(e: Entry, message: string, code: string, hint?: string): Diagnostic {
  if (e.src !== null && e.namePath !== null && e.namePath.length > 0) {
    return diagAt(e.src, code, message, e.namePath, { hint });
  }
  return {
    code,
    severity: 'error',
    message,
    file: e.file,
    line: 1,
    column: 1,
    ...(hint ? { hint } : {}),
  };
}

/** `[a, b, c, a]` seen from its `j`-th member: `[b, c, a, b]` for j = 1. */
function rotate(cycle: readonly string[], j: number): string[] {
  const ring = cycle.slice(0, -1);
  const turned = [...ring.slice(j), ...ring.slice(0, j)];
  return [...turned, turned[0]!];
}

/** Loads, checks and plans every scenario. */
export function compileScenarios(
  inputs: readonly ScenarioInput[],
  catalog: Catalog,
  options: CompileOptions,
): CompileResult {
  const entries = [...inputs]
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .map(loadEntry);

  const byName = new Map<string, Entry[]>();
  for (const e of entries)
    if (e.name !== null) byName.set(e.name, [...(byName.get(e.name) ?? []), e]);
  for (const [name, group] of byName) {
    if (group.length < 2) continue;
    for (const e of group) {
      const others = group.filter((o) => o !== e).map(nameSite);
      e.diagnostics.push(
        nameDiagnostic(
          e,
          `scenario name "${name}" is also used by ${others.join(', ')}`,
          Codes.duplicateName,
          'scenario names are unique: they name the fixture and its module',
        ),
      );
    }
  }

  const unique = new Map<string, Entry>();
  for (const [name, group] of byName) if (group.length === 1) unique.set(name, group[0]!);
  const index = new CatalogIndex(catalog);

  const compile = (e: Entry, trail: readonly Entry[]): void => {
    if (e.state === 'done') return;
    if (e.state === 'visiting') return; // reported by the entry that closes the cycle
    e.state = 'visiting';
    const raw = e.raw;
    const src = e.src;
    if (raw === null || src === null || e.diagnostics.length > 0) {
      e.state = 'done';
      return;
    }
    const bases = listOf(raw.extends);
    const basePath = (k: number): Path =>
      typeof raw.extends === 'string' ? ['extends'] : ['extends', k];
    const inherited: PlanInherited[] = [];
    bases.forEach((baseName, k) => {
      const base = unique.get(baseName);
      if (base === undefined) {
        const dup = (byName.get(baseName)?.length ?? 0) > 1;
        e.diagnostics.push(
          diagAt(
            src,
            dup ? Codes.extendsFailed : Codes.unknownExtends,
            dup
              ? `extends "${baseName}", a name several scenarios use`
              : `extends unknown scenario "${baseName}"`,
            basePath(k),
            {
              hint: dup
                ? 'rename one of them'
                : (didYouMean(baseName, unique.keys()) ??
                  `known scenarios: ${[...unique.keys()].sort().join(', ') || 'none'}`),
            },
          ),
        );
        return;
      }
      if (base === e || base.state === 'visiting') {
        // Every scenario on the cycle reports it, each at its own `extends` of the next one.
        const chain = [...trail, e];
        const members = chain.slice(chain.indexOf(base));
        const path = [...members, base].map((x) => x.name ?? x.file);
        members.forEach((m, j) => {
          const next = members[j + 1] ?? base;
          const nextName = next.name ?? '';
          const k2 = listOf(m.raw?.extends).indexOf(nextName);
          const p2: Path = typeof m.raw?.extends === 'string' ? ['extends'] : ['extends', k2];
          if (m.src !== null && !m.inCycle) {
            m.diagnostics.push(
              diagAt(
                m.src,
                Codes.extendsCycle,
                `extends cycle: ${rotate(path, j).join(' → ')}`,
                p2,
                {
                  hint: 'a scenario cannot extend itself, directly or through others',
                },
              ),
            );
          }
          m.inCycle = true;
        });
        return;
      }
      compile(base, [...trail, e]);
      if (base.plan === null) {
        if (e.inCycle) return;
        e.diagnostics.push(
          diagAt(src, Codes.extendsFailed, `extends "${baseName}", which has errors`, basePath(k), {
            hint: `fix ${base.file} first`,
          }),
        );
        return;
      }
      const fromBase: PlanInherited[] = [
        ...base.plan.inherited,
        ...base.plan.entities.map((x) => ({
          scenario: base.plan!.name,
          label: x.label,
          model: x.model,
          className: x.className,
          module: x.module,
          count: x.count,
        })),
      ];
      for (const l of fromBase) {
        const same = inherited.find((x) => x.label === l.label);
        if (same === undefined) inherited.push(l);
        else if (same.scenario !== l.scenario) {
          e.diagnostics.push(
            diagAt(
              src,
              Codes.labelClash,
              `label "${l.label}" is defined by both ${same.scenario} and ${l.scenario}`,
              basePath(k),
              { hint: 'labels are unique within a scenario and what it extends' },
            ),
          );
        }
      }
    });
    if (e.diagnostics.length > 0) {
      e.state = 'done';
      return;
    }
    const inheritedLabels: LabelInfo[] = inherited.flatMap((l) => {
      const model = index.model(l.model);
      return model ? [{ label: l.label, model, count: l.count, scenario: l.scenario }] : [];
    });
    const modelPaths = raw.models === undefined ? options.defaultModels : listOf(raw.models);
    const analysis = analyzeScenario(src, raw, catalog, modelPaths, inheritedLabels);
    if (analysis.diagnostics.length > 0) {
      e.diagnostics.push(...analysis.diagnostics);
      e.state = 'done';
      return;
    }
    const built = buildPlan(
      {
        name: e.name!,
        description: raw.description ?? null,
        source: e.file,
        extends: bases,
        inherited,
        entities: analysis.entities,
        expectCounts: analysis.expectCounts,
        edgeCases: raw.edge_cases ?? null,
        canonical: canonicalJson(src.data),
        at: { file: e.file, line: 1, column: 1 },
      },
      catalog,
    );
    if (built.ok) e.plan = built.value;
    else e.diagnostics.push(...built.diagnostics);
    e.state = 'done';
  };
  for (const e of entries) compile(e, []);

  const plans: Plan[] = [];
  const failures: ScenarioFailure[] = [];
  for (const e of entries) {
    if (e.plan !== null && e.diagnostics.length === 0) plans.push(e.plan);
    else failures.push({ file: e.file, name: e.name, diagnostics: e.diagnostics });
  }
  plans.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { plans, failures };
}
