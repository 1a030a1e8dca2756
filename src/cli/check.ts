import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Finding } from '../pipeline/check.js';
import type { AnalysisMemo } from '../pipeline/check-cache.js';
import type { Io } from './io.js';
import { paint } from './io.js';
import { EXIT } from './exit.js';
import { answerOf, loadProjectConfigFast, startHelper } from './start.js';
import type { CommonFlags, StartedHelper } from './start.js';

/**
 * `fixturegen check`. The helper starts first (before this loads the modules that read and hash
 * the inputs: Python starts meanwhile); the modules that parse, compile and render are loaded only
 * when the remembered answer (pipeline/check-cache.ts) does not hold.
 */
export async function checkCommand(flags: CommonFlags, io: Io): Promise<number> {
  const config = await loadProjectConfigFast(flags, io);
  const started = startHelper(config, { verifier: false });
  try {
    // The LLM generator's outputs depend on its prompt templates and settings too: never remembered.
    if (config.generator === 'builtin' && (await remembered(config, started, io))) return EXIT.ok;
    return await fullCheck(config, started, io);
  } finally {
    await started.helper.release();
  }
}

/**
 * Whether the remembered answer holds (then it is said): the scenario files and the output folder
 * hashed while Python imports the models, each unchanged file by its stat (file-digests.ts).
 */
async function remembered(config: Config, started: StartedHelper, io: Io): Promise<boolean> {
  const [cache, { hashScenarioInputs }, { FileDigests }] = await Promise.all([
    import('../pipeline/check-cache.js'),
    import('../pipeline/inputs.js'),
    import('../pipeline/file-digests.js'),
  ]);
  const digests = new FileDigests(config.root);
  const key = cache.analysisKeyOf(config, hashScenarioInputs(config, digests));
  const memo = cache.recallAnalysis(config, key);
  const outputs = memo === null ? null : cache.outputsKey(config, digests);
  digests.save();
  if (memo === null || memo.failures.length > 0) return false;
  if (!(await cache.holdsFor(memo, await answerOf(started, config, memo.modules)))) return false;
  const current = cache.recallCheck(config, key, memo, outputs);
  if (current === null) return false;
  say(io, config, [], [], null, current.scenarios, current.warnings ?? []);
  return true;
}

async function fullCheck(config: Config, started: StartedHelper, io: Io): Promise<number> {
  const [cache, { readScenarioInputs }, { checkOutputs }, { createGenerator, openProject }] =
    await Promise.all([
      import('../pipeline/check-cache.js'),
      import('../pipeline/inputs.js'),
      import('../pipeline/check.js'),
      import('./project.js'),
    ]);
  const { analysisKey, analysisMemo, outputsKey, rememberAnalysis, rememberCheck } = cache;
  const inputs = readScenarioInputs(config);
  const key = analysisKey(config, inputs);
  const outputsBefore = outputsKey(config);
  const generator = await createGenerator(config, io);
  const project = await openProject(config, started, inputs);
  const { analysis } = project;
  const { findings, fixAll, warnings } = await checkOutputs({ config, analysis, generator });
  const failures = analysis.failures;
  const ok = findings.length === 0 && failures.length === 0;
  if (config.generator === 'builtin') {
    const answer = await answerOf(started, config, project.modules);
    const memo = analysisMemo(project.modules, analysis.catalog, answer.hash, analysis);
    rememberAnalysis(config, key, memo);
    if (ok) {
      rememberCheck(config, key, memo.catalog, outputsBefore, {
        scenarios: analysis.plans.length,
        ...(warnings.length > 0 ? { warnings } : {}),
      });
    }
  }
  say(io, config, findings, failures, fixAll, analysis.plans.length, warnings);
  return ok ? EXIT.ok : EXIT.failed;
}

function say(
  io: Io,
  config: Config,
  findings: readonly Finding[],
  failures: AnalysisMemo['failures'],
  fixAll: string | null,
  scenarios: number,
  warnings: readonly Diagnostic[],
): void {
  io.diagnostics([...failures.flatMap((f) => [...f.diagnostics]), ...warnings], config.root);
  for (const f of findings) {
    io.say(`${paint(io, '31', f.kind.padEnd(12))} ${f.message}\n${' '.repeat(13)}fix: ${f.fix}`);
  }
  const ok = findings.length === 0 && failures.length === 0;
  if (ok) {
    io.say(
      `${paint(io, '32', '✓')} ${config.output}/ is exactly what the current inputs give (${scenarios} scenarios)`,
    );
  } else {
    io.say(
      `${findings.length} file${findings.length === 1 ? '' : 's'} out of date, ${failures.length} scenario${failures.length === 1 ? '' : 's'} with errors`,
    );
    // Scenarios with errors keep their last good file: no command fixes them, the user does.
    const first = failures.length > 0 ? 'fix the scenario errors above, then run: ' : 'fix all: ';
    io.say(`${first}${fixAll ?? 'fixturegen build'}`);
  }
  io.result({ command: 'check', ok, findings, failures, fixAll, warnings });
}
