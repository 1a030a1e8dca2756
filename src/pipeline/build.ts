import { existsSync, readFileSync } from 'node:fs';
import type { PythonHelper } from '../catalog/python.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import type { LlmScenarioReport } from '../generate/llm/generator.js';
import type { Generator } from '../generate/types.js';
import type { Plan } from '../plan/types.js';
import { readHeader, sha256, withHeader } from '../output/header.js';
import { removeStrayTemps, writeAtomic } from '../output/write.js';
import { guardCandidate } from '../verify/guard.js';
import { verifyCandidate } from '../verify/verify.js';
import { VERSION } from '../version.js';
import type { Analysis } from './analyze.js';
import { packageName } from './inputs.js';
import { absolute, initPath, inputHashes, renderInit, scenarioPath } from './outputs.js';

export type ScenarioStatus = 'built' | 'unchanged' | 'up-to-date' | 'failed';

export interface ScenarioOutcome {
  readonly name: string;
  /** Scenario file, relative to the root. */
  readonly file: string;
  /** Generated file, relative to the root (null when the scenario did not compile). */
  readonly output: string | null;
  readonly status: ScenarioStatus;
  readonly diagnostics: readonly Diagnostic[];
  readonly notes: readonly string[];
  readonly durationMs: number;
  /** What the model did, when the LLM generator generated this scenario in this build. */
  readonly llm?: LlmScenarioReport;
}

export interface BuildReport {
  readonly outcomes: readonly ScenarioOutcome[];
  /** Files written (relative paths). */
  readonly written: readonly string[];
  /** Temporary files a killed writer left in the output folder, removed (relative paths). */
  readonly removed: readonly string[];
}

export interface BuildOptions {
  readonly config: Config;
  readonly helper: PythonHelper;
  readonly analysis: Analysis;
  readonly generator: Generator;
  readonly force?: boolean;
  /** Only these scenarios (names or scenario file paths); all when empty. */
  readonly only?: readonly string[];
  /** Called as each scenario starts and ends, for progress output. */
  readonly onProgress?: (name: string, phase: 'start' | 'done', outcome?: ScenarioOutcome) => void;
}

