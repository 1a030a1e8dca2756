import { diagnosticJson, sortDiagnostics } from '../diagnostics/render.js';
import type { Config } from '../config/schema.js';
import type { AnalysisMemo } from '../pipeline/check-cache.js';
import { fileStem } from '../scenario/stem.js';
import type { Io } from './io.js';
import { paint } from './io.js';
import { EXIT } from './exit.js';
import { answerOf, loadProjectConfigFast, startHelper } from './start.js';
import type { CommonFlags, StartedHelper } from './start.js';

/**
 * `fixturegen validate [SCENARIO…]`: every check up to the plan, for all scenarios (or the named
 * ones), and nothing written. Diagnostics go to stderr sorted by file and position; with --json,
 * stdout gets them as a JSON array of {code, severity, message, file, line, column, endLine?,
 * endColumn?, hint?}. What compiling gave is remembered (pipeline/check-cache.ts): unchanged
 * scenarios, configuration and catalog are not parsed again.
 */
export async function validateCommand(
  names: string[],
  flags: CommonFlags,
  io: Io,
): Promise<number> {
  const config = await loadProjectConfigFast(flags, io);
  const started = startHelper(config, { verifier: false });
  try {
    const { failures, plans } = await analysis(config, started);
    // A scenario is found by its name, its file, or its file stem (a file that does not parse
    // has no name, and a stem is what people type).
    const keys = (x: { name: string | null; file: string }) => [
      x.file,
      fileStem(x.file),
      ...(x.name === null ? [] : [x.name]),
    ];
    const all = [...failures, ...plans.map((p) => ({ name: p.name, file: p.source }))];
    const known = new Set(all.flatMap(keys));
    // A file path may be written as ./scenarios/x.yaml; the analysis knows it as scenarios/x.yaml.
    names = names.map((n) => n.replace(/^(\.\/)+/, ''));
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length > 0) {
      for (const n of unknown) io.warn(`no scenario named ${JSON.stringify(n)}`);
      return EXIT.usage;
    }
    const only = new Set(names);
    const pick = (x: { name: string | null; file: string }) =>
      only.size === 0 || keys(x).some((k) => only.has(k));
    const failed = failures.filter(pick);
    const valid = plans.filter((p) => pick({ name: p.name, file: p.source }));
    const diagnostics = sortDiagnostics(failed.flatMap((f) => [...f.diagnostics]));
    io.diagnostics(diagnostics, config.root);
    for (const p of valid) io.say(`${paint(io, '32', '✓')} ${p.name.padEnd(28)} ${p.source}`);
    io.say(
      `${valid.length} valid, ${failed.length} with errors (${diagnostics.length} diagnostic${diagnostics.length === 1 ? '' : 's'})`,
    );
    io.result(diagnostics.map(diagnosticJson));
    return failed.length > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await started.helper.release();
  }
}

/**
 * The remembered analysis when its inputs and catalog are unchanged; else the full one. Its
 * modules are loaded once the helper has started; an unchanged scenario file is not read
 * (file-digests.ts).
 */
async function analysis(config: Config, started: StartedHelper): Promise<AnalysisMemo> {
  const [cache, { hashScenarioInputs, readScenarioInputs }, { FileDigests }] = await Promise.all([
    import('../pipeline/check-cache.js'),
    import('../pipeline/inputs.js'),
    import('../pipeline/file-digests.js'),
  ]);
  const { analysisKey, analysisKeyOf, analysisMemo, holdsFor, recallAnalysis, rememberAnalysis } =
    cache;
  const digests = new FileDigests(config.root);
  const memo = recallAnalysis(config, analysisKeyOf(config, hashScenarioInputs(config, digests)));
  digests.save();
  if (memo !== null) {
    if (await holdsFor(memo, await answerOf(started, config, memo.modules))) return memo;
  }
  const { openProject } = await import('./project.js');
  const inputs = readScenarioInputs(config);
  const key = analysisKey(config, inputs);
  const project = await openProject(config, started, inputs);
  const answer = await answerOf(started, config, project.modules);
  const fresh = analysisMemo(
    project.modules,
    project.analysis.catalog,
    answer.hash,
    project.analysis,
  );
  rememberAnalysis(config, key, fresh);
  return fresh;
}
