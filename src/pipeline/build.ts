import type { PythonHelper } from '../helper/client.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import type { LlmScenarioReport } from '../generate/llm/generator/types.js';
import type { Generator } from '../generate/types.js';
import { removeStrayTemps, writeAtomic } from '../output/write.js';
import { guardCandidate } from '../verify/guard.js';
import { verifyCandidate } from '../verify/verify.js';
import type { Analysis } from './analyze.js';
import type { DesiredScenario } from './desired.js';
import { desiredOutputs, fileContents, generateBody, selects } from './desired.js';
import type { Orphan, ScenarioDiff } from './diff.js';
import { diffInit, diffOutputs } from './diff.js';
import { packageName } from './inputs.js';
import { absolute, initPath, renderInit, scenarioPath } from './outputs.js';

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
  /** Generated files whose scenario no longer exists: build leaves them, and says so. */
  readonly orphaned: readonly Orphan[];
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

/**
 * Generates, verifies and writes every selected scenario whose file the diff against disk finds
 * missing, stale or edited by hand (every one with `force`). A scenario that fails any stage
 * writes nothing and leaves its previous file as it was; the others still build.
 */
export async function build(options: BuildOptions): Promise<BuildReport> {
  const { config, analysis, generator } = options;
  const only = new Set(options.only ?? []);
  const desired = desiredOutputs(analysis, config, generator, options.only);
  const diff = await diffOutputs(desired);
  const outcomes: ScenarioOutcome[] = analysis.failures
    .filter((f) => selects(only, f.name, f.file))
    .map((failure) => ({
      name: failure.name ?? failure.file,
      file: failure.file,
      output: failure.name ? scenarioPath(config, failure.name) : null,
      status: 'failed',
      diagnostics: failure.diagnostics,
      notes: [],
      durationMs: 0,
    }));
  const written: string[] = [];
  /** Accepted file contents by scenario name: this run's candidates, else what is on disk. */
  const accepted = new Map<string, string>();
  const tasks = new Map<string, Promise<ScenarioOutcome>>();

  const run = (entry: ScenarioDiff): Promise<ScenarioOutcome> => {
    let task = tasks.get(entry.desired.name);
    if (!task) {
      task = buildOne(entry);
      tasks.set(entry.desired.name, task);
    }
    return task;
  };

  const buildOne = async ({ desired: d, existing, state }: ScenarioDiff) => {
    const started = performance.now();
    const parentOutcomes = await Promise.all(
      d.plan.extends.flatMap((p) => {
        const parent = diff.scenarios.get(p);
        return parent ? [run(parent)] : [];
      }),
    );
    let llm: LlmScenarioReport | undefined = undefined; // set once the generator ran
    const done = (
      status: ScenarioStatus,
      diagnostics: readonly Diagnostic[],
      notes: string[] = [],
    ) => {
      const outcome: ScenarioOutcome = {
        name: d.name,
        file: d.source,
        output: d.path,
        status,
        diagnostics,
        notes,
        durationMs: Math.round(performance.now() - started),
        ...(llm ? { llm } : {}),
      };
      options.onProgress?.(d.name, 'done', outcome);
      return outcome;
    };
    const failedParent = parentOutcomes.find((o) => o.status === 'failed');
    if (failedParent) {
      return done('failed', [
        error('FG301', `extends \`${failedParent.name}\`, which failed to build`, {
          file: d.source,
          line: 1,
          column: 1,
          hint: `fix ${failedParent.file} first`,
        }),
      ]);
    }
    if (state.kind === 'current' && !options.force) {
      if (existing !== null) accepted.set(d.name, existing);
      return done('up-to-date', []);
    }
    options.onProgress?.(d.name, 'start');
    const validate = (body: string) => validateCandidate(options, d, body, accepted);
    const generated = await generateBody(generator, d, validate);
    llm = generator.report?.(d.name);
    if (!generated.ok) return done('failed', generated.diagnostics);
    if (!generated.validated) {
      const problems = await validate(generated.body);
      if (problems.length > 0) return done('failed', problems);
    }
    const text = fileContents(d, generated.body);
    accepted.set(d.name, text);
    const notes = [...(generated.notes ?? [])];
    if (state.kind === 'hand-edited') {
      notes.push(
        state.headerless
          ? `replaced ${d.path}, which had no fixturegen header (edited by hand)`
          : `replaced hand edits in ${d.path}`,
      );
    }
    if (writeAtomic(absolute(config, d.path), text)) {
      written.push(d.path);
      return done('built', [], notes);
    }
    return done('unchanged', [], notes);
  };

  // The selected scenarios and their parents, which were selected with them.
  outcomes.push(...(await Promise.all([...diff.scenarios.values()].map(run))));

  // The plugin list: every scenario whose module exists after this build (a failing scenario keeps
  // its last good file, and stays registered).
  const init = diffInit(config, analysis.catalog, desired.owned, analysis.plans);
  if (writeAtomic(absolute(config, init.path), init.expected)) written.push(init.path);
  outcomes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const outDir = absolute(config, config.output);
  const removed = removeStrayTemps(outDir).map((n) => `${config.output.replace(/\/+$/, '')}/${n}`);
  return { outcomes, written, orphaned: diff.orphaned, removed };
}

/** Guards a candidate body, then verifies it with pytest beside its parents' accepted files. */
async function validateCandidate(
  options: BuildOptions,
  d: DesiredScenario,
  body: string,
  accepted: ReadonlyMap<string, string>,
): Promise<readonly Diagnostic[]> {
  const { config, helper, analysis } = options;
  const pkg = packageName(config);
  const guarded = await guardCandidate(helper, {
    body,
    plan: d.plan,
    catalog: analysis.catalog,
    packageName: pkg,
    sessionFixture: config.session_fixture ?? 'db_session',
    plans: new Map(analysis.plans.map((p) => [p.name, p])),
  });
  // Nothing of a candidate that fails the guard is written, imported or run.
  if (guarded.length > 0) return guarded;
  const files: Record<string, string> = {};
  for (const parent of d.parents) {
    const text = accepted.get(parent);
    if (text !== undefined) files[scenarioPath(config, parent)] = text;
  }
  files[d.path] = fileContents(d, body);
  files[initPath(config)] = renderInit(
    config,
    analysis.catalog,
    [...d.parents, d.name],
    analysis.plans,
  );
  return verifyCandidate(helper, {
    config,
    packageName: pkg,
    files,
    plans: [d.plan],
    source: d.source,
  });
}
