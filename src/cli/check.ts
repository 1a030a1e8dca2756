import { checkOutputs } from '../pipeline/check.js';
import type { Io } from './io.js';
import { paint } from './io.js';
import { EXIT } from './exit.js';
import { createGenerator, loadProjectConfig, openProject } from './project.js';
import type { CommonFlags } from './project.js';

export async function checkCommand(flags: CommonFlags, io: Io): Promise<number> {
  const config = loadProjectConfig(flags, io);
  const generator = await createGenerator(config, io);
  const project = await openProject(config);
  try {
    const { findings, fixAll } = await checkOutputs({
      config,
      analysis: project.analysis,
      generator,
    });
    const failures = project.analysis.failures;
    io.diagnostics(
      failures.flatMap((f) => [...f.diagnostics]),
      config.root,
    );
    for (const f of findings) {
      io.say(`${paint(io, '31', f.kind.padEnd(12))} ${f.message}\n${' '.repeat(13)}fix: ${f.fix}`);
    }
    const ok = findings.length === 0 && failures.length === 0;
    if (ok) {
      io.say(
        `${paint(io, '32', '✓')} ${config.output}/ is exactly what the current inputs give (${project.analysis.plans.length} scenarios)`,
      );
    } else {
      io.say(
        `${findings.length} file${findings.length === 1 ? '' : 's'} out of date, ${failures.length} scenario${failures.length === 1 ? '' : 's'} with errors`,
      );
      // Scenarios with errors keep their last good file: no command fixes them, the user does.
      const first = failures.length > 0 ? 'fix the scenario errors above, then run: ' : 'fix all: ';
      io.say(`${first}${fixAll ?? 'fixturegen build'}`);
    }
    io.result({ command: 'check', ok, findings, failures, fixAll });
    return ok ? EXIT.ok : EXIT.failed;
  } finally {
    await project.helper.close();
  }
}