function readIfExists(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** The scenarios `name` extends, transitively, parents first. */
export function extendsClosure(name: string, plans: ReadonlyMap<string, Plan>): string[] {
  const out: string[] = [];
  const visit = (n: string) => {
    for (const p of plans.get(n)?.extends ?? []) {
      if (!out.includes(p)) {
        visit(p);
        out.push(p);
      }
    }
  };
  visit(name);
  return out;
}

/**
 * Generates, verifies and writes every scenario that is out of date. A scenario that fails any
 * stage writes nothing and leaves its previous file as it was; the others still build.
 */
export async function build(options: BuildOptions): Promise<BuildReport> {
  const { config, analysis, generator, helper } = options;
  const { catalog, plans } = analysis;
  const byName = new Map(plans.map((p) => [p.name, p]));
  const pkg = packageName(config);
  const only = new Set(options.only ?? []);
  // Building a scenario needs its parents current: they are selected with it.
  const chosen = new Set<string>();
  for (const plan of plans) {
    if (only.has(plan.name) || only.has(plan.source)) {
      chosen.add(plan.name);
      for (const parent of extendsClosure(plan.name, byName)) chosen.add(parent);
    }
  }
  const selected = (plan: Plan) => only.size === 0 || chosen.has(plan.name);
  // Only the selected scenarios (parents included) are hashed and have their files read: a watch
  // run that rebuilds one scenario of many costs one scenario's work, not all of theirs.
  const hashes = inputHashes(
    only.size === 0 ? plans : plans.filter(selected),
    catalog,
    config,
    generator,
  );
  const written: string[] = [];
  const outcomes: ScenarioOutcome[] = [];

  for (const failure of analysis.failures) {
    if (only.size > 0 && !only.has(failure.name ?? '') && !only.has(failure.file)) continue;
    outcomes.push({
      name: failure.name ?? failure.file,
      file: failure.file,
      output: failure.name ? scenarioPath(config, failure.name) : null,
      status: 'failed',
      diagnostics: failure.diagnostics,
      notes: [],
      durationMs: 0,
    });
  }

  /** Accepted file contents by scenario name: this run's candidates, else what is on disk. */
  const accepted = new Map<string, string>();
  const tasks = new Map<string, Promise<ScenarioOutcome>>();

  const run = (plan: Plan): Promise<ScenarioOutcome> => {
    let task = tasks.get(plan.name);
    if (task) return task;
    task = (async (): Promise<ScenarioOutcome> => {
      const started = performance.now();
      const rel = scenarioPath(config, plan.name);
      const existing = selected(plan) ? readIfExists(absolute(config, rel)) : null;
      const parsed = existing === null ? null : readHeader(existing);
      const hash = hashes.get(plan.name)!;
      const edited = parsed !== null && sha256(parsed.body) !== parsed.header.body;
      const current = parsed !== null && !edited && parsed.header.input === hash;
      const parentOutcomes = await Promise.all(
        plan.extends
          .map((p) => byName.get(p))
          .filter((p) => p !== undefined)
          .map(run),
      );
      let llm: LlmScenarioReport | undefined = undefined; // set once the generator ran
      const done = (
        status: ScenarioStatus,
        diagnostics: readonly Diagnostic[],
        notes: string[] = [],
      ) => {
        const outcome: ScenarioOutcome = {
          name: plan.name,
          file: plan.source,
          output: rel,
          status,
          diagnostics,
          notes,
          durationMs: Math.round(performance.now() - started),
          ...(llm ? { llm } : {}),
        };
        options.onProgress?.(plan.name, 'done', outcome);
        return outcome;
      };
      const failedParent = parentOutcomes.find((o) => o.status === 'failed');
      if (failedParent) {
        return done('failed', [
          error('FG301', `extends \`${failedParent.name}\`, which failed to build`, {
            file: plan.source,
            line: 1,
            column: 1,
            hint: `fix ${failedParent.file} first`,
          }),
        ]);
      }
      if ((current && !options.force) || !selected(plan)) {
        if (existing !== null) accepted.set(plan.name, existing);
        return done('up-to-date', []);
      }
      options.onProgress?.(plan.name, 'start');
      const closure = extendsClosure(plan.name, byName);
      const validate = async (body: string): Promise<readonly Diagnostic[]> => {
        const guarded = await guardCandidate(helper, {
          body,
          plan,
          catalog,
          packageName: pkg,
          sessionFixture: config.session_fixture ?? 'db_session',
          plans: byName,
        });
        // Nothing of a candidate that fails the guard is written, imported or run.
        if (guarded.length > 0) return guarded;
        const files: Record<string, string> = {};
        for (const parent of closure) {
          const text = accepted.get(parent);
          if (text !== undefined) files[scenarioPath(config, parent)] = text;
        }
        files[rel] = withHeader(body, {
          version: VERSION,
          source: plan.source,
          generator: generator.id,
          input: hash,
        });
        files[initPath(config)] = renderInit(config, catalog, [...closure, plan.name]);
        return verifyCandidate(helper, {
          config,
          packageName: pkg,
          files,
          plans: [plan],
          source: plan.source,
        });
      };
      const generated = await generator.generate(plan, {
        config,
        catalog,
        packageName: pkg,
        plans: byName,
        validate,
      });
      llm = generator.report?.(plan.name);
      if (!generated.ok) return done('failed', generated.diagnostics);
      if (!generated.validated) {
        const problems = await validate(generated.body);
        if (problems.length > 0) return done('failed', problems);
      }
      const text = withHeader(generated.body, {
        version: VERSION,
        source: plan.source,
        generator: generator.id,
        input: hash,
      });
      accepted.set(plan.name, text);
      const notes = [...(generated.notes ?? [])];
      if (edited) notes.push(`replaced hand edits in ${rel}`);
      if (writeAtomic(absolute(config, rel), text)) {
        written.push(rel);
        return done('built', [], notes);
      }
      return done('unchanged', [], notes);
    })();
    tasks.set(plan.name, task);
    return task;
  };

  outcomes.push(
    ...(await Promise.all(plans.map(run))).filter((o) => selected(byName.get(o.name)!)),
  );

  // The plugin list: every scenario whose module exists after this build (a failing scenario keeps
  // its last good file, and stays registered).
  const registered = [
    ...plans.map((p) => p.name),
    ...analysis.failures.map((f) => f.name).filter((n): n is string => n !== null),
  ].filter((name) => existsSync(absolute(config, scenarioPath(config, name))));
  const init = renderInit(config, catalog, [...new Set(registered)]);
  if (writeAtomic(absolute(config, initPath(config)), init)) written.push(initPath(config));
  outcomes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const outDir = absolute(config, config.output);
  const removed = removeStrayTemps(outDir).map((n) => `${config.output.replace(/\/+$/, '')}/${n}`);
  return { outcomes, written, removed };
}
