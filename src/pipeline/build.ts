import type { PythonHelper } from '../helper/client.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import type { LlmScenarioReport } from '../generate/llm/generator/types.js';
import type { Generator } from '../generate/types.js';
import { removeStrayTemps, writeAtomic } from '../output/write.js';
import { guardCandidate, guardDiagnostics, guardParams } from '../verify/guard.js';
import type { GuardOptions } from '../verify/guard.js';
import { databaseCannotHold, verifyCandidate } from '../verify/verify.js';
import type { DesiredTests } from '../constraints/output.js';
import { emptyTally, ServiceClock } from '../helper/service.js';
import { VerifyBatcher } from '../verify/batch.js';
import type { Analysis } from './analyze.js';
import type { DesiredScenario } from './desired.js';
import { desiredOutputs, fileContents, generateBody, selects, withRefusals } from './desired.js';
import { edgeCasesPosition, refusedUntested } from '../constraints/output.js';
import { probeEdgeCases } from '../verify/edge-probe.js';
import { appendEdgeBlock, modelPart } from '../generate/llm/edge-block.js';
import { EdgeCodes } from '../diagnostics/edge-codes.js';
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
  /**
   * The scenario's own work (generate, guard, verify with its share of its batch, write), without
   * the time it waited for its parents, its batch or the helper.
   */
  readonly durationMs: number;
  /** Where `durationMs` went, and the waiting it leaves out (absent for an up-to-date scenario). */
  readonly timings?: ScenarioTimings;
  /** What the model did, when the LLM generator generated this scenario in this build. */
  readonly llm?: LlmScenarioReport;
}

export interface ScenarioTimings {
  readonly generateMs: number;
  readonly guardMs: number;
  readonly verifyMs: number;
  readonly writeMs: number;
  /** Waiting for its batch to be sent and for the helper (not in `durationMs`). */
  readonly queueMs: number;
  /** Scenarios in the verify batch that decided its outcome (1: verified alone). */
  readonly batch: number;
}

/** Wall milliseconds per stage of the whole build (stages overlap: scenarios build concurrently). */
export interface BuildTimings {
  /** Reading the output folder and diffing it against the desired outputs. */
  readonly diffMs: number;
  /** From the first scenario started to the last one done. */
  readonly scenariosMs: number;
  /** Sums over scenarios (overlapping in time). */
  readonly generateMs: number;
  readonly guardMs: number;
  readonly verifyMs: number;
  readonly writeMs: number;
  /** Verify requests sent to the helper, and how many scenarios they held in all. */
  readonly verifyRequests: number;
  readonly verifiedScenarios: number;
  /** Of those verifications, how many ran side by side with another (two batches on two cores). */
  readonly verifyParallel: number;
  /** Writing the plugin list and tidying the output folder. */
  readonly finishMs: number;
}

export interface BuildReport {
  readonly outcomes: readonly ScenarioOutcome[];
  /**
   * What failed the run rather than one scenario, said once: FG630 when the verification database
   * cannot hold the models (every scenario that needed verifying failed under it).
   */
  readonly diagnostics: readonly Diagnostic[];
  /** Files written (relative paths). */
  readonly written: readonly string[];
  /** Generated files whose scenario no longer exists: build leaves them, and says so. */
  readonly orphaned: readonly Orphan[];
  /** Temporary files a killed writer left in the output folder, removed (relative paths). */
  readonly removed: readonly string[];
  readonly timings: BuildTimings;
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
  /**
   * The answer to "can the verification database hold the models?" (`databaseCannotHold`), when
   * the caller keeps it: `watch` asks once per helper, catalog and database, not once per save.
   */
  readonly cannotHold?: () => Promise<Diagnostic | null>;
}

/**
 * Generates, verifies and writes every selected scenario whose file the diff against disk finds
 * missing, stale or edited by hand (every one with `force`). A scenario that fails any stage
 * writes nothing and leaves its previous file as it was; the others still build.
 */
