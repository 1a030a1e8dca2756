/**
 * The scenario stage as a whole: every file loaded, schema-checked, its name and `extends`
 * resolved, checked against the catalog and planned. One scenario's failure never stops another's,
 * except that a scenario extending a failed one fails too (its own errors are still reported).
 */
import type { Catalog } from '../catalog/types.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { buildPlan } from '../plan/build.js';
import { CatalogIndex } from '../plan/catalog-index.js';
import type { LabelInfo } from '../plan/input.js';
import type { Plan, PlanInherited } from '../plan/types.js';
import { analyzeScenario } from './analyze.js';
import { Codes } from '../diagnostics/scenario-codes.js';
import { canonicalJson } from '../canonical-json.js';
import {
  fileStem,
  listOf,
  loadEntry,
  nameDiagnostic,
  nameSite,
  type Entry,
  type ScenarioInput,
} from './entry.js';
import type { CompileCache } from './compile-cache.js';
import { FailedLabels } from './failed-labels.js';
import { planVariants } from './plan-variants.js';
import { edgeCaseOptions, edgeCasesMode } from './edge-options.js';
import { diagAt, spanAt } from './position.js';
import type { Path, RawScenario, ScenarioScope } from './types.js';
import { sqlalchemyFamily } from '../catalog/sqlalchemy.js';

export type { ScenarioInput } from './entry.js';

export interface CompileOptions {
  /** Model import paths of the configuration, for scenarios without `models`. */
  readonly defaultModels: readonly string[];
  /** The configured `session_fixture`, a name no scenario may take. */
  readonly sessionFixture?: string;
  /** The configured `scope`, for scenarios without `scope` (default: function). */
  readonly defaultScope?: ScenarioScope;
  /** `async: true` in the config: a scope wider than per test is refused (FG242). */
  readonly async?: boolean;
  /**
   * What the last compile left (watch keeps one per session): files the changes cannot affect
   * are taken from it without being read again. See compile-cache.ts.
   */
  readonly cache?: CompileCache;
  /** Told each step taken on a file: loaded, visited, plan from the memo, analyzed (for tests). */
  readonly trace?: (file: string, step: CompileStep) => void;
}

const SCOPE_RANK: Record<ScenarioScope, number> = { function: 0, module: 1, session: 2 };

export type CompileStep = 'load' | 'visit' | 'memo' | 'analyze';

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

/** `[a, b, c, a]` seen from its `j`-th member: `[b, c, a, b]` for j = 1. */
function rotate(cycle: readonly string[], j: number): string[] {
  const ring = cycle.slice(0, -1);
  const turned = [...ring.slice(j), ...ring.slice(0, j)];
  return [...turned, turned[0]!];
}

