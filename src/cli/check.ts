import type { Config } from '../config/schema.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Finding } from '../pipeline/check.js';
import type { AnalysisMemo } from '../pipeline/check-cache.js';
import {
  analysisKey,
  analysisMemo,
  holdsFor,
  outputsKey,
  recallAnalysis,
  recallCheck,
  rememberAnalysis,
  rememberCheck,
} from '../pipeline/check-cache.js';
import { readScenarioInputs } from '../pipeline/inputs.js';
import type { ScenarioInput } from '../pipeline/inputs.js';
import type { Io } from './io.js';
import { paint } from './io.js';
import { EXIT } from './exit.js';
import { answerOf, loadProjectConfigFast, startHelper } from './start.js';
import type { CommonFlags, StartedHelper } from './start.js';

/**
 * `fixturegen check`. The helper starts first; the modules that parse, compile and render are
 * loaded only when the remembered answer (pipeline/check-cache.ts) does not hold.
 */
export async function checkCommand(flags: CommonFlags, io: Io): Promise<number> {
  const config = await loadProjectConfigFast(flags, io);
  const started = startHelper(config, { verifier: false });
  try {
    const inputs = readScenarioInputs(config);
    const key = analysisKey(config, inputs);
    // The LLM generator's outputs depend on its prompt templates and settings too: never remembered.
    if (config.generator === 'builtin') {
      const memo = recallAnalysis(config, key);
      // Read while Python imports the models.
      const outputs = memo === null ? null : outputsKey(config);
      const answer = memo === null ? null : await answerOf(started, config, memo.modules);
      if (memo !== null && answer !== null && (await holdsFor(memo, answer))) {
        const current = memo.failures.length === 0 ? recallCheck(config, key, memo, outputs) : null;
        if (current !== null) {
          say(io, config, [], [], null, current.scenarios, current.warnings ?? []);
          return EXIT.ok;
        }
      }
    }
    return await fullCheck(config, started, inputs, key, io);
  } finally {
    await started.helper.release();
  }
}

async function fullCheck(
  config: Config,
  started: StartedHelper,
  inputs: ScenarioInput[],
  key: string,
  io: Io,
): Promise<number> {
  const [{ checkOutputs }, { createGenerator, openProject }] = await Promise.all([
    import('../pipeline/check.js'),
    import('./project.js'),
  ]);
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