export async function build(options: BuildOptions): Promise<BuildReport> {
  const { config, analysis, generator } = options;
  const only = new Set(options.only ?? []);
  const edgeOptions = {
    packageName: packageName(config),
    sessionFixture: config.session_fixture ?? 'db_session',
    async: config.async === true,
    constraintTests: config.constraint_tests !== false,
  };
  const t0 = performance.now();
  const desired = desiredOutputs(analysis, config, generator, options.only);
  const diff = await diffOutputs(desired, { rebuildAll: options.force === true });
  const diffMs = performance.now() - t0;
  const clock = new ServiceClock();
  const helper = clock.wrap(options.helper);
  const batcher = new VerifyBatcher(helper, {
    initPath: initPath(config),
    init: (names) => renderInit(config, analysis.catalog, names, analysis.plans),
    waitForAll: generator.id === 'builtin',
  });
  const totals = { generateMs: 0, guardMs: 0, verifyMs: 0, writeMs: 0 };
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
  /**
   * Candidates that passed their guard and were queued for verification in this run, by name. A
   * builtin scenario that extends others is generated, guarded and queued as soon as its parents'
   * candidates are queued, beside them (in the same batch, not a batch after theirs); it uses
   * their outcomes once it has its own (see `buildOne`).
   */
  const queued = new Map<string, string>();
  const tasks = new Map<string, Promise<ScenarioOutcome>>();
  /** Settles once a scenario's candidate is queued, or its outcome is known. */
  const ready = new Map<string, { promise: Promise<void>; signal: () => void }>();
  const readyOf = (name: string) => {
    let r = ready.get(name);
    if (!r) {
      let signal = () => {};
      const promise = new Promise<void>((resolve) => (signal = resolve));
      r = { promise, signal };
      ready.set(name, r);
    }
    return r;
  };
  /** Outcomes known so far, by name. */
  const finished = new Map<string, ScenarioOutcome>();
  /** Asked once, when the first scenario is about to be verified (see `databaseCannotHold`). */
  let holding: Promise<Diagnostic | null> | undefined;
  const cannotHold = () =>
    (holding ??= options.cannotHold?.() ?? databaseCannotHold(helper, config));

  const run = (entry: ScenarioDiff): Promise<ScenarioOutcome> => {
    const name = entry.desired.name;
    let task = tasks.get(name);
    if (!task) {
      task = buildOne(entry).then(
        (outcome) => {
          finished.set(name, outcome);
          readyOf(name).signal();
          return outcome;
        },
        (err: unknown) => {
          // Its children stop waiting for it (and fail with the same error when they ask).
          readyOf(name).signal();
          throw err;
        },
      );
      tasks.set(name, task);
    }
    return task;
  };

  const buildOne = async ({ desired, existing, state, tests }: ScenarioDiff) => {
    let d = desired;
    const parents = d.plan.extends.flatMap((p) => {
      const parent = diff.scenarios.get(p);
      return parent ? [parent] : [];
    });
    const rebuilt = !(state.kind === 'current' && !options.force);
    /**
     * Verified beside its parents' candidates rather than after their outcomes: only the
     * builtin generator's (rendering costs nothing, so a candidate whose parent then fails
     * wasted no model call); the parents' outcomes still decide before anything is written.
     */
    const early = rebuilt && parents.length > 0 && generator.id === 'builtin';
    if (early) {
      // A batch waits for it while its parents' candidates are on their way.
      batcher.expect();
      await Promise.all(parents.map((p) => (void run(p), readyOf(p.desired.name).promise)));
    }
    /** The parents' outcomes (awaited now, or, early, once this candidate's verification is done). */
    const parentOutcomes = () => Promise.all(parents.map(run));
    let llm: LlmScenarioReport | undefined = undefined; // set once the generator ran
    /** Told once that this scenario asks for its verification now, or never will. */
    let arrive = early
      ? () => {
          arrive = () => {};
          batcher.arrived();
        }
      : () => {};
    const spent = { generateMs: 0, guardMs: 0, verifyMs: 0, writeMs: 0, queueMs: 0, batch: 0 };
    let worked = false;
    const done = (
      status: ScenarioStatus,
      diagnostics: readonly Diagnostic[],
      notes: string[] = [],
    ) => {
      arrive();
      const outcome: ScenarioOutcome = {
        name: d.name,
        file: d.source,
        output: d.path,
        status,
        diagnostics:
          status === 'failed' ? diagnostics : [...diagnostics, ...refusedUntested(config, d)],
        notes,
        durationMs: Math.round(spent.generateMs + spent.guardMs + spent.verifyMs + spent.writeMs),
        ...(worked ? { timings: rounded(spent) } : {}),
        ...(llm ? { llm } : {}),
      };
      for (const k of ['generateMs', 'guardMs', 'verifyMs', 'writeMs'] as const)
        totals[k] += spent[k];
      options.onProgress?.(d.name, 'done', outcome);
      return outcome;
    };
    const failedParent = (outcomes: readonly ScenarioOutcome[]) => {
      const failed = outcomes.find((o) => o.status === 'failed');
      return failed
        ? done('failed', [
            error('FG301', `extends \`${failed.name}\`, which failed to build`, {
              file: d.source,
              line: 1,
              column: 1,
              hint: `fix ${failed.file} first`,
            }),
          ])
        : null;
    };
    // Early, a parent may have failed before its candidate was queued.
    const parentFailed = failedParent(
      early ? parents.flatMap((p) => finished.get(p.desired.name) ?? []) : await parentOutcomes(),
    );
    if (parentFailed) return parentFailed;
    // Findings about the models (constraint tests): reported on every build, like warnings.
    const findings = d.constraints?.findings ?? [];
    let wanted = d.constraints?.tests ?? null;
    /**
     * Verifies the constraint tests beside `module` (and, for a rebuilt module with derived edge
     * cases, builtin or the model's with the block fixturegen appended, runs every case in the same
     * request); says how to write them. `body` is the module's body (after the header). When the database
     * refuses other cases than the module records, the module is rendered again with them and
     * verified once more: `module` in the answer is the one to write.
     */
    const constraintTests = async (
      module: string,
      body: string,
      rebuilt: boolean,
    ): Promise<{
      problems: readonly Diagnostic[];
      notes: string[];
      module: string;
      write?: () => boolean;
    }> => {
      const probing =
        rebuilt && config.verify === 'run' && (d.plan.derivedCases?.cases.length ?? 0) > 0;
      const testing = wanted !== null && tests !== null;
      if (!probing && !testing) return { problems: [], notes: [], module };
      if (!probing && !rebuilt && tests!.state.kind === 'current' && !options.force) {
        return { problems: [], notes: [], module };
      }
      let text = module;
      let outcome = await verifyBeside(options, helper, d, text, wanted, accepted, probing);
      const recorded = d.plan.derivedCases?.refused ?? [];
      // Other refusals than recorded: its refused-case tests fail too; the second run decides.
      if (probing && !sameIds(outcome.refused, recorded)) {
        d = withRefusals(d, outcome.refused, analysis);
        wanted = d.constraints?.tests ?? null;
        // The builtin generator renders the module again; a model's module is not asked for
        // again: fixturegen appended its edge-case block, and appends it with the new refusals.
        const again =
          generator.id === 'llm'
            ? appendEdgeBlock(modelPart(body), d.plan, edgeOptions, { file: d.source })
            : await generateBody(generator, d, () => Promise.resolve([]));
        if (!again.ok)
          return {
            problems: 'diagnostics' in again ? again.diagnostics : again.problems,
            notes: [],
            module,
          };
        text = fileContents(d, again.body);
        outcome = await verifyBeside(options, helper, d, text, wanted, accepted, true);
        const rendered = d.plan.derivedCases?.refused ?? [];
        if (outcome.problems.length === 0 && !sameIds(outcome.refused, rendered)) {
          const at = { file: d.source, ...edgeCasesPosition(config, d.source) };
          const problem = error(
            EdgeCodes.caseFailed,
            `the database refused other edge cases on a second run (${outcome.refused.join(', ') || 'none'}; before: ${rendered.join(', ') || 'none'})`,
            {
              ...at,
              hint: 'a case whose outcome changes between runs (a trigger on time or on other rows?): exclude it with edge_cases: {auto: true, exclude: [...]}',
            },
          );
          return { problems: [problem], notes: [], module };
        }
      }
      if (outcome.problems.length > 0) return { problems: outcome.problems, notes: [], module };
      const want = wanted;
      if (want === null || tests === null) return { problems: [], notes: [], module: text };
      const notes = [`${want.count} constraint tests in ${want.path}`];
      if (tests.state.kind === 'hand-edited') notes.push(`replaced hand edits in ${want.path}`);
      return {
        problems: [],
        notes,
        module: text,
        write: () => writeAtomic(absolute(config, want.path), want.contents),
      };
    };
    if (state.kind === 'current' && !options.force) {
      if (existing !== null) accepted.set(d.name, existing);
      if (existing !== null && tests !== null && tests.state.kind !== 'current') {
        options.onProgress?.(d.name, 'start');
        if (await cannotHold()) return done('failed', [], [UNHELD]);
        const checked = await constraintTests(existing, '', false);
        if (checked.problems.length > 0) return done('failed', [...findings, ...checked.problems]);
        if (checked.write?.()) {
          written.push(wanted!.path);
          return done('built', findings, checked.notes);
        }
      }
      return done('up-to-date', findings);
    }
    options.onProgress?.(d.name, 'start');
    if (await cannotHold()) return done('failed', [], [UNHELD]);
    worked = true;
    if (!early) {
      batcher.expect();
      arrive = () => {
        arrive = () => {};
        batcher.arrived();
      };
    }
    /** The parents' files the last validation verified beside: accepted, else queued candidates. */
    let beside = new Map<string, string>();
    const validate = (body: string) => {
      beside = new Map(
        d.parents.flatMap((p) => {
          const text = accepted.get(p) ?? queued.get(p);
          return text === undefined ? [] : [[p, text] as const];
        }),
      );
      return validateCandidate(
        { ...options, helper },
        batcher,
        clock,
        spent,
        d,
        body,
        beside,
        () => arrive(),
        (text) => {
          queued.set(d.name, text);
          readyOf(d.name).signal();
        },
      );
    };
    // A turn of the event loop of its own: this candidate's guard request is sent before the next
    // scenario renders, so the helper guards while this process renders (the scenarios resume
    // together once `holds` is answered; without it, all would render before the first guard).
    await new Promise<void>((resolve) => setImmediate(resolve));
    const generating = performance.now();
    const pending = generateBody(generator, d, validate);
    // The builtin generator renders synchronously, within the call: the wall time until its
    // promise settles would also hold the other scenarios' turns. A model's answer is awaited;
    // the generator validates inside its loop, and that time is counted as guard and verify.
    const rendered = performance.now() - generating;
    const generated = await pending;
    spent.generateMs +=
      generator.id === 'builtin'
        ? rendered
        : Math.max(
            0,
            performance.now() - generating - spent.guardMs - spent.verifyMs - spent.queueMs,
          );
    llm = generator.report?.(d.name);
    if (!generated.ok) return done('failed', generated.diagnostics);
    if (!generated.validated) {
      let problems = await validate(generated.body);
      if (early) {
        // Verified beside its parents' candidates: their outcomes decide first, as if awaited
        // before (FG301), and a parent accepted with other bytes (its edge cases' refusals
        // rendered again) is verified beside again.
        const parentFailed = failedParent(await parentOutcomes());
        if (parentFailed) return parentFailed;
        if ([...beside].some(([p, text]) => accepted.get(p) !== text))
          problems = await validate(generated.body);
      }
      if (problems.length > 0) return done('failed', problems);
    }
    // The constraint tests' and edge cases' verifications: the helper's time for them, and what
    // they waited for it (the time other scenarios' turns took meanwhile is neither).
    const tally = emptyTally();
    const checked = await clock.within(tally, () =>
      constraintTests(fileContents(d, generated.body), generated.body, true),
    );
    for (const m of Object.values(tally.served)) spent.verifyMs += m;
    for (const m of Object.values(tally.waited)) spent.queueMs += m;
    if (checked.problems.length > 0) return done('failed', [...findings, ...checked.problems]);
    const text = checked.module;
    accepted.set(d.name, text);
    const notes = [...(generated.notes ?? []), ...edgeNotes(d), ...checked.notes];
    if (state.kind === 'hand-edited') {
      notes.push(
        state.headerless
          ? `replaced ${d.path}, which had no fixturegen header (edited by hand)`
          : `replaced hand edits in ${d.path}`,
      );
    }
    const writing = performance.now();
    const testsWritten = checked.write?.() ?? false;
    if (testsWritten) written.push(wanted!.path);
    const changed = writeAtomic(absolute(config, d.path), text);
    spent.writeMs += performance.now() - writing;
    if (changed) {
      written.push(d.path);
      return done('built', findings, notes);
    }
    return done(testsWritten ? 'built' : 'unchanged', findings, notes);
  };

  // The selected scenarios and their parents, which were selected with them.
  const t1 = performance.now();
  outcomes.push(...(await Promise.all([...diff.scenarios.values()].map(run))));
  const t2 = performance.now();

  // The plugin list: every scenario whose module exists after this build (a failing scenario keeps
  // its last good file, and stays registered).
  const init = diffInit(config, analysis.catalog, desired.owned, analysis.plans);
  if (writeAtomic(absolute(config, init.path), init.expected)) written.push(init.path);
  outcomes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const outDir = absolute(config, config.output);
  const removed = removeStrayTemps(outDir).map((n) => `${config.output.replace(/\/+$/, '')}/${n}`);
  const timings: BuildTimings = {
    diffMs: Math.round(diffMs),
    scenariosMs: Math.round(t2 - t1),
    ...rounded(totals),
    verifyRequests: batcher.stats.requests,
    verifiedScenarios: batcher.stats.scenarios,
    verifyParallel: batcher.stats.parallel,
    finishMs: Math.round(performance.now() - t2),
  };
  const held = holding === undefined ? null : await holding;
  return {
    outcomes,
    diagnostics: held === null ? [] : [held],
    written,
    orphaned: diff.orphaned,
    removed,
    timings,
  };
}

