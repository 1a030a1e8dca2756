/**
 * The watch runner: feeds facts to the core's transition and performs the actions it returns
 * (read files, load the configuration, restart the helper, introspect, build, report), timing
 * each for the run's profile. All decisions are the core's.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PythonEnvironmentError } from '../helper/errors.js';
import type { PythonHelper } from '../helper/client.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic, Result } from '../diagnostics/types.js';
import { error } from '../diagnostics/types.js';
import { clearTemplateCache } from '../generate/templates.js';
import type { Generator } from '../generate/types.js';
import { analyze, introspect, ModelsError } from '../pipeline/analyze.js';
import { CompileCache } from '../scenario/index.js';
import type { CompileStep } from '../scenario/index.js';
import { build } from '../pipeline/build.js';
import { databaseCannotHold } from '../verify/verify.js';
import type { ScenarioOutcome } from '../pipeline/build.js';
import { listScenarioFiles } from '../pipeline/inputs.js';
import { transition } from './core.js';
import type { Action, Changes, Fact, WatchState } from './core-types.js';
import { diskState, hashes, readInput, readScenarios, templateFiles } from './disk.js';
import { configFileOf, rel, watchPaths } from './paths.js';
import { LISTED_CHANGES, toReport } from './report.js';
import { scenarioInput } from './scenario-inputs.js';
import type { RunReport } from './report.js';
import { emptyTimings, timedHelper } from './timings.js';
import type { StageTimings } from './timings.js';
import type { Watcher } from './watcher.js';

/** The session's options that a run calls back into. */
export interface RunHooks {
  /** Loads the configuration again (command-line overrides applied), on every config change. */
  readonly reloadConfig: () => Result<Config>;
  readonly createGenerator: (config: Config) => Promise<Generator>;
  /** A run starts: which paths changed (relative, sorted, at most 50) and how many. */
  readonly onRunStart?: (run: number, changes: readonly string[], changeCount: number) => void;
  /** A scenario finished building (for live per-scenario lines). */
  readonly onOutcome?: (outcome: ScenarioOutcome) => void;
  /** Each step the compile takes on a scenario file (loaded, visited, ...): for tests. */
  readonly onCompileStep?: (file: string, step: CompileStep) => void;
}

/** What the runner works with besides the core's state. */
export interface RunnerParts {
  readonly hooks: RunHooks;
  helper: PythonHelper;
  generator: Generator;
  watcher: Watcher;
  readonly startHelper: (config: Config) => PythonHelper;
  readonly createWatcher: (config: Config, catalog: WatchState['catalog']) => Watcher;
  /** Files the watcher ignores (editor droppings in a templates folder). */
  readonly ignore: (config: Config) => (absPath: string) => boolean;
  readonly onRun: (report: RunReport) => void;
  /** Changes the end-of-run check found: they go through the scheduler like events. */
  readonly rerun: (changes: Changes) => void;
  /** Look at the disk again at `at` (wall ms). */
  readonly recheck: (at: number) => void;
  readonly closed: () => boolean;
}

type Stage = Exclude<keyof StageTimings, 'verifyStages'>;

const STAGE: Partial<Record<Action['type'], Stage>> = {
  'load-config': 'config',
  'new-generator': 'config',
  'read-inputs': 'inputs',
  'restart-helper': 'introspect',
  introspect: 'introspect',
  'watch-paths': 'introspect',
  analyze: 'compile',
  settle: 'settle',
  build: 'build',
};

function environmentDiagnostic(config: Config, err: PythonEnvironmentError): Diagnostic {
  return error('FG610', err.message, {
    ...(config.file ? { file: rel(config, config.file) } : {}),
    hint: `check \`python\` in the config (${config.python})`,
  });
}

export class Runner {
  private timings: StageTimings = emptyTimings();
  private startedAt = new Date();
  private t0 = 0;
  private cpu0: NodeJS.CpuUsage = process.cpuUsage();
  private waitedSince: number | undefined;
  /** The last compile's entries: a save compiles only what it can affect. */
  private readonly compiled = new CompileCache();
  /** `holds`' answer and what it was asked about (see `cannotHold`). */
  private holds:
    { readonly key: readonly unknown[]; readonly answer: Promise<Diagnostic | null> } | undefined;

  constructor(
    public state: WatchState,
    readonly parts: RunnerParts,
  ) {}

  /** Takes a batch (or a recheck, with no changes) through the core until the run ends. */
  async handle(changes: Changes, initial: boolean, waitedSince?: number): Promise<void> {
    this.waitedSince = waitedSince;
    const disk = diskState(changes.keys());
    let fact: Fact | undefined = { type: 'changes', changes, initial, disk };
    try {
      while (fact !== undefined) {
        const step = transition(this.state, fact);
        this.state = step.state;
        fact = undefined;
        for (const action of step.actions) {
          const stage = STAGE[action.type];
          const mark = performance.now();
          const answer = await this.perform(action);
          if (stage !== undefined) this.timings[stage] += performance.now() - mark;
          if (answer !== undefined) fact = answer;
        }
      }
    } finally {
      // A run that threw is over too: the next batch starts a new one.
      this.state = { ...this.state, run: null };
    }
  }

