import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Diagnostic, Result } from '../diagnostics/types.js';
import { ok } from '../diagnostics/types.js';
import { renderDiagnostics, sortDiagnostics } from '../diagnostics/render.js';
import type { ScenarioOutcome } from '../pipeline/build.js';
import { startWatchSession } from '../watch/session.js';
import type { RunReport, WatchSession } from '../watch/session.js';
import { outcomeLine } from './build.js';
import type { Io } from './io.js';
import { paint } from './io.js';
import { EXIT } from './exit.js';
import { createGenerator, loadProjectConfig } from './project.js';
import type { CommonFlags } from './project.js';

/** `--generator` / `--verify` win over the file on every reload too (validated at start). */
function withOverrides(config: Config, flags: CommonFlags): Config {
  return {
    ...config,
    ...(flags.generator ? { generator: flags.generator as Config['generator'] } : {}),
    ...(flags.verify ? { verify: flags.verify as Config['verify'] } : {}),
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function clock(iso: string): string {
  return iso.slice(11, 19);
}

function counts(outcomes: readonly ScenarioOutcome[]) {
  const c = { built: 0, unchanged: 0, upToDate: 0, failed: 0 };
  for (const o of outcomes) {
    if (o.status === 'built') c.built++;
    else if (o.status === 'unchanged') c.unchanged++;
    else if (o.status === 'failed') c.failed++;
    else c.upToDate++;
  }
  return c;
}

/** The NDJSON line for one run: what editor integrations read. */
export function runEvent(report: RunReport) {
  const summary = counts(report.outcomes);
  return {
    event: 'run',
    run: report.run,
    initial: report.run === 0,
    ok:
      report.errors.length === 0 &&
      !report.configErrors &&
      !report.modelsError &&
      report.runErrors.length === 0,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    changes: report.changes,
    changeCount: report.changeCount,
    changesTruncated: report.changesTruncated,
    selected: report.selected,
    summary,
    scenarios: report.outcomes,
    orphans: report.orphans,
    errors: report.errors,
    runErrors: report.runErrors,
    config: { reloaded: report.configReloaded, errors: report.configErrors },
    models: {
      error: report.modelsError,
      helperRestarted: report.helperRestarted,
      sliceChanged: report.sliceChanged,
    },
    pid: process.pid,
    helperPid: report.helperPid,
    timings: report.timings,
  };
}

/** Human output: live outcome lines, then per run what was not printed yet and a summary. */
function humanPrinter(io: Io, config: () => Config) {
  const render = (list: readonly Diagnostic[]) =>
    renderDiagnostics(sortDiagnostics(list), {
      root: config().root,
      color: io.color,
      codeFrame: true,
    });
  /** Scenario files whose outcome was printed during the current run. */
  let shown = new Set<string>();
  /** Scenario files failing after the previous run. */
  let failing = new Set<string>();

  function outcome(o: ScenarioOutcome): void {
    shown.add(o.file);
    if (o.diagnostics.length > 0) io.warn(render(o.diagnostics));
    io.say(outcomeLine(io, o, config().verify));
  }

  function run(report: RunReport): void {
    // Outcomes build reports without progress (scenarios that did not compile), and failing
    // scenarios whose last good file is current again.
    let fixed = 0;
    for (const o of report.outcomes) {
      if (shown.has(o.file)) continue;
      if (o.status !== 'up-to-date') outcome(o);
      else if (failing.has(o.file)) {
        fixed += 1;
        io.say(
          `${paint(io, '32', '✓ fixed'.padEnd(22))} ${o.name.padEnd(28)} ${o.output ?? o.file} is current again`,
        );
      }
    }
    if (report.configErrors) {
      io.warn(paint(io, '33', 'the configuration has errors; the last good one keeps running:'));
      io.warn(render(report.configErrors));
    }
    if (report.runErrors.length > 0) io.warn(render(report.runErrors));
    if (report.modelsError) {
      io.warn(paint(io, '33', 'builds are paused until this is fixed (the last good files stay):'));
      io.warn(render([report.modelsError]));
    }
    for (const o of report.orphans)
      io.say(
        `${paint(io, '33', '! orphaned'.padEnd(22))} ${o.output} (its scenario ${o.scenario} was deleted; the file is left alone)`,
      );
    // Errors not printed as this run's outcomes stay on screen until fixed.
    const older = report.errors.filter((e) => !shown.has(e.file));
    if (older.length > 0) {
      io.warn(paint(io, '31', `still failing: ${older.map((e) => e.name).join(', ')}`));
      io.warn(render(older.flatMap((e) => e.diagnostics)));
    }
    const c = counts(report.outcomes);
    const rebuilt = c.built + c.unchanged + c.failed;
    const parts = [
      rebuilt === 0 && fixed === 0 && report.orphans.length === 0 && !report.configReloaded
        ? 'nothing to rebuild'
        : `${plural(rebuilt, 'scenario')} rebuilt (${c.built} built, ${c.unchanged} unchanged, ${c.failed} failed)`,
    ];
    if (fixed > 0) parts.push(`${fixed} fixed`);
    if (report.sliceChanged.length) parts.push(`models changed: ${report.sliceChanged.join(', ')}`);
    if (report.errors.length) parts.push(paint(io, '31', `${report.errors.length} failing`));
    const what = report.run === 0 ? 'initial build' : `run ${report.run}`;
    io.say(
      `${paint(io, '2', `[${clock(report.startedAt)}]`)} ${what}: ${parts.join('; ')} in ${(report.durationMs / 1000).toFixed(2)} s`,
    );
    shown = new Set();
    failing = new Set(report.errors.map((e) => e.file));
  }

  return { outcome, run };
}

export async function watchCommand(flags: CommonFlags, io: Io): Promise<number> {
  let config = loadProjectConfig(flags, io);
  const reloadConfig = (): Result<Config> => {
    const loaded = loadConfig({ configPath: flags.config, cwd: process.cwd(), env: process.env });
    if (!loaded.ok) return loaded;
    config = withOverrides(loaded.value, flags);
    return ok(config);
  };
  const emit = (value: unknown) => {
    if (io.json) process.stdout.write(`${JSON.stringify(value)}\n`);
  };
  const human = humanPrinter(io, () => config);

  // Signals are taken from the start: Ctrl-C during a long initial build (or while the helper
  // imports the models) is a clean stop too.
  let session: WatchSession | undefined;
  let signalled: NodeJS.Signals | undefined;
  let stopped: () => void = () => undefined;
  const stoppedPromise = new Promise<void>((resolve) => (stopped = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return; // a second Ctrl-C while closing: the close is already bounded
    signalled = signal;
    io.say(paint(io, '2', `${signal}: stopping`));
    stopped();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const finish = async (): Promise<number> => {
    await session?.close().catch((err: unknown) => io.warn(`fixturegen watch: ${String(err)}`));
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    emit({ event: 'exit', code: EXIT.ok });
    return EXIT.ok;
  };

  try {
    session = await startWatchSession({
      config,
      reloadConfig,
      createGenerator: (c) => createGenerator(c, io),
      onOutcome: (o) => {
        if (o.status !== 'up-to-date') human.outcome(o);
      },
      onRunStart: (run, changes, changeCount) => {
        if (run === 0 || changeCount === 0) return;
        const more = changeCount > 3 ? ` and ${changeCount - 3} more` : '';
        io.say(paint(io, '2', `changed: ${changes.slice(0, 3).join(', ')}${more}`));
      },
      onRun: (report) => {
        human.run(report);
        emit(runEvent(report));
      },
      onError: (err) => {
        if (signalled) return; // the helper goes down with Ctrl-C: not worth a message
        const message = err instanceof Error ? err.message : String(err);
        io.warn(`fixturegen watch: ${message}`);
        emit({ event: 'error', message });
      },
    });
  } catch (err) {
    if (signalled) return finish(); // interrupted while starting: nothing to report
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    throw err;
  }
  if (signalled) return finish();

  const started = session;
  void started.ready.then(
    () => {
      if (signalled) return;
      io.say(
        paint(
          io,
          '2',
          `watching ${config.scenarios}/, the models, the templates and the configuration; Ctrl-C to stop`,
        ),
      );
      emit({ event: 'ready', pid: process.pid, helperPid: started.helperPid });
    },
    () => undefined, // the loop reported it; it keeps watching
  );
  await stoppedPromise;
  return finish();
}