/** The note of a scenario not verified because the database cannot hold the models. */
const UNHELD = 'not verified: the database cannot hold the models (FG630)';

/** `12 edge cases in generated/x.py (2 refused by the database: constraint tests)`. */
function edgeNotes(d: DesiredScenario): string[] {
  const derived = d.plan.derivedCases;
  if (derived === undefined) return [];
  const accepted = derived.cases.length - derived.refused.length;
  const refused =
    derived.refused.length > 0
      ? ` (${derived.refused.length} refused by the database: constraint tests)`
      : '';
  return [`${accepted} edge cases in ${d.path} (fixture ${d.name}_edge_cases)${refused}`];
}

function rounded<T extends Record<string, number>>(values: T): T {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Math.round(v)])) as T;
}

/** What one scenario's validations spent, by stage (summed over an LLM generator's attempts). */
interface Spent {
  guardMs: number;
  verifyMs: number;
  queueMs: number;
  batch: number;
}

const sameIds = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, k) => x === b[k]);

/**
 * Runs a scenario's constraint tests (when it has them) and, with `probing`, every derived edge
 * case with pytest beside its module (as accepted), its parents' and the package's `__init__.py`:
 * written by fixturegen's templates, not by a model, they are not guarded, only verified like the
 * module. Says which edge cases the database refused (sorted).
 */