  private async perform(action: Action): Promise<Fact | undefined> {
    const p = this.parts;
    switch (action.type) {
      case 'started': {
        this.timings = emptyTimings();
        this.startedAt = new Date();
        this.t0 = performance.now();
        this.cpu0 = process.cpuUsage();
        if (this.waitedSince !== undefined) this.timings.waitMs = this.t0 - this.waitedSince;
        p.hooks.onRunStart?.(
          action.run,
          action.changes.slice(0, LISTED_CHANGES),
          action.changes.length,
        );
        return undefined;
      }
      case 'load-config': {
        const wait = (action.after ?? 0) - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const file = configFileOf(this.state.config);
        const disk = diskState([file]).get(file) ?? null; // before loading: a later write shows
        return {
          type: 'config-loaded',
          result: p.hooks.reloadConfig(),
          hashes: new Map([[file, disk?.hash ?? null]]),
          mtimeMs: disk?.mtimeMs ?? null,
          now: Date.now(),
        };
      }
      case 'new-generator': {
        if (action.clearTemplates) clearTemplateCache();
        const templates = hashes(templateFiles(action.config, p.ignore(action.config)));
        p.generator = await p.hooks.createGenerator(action.config);
        return { type: 'generator-ready', templates };
      }
      case 'read-inputs':
        return {
          type: 'inputs-read',
          files: readScenarios(action.config, action.cached, action.reread),
        };
      case 'restart-helper':
        await p.helper.close();
        if (p.closed()) throw new Error('watch session closed');
        p.helper = p.startHelper(action.config);
        return undefined;
      case 'introspect':
        return this.introspect(action);
      case 'watch-paths':
        if (!action.recreate) {
          await p.watcher.setPaths(watchPaths(action.config, action.catalog));
        } else if (!p.closed()) {
          await p.watcher.close();
          p.watcher = p.createWatcher(action.config, action.catalog);
          await p.watcher.ready;
        }
        return undefined;
      case 'analyze': {
        const inputs = action.inputs.map((f) => scenarioInput(action.config, f));
        const analysis = analyze(action.catalog, action.config, inputs, {
          cache: this.compiled,
          ...(p.hooks.onCompileStep ? { trace: p.hooks.onCompileStep } : {}),
        });
        return { type: 'analyzed', analysis, now: Date.now() };
      }
      case 'settle': {
        const wait = action.until - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        return { type: 'settled', files: new Map(action.paths.map((f) => [f, readInput(f)])) };
      }
      case 'build':
        return this.build(action);
      case 'report': {
        const config = this.state.config;
        const cpu = process.cpuUsage(this.cpu0);
        this.timings.nodeCpu = (cpu.user + cpu.system) / 1000;
        const report = toReport(action.summary, {
          startedAt: this.startedAt,
          durationMs: performance.now() - this.t0,
          timings: this.timings,
          helperPid: p.helper.pid,
          exists: (output) => existsSync(join(config.root, output)),
        });
        if (!p.closed()) p.onRun(report);
        return undefined;
      }
      case 'check-inputs': {
        const paths = [
          ...action.paths,
          ...listScenarioFiles(action.config),
          ...templateFiles(action.config, p.ignore(action.config)),
        ];
        return { type: 'checked', disk: diskState(paths), now: Date.now() };
      }
      case 'rerun':
        p.rerun(action.changes);
        return undefined;
      case 'recheck':
        p.recheck(action.at);
        return undefined;
    }
  }

  private async introspect(action: Extract<Action, { type: 'introspect' }>): Promise<Fact> {
    const before = hashes(action.files); // before the import: a later write shows as a change
    const config = action.config;
    try {
      const catalog = await introspect(this.parts.helper, config, [...action.modules]);
      const added = hashes(catalog.files.filter((f) => !before.has(f)));
      const models = new Map([...before, ...added].filter(([f]) => catalog.files.includes(f)));
      return { type: 'introspected', catalog, models };
    } catch (err) {
      if (err instanceof ModelsError)
        return {
          type: 'introspect-failed',
          diagnostic: err.diagnostic,
          helperGone: false,
          models: before,
        };
      if (err instanceof PythonEnvironmentError && !this.parts.closed())
        return {
          type: 'introspect-failed',
          diagnostic: environmentDiagnostic(config, err),
          helperGone: true,
          models: before,
        };
      throw err;
    }
  }

  /**
   * Whether the verification database can hold the models, asked once per helper, catalog (a
   * models change introspects again: a new catalog) and database settings instead of on every
   * run: the answer depends on nothing else, and the round trip lay between each save and its
   * write. A request that failed (the helper died) is asked again next time.
   */
  private cannotHold(config: Config, catalog: WatchState['catalog']): Promise<Diagnostic | null> {
    const helper = this.parts.helper;
    const key = [
      helper,
      catalog,
      config.verify,
      config.verifyDatabaseUrl,
      config.models.join('\n'),
    ];
    const known = this.holds;
    if (known && known.key.length === key.length && known.key.every((k, i) => k === key[i]))
      return known.answer;
    const answer = databaseCannotHold(
      timedHelper(helper, () => this.timings),
      config,
    );
    this.holds = { key, answer };
    answer.catch(() => {
      if (this.holds?.answer === answer) this.holds = undefined;
    });
    return answer;
  }

  private async build(action: Extract<Action, { type: 'build' }>): Promise<Fact> {
    const p = this.parts;
    try {
      const report = await build({
        config: action.config,
        helper: timedHelper(p.helper, () => this.timings),
        analysis: action.analysis,
        generator: p.generator,
        force: action.force,
        only: [...action.only],
        cannotHold: () => this.cannotHold(action.config, action.analysis.catalog),
        onProgress: (_name, phase, outcome) => {
          if (phase === 'done' && outcome && p.hooks.onOutcome) p.hooks.onOutcome(outcome);
        },
      });
      return { type: 'built', outcomes: report.outcomes, diagnostics: report.diagnostics };
    } catch (err) {
      // Killed from outside (out of memory, a signal): nothing was written.
      if (!(err instanceof PythonEnvironmentError) || p.closed()) throw err;
      return { type: 'helper-died', message: err.message };
    }
  }
}