/** Drops repeated diagnostics (a value merged into two entities is wrong in one place). */
function distinct(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = JSON.stringify(d);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A scenario that says what it wants only in words: `description` and no (or empty) `entities`.
 * It would build an empty fixture; `fixturegen draft` turns it into entities.
 */
export function isDescriptionOnly(raw: RawScenario): boolean {
  const described = typeof raw.description === 'string' && raw.description.trim() !== '';
  return described && Object.keys(raw.entities ?? {}).length === 0;
}

/**
 * The last plan compiled from each parsed file (parses are cached per content, see `loadEntry`):
 * compiling the scenarios again after one file changed (watch, after each save) checks again only
 * the files that changed and those whose inputs did: the catalog, or what they inherit from the
 * scenarios they extend. Only plans are kept: a scenario with errors is always checked again.
 */
const compiled = new WeakMap<object, { catalog: Catalog; key: string; plan: Plan }>();

/** Loads, checks and plans every scenario (with `options.cache`, those a change can affect). */
export function compileScenarios(
  inputs: readonly ScenarioInput[],
  catalog: Catalog,
  options: CompileOptions,
): CompileResult {
  const sorted = [...inputs].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const load = (input: ScenarioInput): Entry => {
    options.trace?.(input.file, 'load');
    return loadEntry(input, { sessionFixture: options.sessionFixture });
  };
  const optionsKey = JSON.stringify([
    options.defaultModels,
    options.sessionFixture ?? null,
    options.defaultScope ?? null,
    options.async === true,
  ]);
  const { kept, loaded } = options.cache?.reusable(sorted, catalog, optionsKey, load) ?? {
    kept: new Map<string, Entry>(),
    loaded: new Map<string, Entry>(),
  };
  const entries = sorted.map(
    (input) => kept.get(input.file) ?? loaded.get(input.file) ?? load(input),
  );

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
  // A file that did not load has no name; `extends` may still mean it by its file stem.
  const unreadable = new Map<string, Entry>();
  for (const e of entries) {
    const stem = fileStem(e.file);
    if (e.src === null && !byName.has(stem)) unreadable.set(stem, e);
  }
  const index = new CatalogIndex(catalog);
  /** `scenarios/base.yaml:4:3`, where `scenario` defines `label`. */
  const labelSite = (scenario: string, label: string): string => {
    const e = unique.get(scenario);
    if (e === undefined || e.src === null) return scenario;
    const s = spanAt(e.src, ['entities', label], 'key');
    return `${scenario} (${e.file}:${s.line}:${s.column})`;
  };

  const compile = (e: Entry, trail: readonly Entry[]): void => {
    if (e.state === 'done') return;
    if (e.state === 'visiting') return; // reported by the entry that closes the cycle
    e.state = 'visiting';
    options.trace?.(e.file, 'visit');
    const raw = e.raw;
    const src = e.src;
    if (raw === null || src === null || e.diagnostics.length > 0) {
      e.state = 'done';
      return;
    }
    if (isDescriptionOnly(raw)) {
      e.diagnostics.push(
        diagAt(
          src,
          Codes.descriptionOnly,
          'scenario has a description but no entities, so its fixture would create nothing',
          ['description'],
          {
            which: 'key',
            hint: `run \`fixturegen draft ${e.file}\` to have the model write the entities from the description, or write them yourself`,
          },
        ),
      );
      e.state = 'done';
      return;
    }
    const bases = listOf(raw.extends);
    const basePath = (k: number): Path =>
      typeof raw.extends === 'string' ? ['extends'] : ['extends', k];
    const scope = raw.scope ?? options.defaultScope ?? 'function';
    if (scope !== 'function' && options.sessionFixture !== undefined) {
      e.diagnostics.push(
        diagAt(
          src,
          Codes.scopeNeedsOwnSession,
          `scope: ${scope} needs the db_session fixturegen generates, and session_fixture is set`,
          raw.scope === undefined ? [] : ['scope'],
          { hint: 'remove session_fixture from fixturegen.yaml, or keep scope: function' },
        ),
      );
    } else if (scope !== 'function' && options.async === true) {
      e.diagnostics.push(
        diagAt(
          src,
          Codes.scopeWithAsync,
          `scope: ${scope} is not supported with async: true: its shared session is a sync Session`,
          raw.scope === undefined ? [] : ['scope'],
          { hint: 'keep scope: function (the default) in an async project, or set async: false' },
        ),
      );
    } else if (scope !== 'function' && sqlalchemyFamily(catalog.sqlalchemyVersion) === '1.4') {
      e.diagnostics.push(
        diagAt(
          src,
          Codes.scopeNeedsSqlalchemy2,
          `scope: ${scope} needs SQLAlchemy 2.0 (its savepoints use join_transaction_mode), and the models use ${catalog.sqlalchemyVersion}`,
          raw.scope === undefined ? [] : ['scope'],
          { hint: 'keep scope: function with SQLAlchemy 1.4, or upgrade SQLAlchemy' },
        ),
      );
    }
    const inherited: PlanInherited[] = [];
    /** Labels of extended scenarios that failed: still visible, so the scenario's own errors show. */
    const fromFailed = new FailedLabels();
    bases.forEach((baseName, k) => {
      const base = unique.get(baseName) ?? unreadable.get(baseName);
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
        fromFailed.add(base, unique, catalog, options.defaultModels);
        return;
      }
      if (SCOPE_RANK[scope] > SCOPE_RANK[base.plan.scope ?? 'function']) {
        e.diagnostics.push(
          diagAt(
            src,
            Codes.scopeWiderThanParent,
            `scope ${scope} extends "${baseName}", whose scope is ${base.plan.scope ?? 'function'}`,
            basePath(k),
            {
              hint: `a fixture cannot use one that lives shorter: give ${baseName} scope: ${scope}, or narrow this one`,
            },
          ),
        );
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
              `label "${l.label}" is defined by both ${labelSite(same.scenario, l.label)} and ${labelSite(l.scenario, l.label)}`,
              basePath(k),
              {
                hint: 'labels are unique within a scenario and what it extends: rename it in one of them',
              },
            ),
          );
        }
      }
    });
    if (e.diagnostics.length > 0 && !fromFailed.any) {
      e.state = 'done';
      return;
    }
    const inheritedLabels: LabelInfo[] = inherited.flatMap((l) => {
      const model = index.model(l.model);
      return model ? [{ label: l.label, model, count: l.count, scenario: l.scenario }] : [];
    });
    const modelPaths = raw.models === undefined ? options.defaultModels : listOf(raw.models);
    // Unchanged file, catalog and inherited labels: the plan of the last compile is this one's.
    const memoKey = fromFailed.any
      ? null
      : JSON.stringify([e.name, bases, modelPaths, inherited, options.defaultModels, scope]);
    const memo = memoKey === null ? undefined : compiled.get(src);
    if (memo !== undefined && memo.catalog === catalog && memo.key === memoKey) {
      options.trace?.(e.file, 'memo');
      e.plan = memo.plan;
      e.state = 'done';
      return;
    }
    options.trace?.(e.file, 'analyze');
    const analysis = analyzeScenario(
      src,
      raw,
      catalog,
      modelPaths,
      inheritedLabels,
      labelSite,
      fromFailed.any ? fromFailed : undefined,
    );
    if (analysis.diagnostics.length > 0 || e.diagnostics.length > 0) {
      e.diagnostics.push(...analysis.diagnostics);
      e.state = 'done';
      return;
    }
    const planInput = (
      entities: typeof analysis.entities,
      expectCounts: typeof analysis.expectCounts,
    ) => ({
      name: e.name!,
      description: raw.description ?? null,
      source: e.file,
      extends: bases,
      scope,
      inherited,
      entities,
      expectCounts,
      edgeCases: edgeCasesMode(raw.edge_cases),
      canonical: canonicalJson(src.data),
      at: { file: e.file, line: 1, column: 1 },
    });
    const built = buildPlan(planInput(analysis.entities, analysis.expectCounts), catalog);
    const edge = edgeCaseOptions(src, raw.edge_cases, analysis.entities);
    e.diagnostics.push(...edge.diagnostics);
    if (!built.ok) e.diagnostics.push(...built.diagnostics);
    else {
      const variants = planVariants(
        src,
        raw,
        inheritedLabels,
        (s, r) => analyzeScenario(s, r, catalog, modelPaths, inheritedLabels, labelSite),
        (entities) => buildPlan(planInput(entities, []), catalog),
      );
      e.diagnostics.push(...variants.diagnostics);
      e.plan = {
        ...built.value,
        ...(variants.variants.length > 0 ? { variants: variants.variants } : {}),
        ...(edge.options !== null ? { edgeCaseOptions: edge.options } : {}),
      };
      // Kept for the next compile only when nothing was reported: a memo hit reports nothing.
      if (memoKey !== null && e.diagnostics.length === 0)
        compiled.set(src, { catalog, key: memoKey, plan: e.plan });
    }
    e.state = 'done';
  };
  for (const e of entries) compile(e, []);
  options.cache?.remember(sorted, entries, catalog, optionsKey);

  const plans: Plan[] = [];
  const failures: ScenarioFailure[] = [];
  for (const e of entries) {
    if (e.plan !== null && e.diagnostics.length === 0) plans.push(e.plan);
    else failures.push({ file: e.file, name: e.name, diagnostics: distinct(e.diagnostics) });
  }
  plans.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { plans, failures };
}