async function verifyBeside(
  options: BuildOptions,
  helper: PythonHelper,
  d: DesiredScenario,
  module: string,
  tests: DesiredTests | null,
  accepted: ReadonlyMap<string, string>,
  probing: boolean,
): Promise<{ problems: readonly Diagnostic[]; refused: readonly string[] }> {
  const { config, analysis } = options;
  const files: Record<string, string> = {};
  for (const parent of d.parents) {
    const text = accepted.get(parent);
    if (text !== undefined) files[scenarioPath(config, parent)] = text;
  }
  files[d.path] = module;
  files[initPath(config)] = renderInit(
    config,
    analysis.catalog,
    [...d.parents, d.name],
    analysis.plans,
  );
  if (tests !== null) files[tests.path] = tests.contents;
  const req = {
    config,
    packageName: packageName(config),
    files,
    plans: [d.plan],
    source: d.source,
    tests: tests !== null ? [{ path: tests.path, names: tests.names }] : [],
  };
  if (!probing) return { problems: await verifyCandidate(helper, req), refused: [] };
  const probed = await probeEdgeCases(helper, req, d.plan, {
    file: d.source,
    ...edgeCasesPosition(config, d.source),
  });
  return { problems: probed.diagnostics, refused: probed.refused };
}

/**
 * Guards and verifies one candidate on its own, outside a build (draft's trial builds): a batch
 * of one, with its own clock.
 */
