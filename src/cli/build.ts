/**
 * `fixturegen build`. The Python helper starts first (it imports the models while this process
 * loads the modules that parse, compile, render and verify, and then reads the scenarios); those
 * modules are imported only after it was started.
 */
import type { Diagnostic } from '../diagnostics/types.js';
import type { ScenarioOutcome } from '../pipeline/build.js';
import type { Io } from './io.js';
import { paint } from './io.js';
import { EXIT } from './exit.js';
import { loadProjectConfigFast, startHelper } from './start.js';
import type { CommonFlags } from './start.js';

export interface BuildFlags extends CommonFlags {
  force?: boolean;
  /** `--fallback builtin` (LLM generator only). */
  fallback?: string;
}

const MARK: Record<ScenarioOutcome['status'], [string, string]> = {
  built: ['32', '✓ built'],
  unchanged: ['32', '✓ verified, unchanged'],
  'up-to-date': ['2', '· up to date'],
  failed: ['31', '✗ failed'],
};

export function outcomeLine(io: Io, o: ScenarioOutcome, verify: string): string {
  const [color, text] = MARK[o.status];
  const detail =
    o.status === 'built' || o.status === 'unchanged'
      ? `${o.output} (verify: ${verify}, ${(o.durationMs / 1000).toFixed(2)} s)`
      : o.status === 'failed'
        ? o.diagnostics.length === 0
          ? o.file
          : `${o.file} (${o.diagnostics.length} error${o.diagnostics.length === 1 ? '' : 's'})`
        : (o.output ?? o.file);
  const notes = o.notes.length ? ` — ${o.notes.join('; ')}` : '';
  return `${paint(io, color, text.padEnd(22))} ${o.name.padEnd(28)} ${detail}${notes}`;
}

export async function buildCommand(names: string[], flags: BuildFlags, io: Io): Promise<number> {
  const begun = performance.now();
  if (flags.fallback !== undefined && flags.fallback !== 'builtin') {
    io.warn(`--fallback must be builtin, not ${JSON.stringify(flags.fallback)}`);
    return EXIT.usage;
  }
  const config = await loadProjectConfigFast(flags, io);
  // Python starts on the models now, while the modules below load.
  const started = startHelper(config);
  let loaded;
  try {
    loaded = await Promise.all([
      import('../pipeline/build.js'),
      import('./project.js'),
      import('./progress.js'),
    ]);
  } catch (err) {
    await started.helper.close();
    throw err;
  }
  const [{ build }, { createGenerator, openProject }, { llmTable, progressFor }] = loaded;
  const progress = progressFor(io);
  let generator;
  try {
    generator = await createGenerator(config, io, {
      fallback: flags.fallback === 'builtin' ? 'builtin' : null,
      onLlmStatus: progress ? (name, status) => progress.llm(name, status) : undefined,
    });
  } catch (err) {
    progress?.stop();
    await started.helper.close();
    throw err;
  }
  const opening = performance.now();
  // Closes the helper when it fails.
  const project = await openProject(config, started);
  const opened = performance.now();
  try {
    let report;
    try {
      report = await build({
        config,
        helper: project.helper,
        analysis: project.analysis,
        generator,
        force: Boolean(flags.force),
        only: names,
        onProgress: progress ? (name, phase, o) => progress.scenario(name, phase, o) : undefined,
      });
    } finally {
      progress?.stop();
    }
    const known = new Set(report.outcomes.flatMap((o) => [o.name, o.file]));
    const unknown = names.filter((n) => !known.has(n));
    const diagnostics: Diagnostic[] = [
      ...report.diagnostics,
      ...report.outcomes.flatMap((o) => [...o.diagnostics]),
    ];
    io.diagnostics(diagnostics, config.root);
    for (const o of report.outcomes) io.say(outcomeLine(io, o, config.verify));
    const llmRows = report.outcomes.flatMap((o) => (o.llm ? [{ name: o.name, llm: o.llm }] : []));
    for (const line of llmTable(llmRows)) io.say(line);
    const failed = report.outcomes.filter((o) => o.status === 'failed').length;
    const built = report.outcomes.filter((o) => o.status === 'built').length;
    const seconds = ((performance.now() - opening) / 1000).toFixed(2);
    io.say(
      `${report.outcomes.length} scenario${report.outcomes.length === 1 ? '' : 's'}: ${built} built, ` +
        `${failed} failed, ${report.outcomes.length - built - failed} unchanged (${seconds} s)`,
    );
    for (const n of unknown) io.warn(`no scenario named ${JSON.stringify(n)}`);
    for (const f of report.removed)
      io.say(`removed ${f}, a temporary file left by an interrupted write`);
    // Orphans do not fail the build, but `check` fails on them: say so now, with the fix.
    for (const o of report.orphaned) {
      io.say(
        `${paint(io, '33', '! orphaned'.padEnd(22))} ${o.path} — ${o.why}; ` +
          `\`fixturegen check\` fails until it is removed`,
      );
    }
    if (report.orphaned.length > 0) {
      io.say(`fix: rm ${report.orphaned.map((o) => o.path).join(' ')}`);
    }
    io.result({
      command: 'build',
      ok: failed === 0 && unknown.length === 0 && report.diagnostics.length === 0,
      // What failed the run as a whole, said once (FG630); each scenario's own are in `scenarios`.
      diagnostics: report.diagnostics,
      written: report.written,
      removed: report.removed,
      orphaned: report.orphaned,
      scenarios: report.outcomes,
      // Wall milliseconds: configuration, the helper started, modules loaded and the generator;
      // the rest of the helper's start and model import, and the scenarios read and compiled;
      // then the build's own stages (see BuildTimings).
      timings: {
        startMs: Math.round(opening - begun),
        openMs: Math.round(opened - opening),
        ...report.timings,
        totalMs: Math.round(performance.now() - begun),
      },
    });
    if (unknown.length > 0) return EXIT.usage;
    return failed > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await project.helper.close();
  }
}