export function validateAlone(
  options: BuildOptions,
  d: DesiredScenario,
  body: string,
  accepted: ReadonlyMap<string, string>,
): Promise<readonly Diagnostic[]> {
  const clock = new ServiceClock();
  const helper = clock.wrap(options.helper);
  const batcher = new VerifyBatcher(helper, {
    initPath: initPath(options.config),
    init: (names) =>
      renderInit(options.config, options.analysis.catalog, names, options.analysis.plans),
    maxBatch: 1,
  });
  const spent = { guardMs: 0, verifyMs: 0, queueMs: 0, batch: 0 };
  return validateCandidate(
    { ...options, helper },
    batcher,
    clock,
    spent,
    d,
    body,
    accepted,
    () => {},
  );
}

/** Guards a candidate body, then verifies it with pytest beside its parents' accepted files. */
async function validateCandidate(
  options: BuildOptions,
  batcher: VerifyBatcher,
  clock: ServiceClock,
  spent: Spent,
  d: DesiredScenario,
  body: string,
  accepted: ReadonlyMap<string, string>,
  arrive: () => void,
  /** Called with the candidate's file once its guard passed and it is queued for verification. */
  onQueued?: (text: string) => void,
): Promise<readonly Diagnostic[]> {
  const { config, helper, analysis } = options;
  const pkg = packageName(config);
  const tally = emptyTally();
  const guard: GuardOptions = {
    body,
    plan: d.plan,
    catalog: analysis.catalog,
    packageName: pkg,
    sessionFixture: config.session_fixture ?? 'db_session',
    async: config.async === true,
    plans: new Map(analysis.plans.map((p) => [p.name, p])),
  };
  const files: Record<string, string> = {};
  for (const parent of d.parents) {
    const text = accepted.get(parent);
    if (text !== undefined) files[scenarioPath(config, parent)] = text;
  }
  files[d.path] = fileContents(d, body);
  // The plugin list is left to the batcher: it renders one per request, for what it holds.
  const names = [...d.parents, d.name];
  const item = {
    config,
    packageName: pkg,
    files,
    plans: [d.plan],
    source: d.source,
    output: d.path,
    names,
  };
  // Nothing of a candidate that fails the guard is written, imported or run. Alone, the guard
  // and the verification go in one request (see `VerifyBatcher.guardThenVerify`).
  const answer = await clock.within(tally, () =>
    batcher.guardThenVerify(item, {
      params: guardParams(guard),
      diagnostics: (result) => guardDiagnostics(result, d.plan),
      separately: () => guardCandidate(helper, guard),
      arrive,
      ...(onQueued ? { queued: () => onQueued(files[d.path]!) } : {}),
    }),
  );
  // The helper's own time for the guard; the rest of its round trip waited for earlier requests
  // (with the verification: its own wait is in the verification's timing).
  if (answer.guarded === null && answer.guardMs !== undefined) {
    spent.guardMs += answer.guardMs;
  } else {
    spent.guardMs += (tally.served.guard ?? 0) + (tally.served.guardVerify ?? 0);
    spent.queueMs += (tally.waited.guard ?? 0) + (tally.waited.guardVerify ?? 0);
  }
  if (answer.guarded !== null) return answer.guarded;
  const verified = answer.outcome;
  spent.verifyMs += verified.timing.verifyMs;
  spent.queueMs += verified.timing.queueMs;
  spent.batch = verified.timing.batch;
  return verified.diagnostics;
}
