import { diagnosticJson, sortDiagnostics } from '../diagnostics/render.js';
import type { Io } from './io.js';
import { paint } from './io.js';
import { EXIT } from './exit.js';
import { loadProjectConfig, openProject } from './project.js';
import type { CommonFlags } from './project.js';

/**
 * `fixturegen validate [SCENARIO…]`: every check up to the plan, for all scenarios (or the named
 * ones), and nothing written. Diagnostics go to stderr sorted by file and position; with --json,
 * stdout gets them as a JSON array of {code, severity, message, file, line, column, endLine?,
 * endColumn?, hint?}.
 */
export async function validateCommand(
  names: string[],
  flags: CommonFlags,
  io: Io,
): Promise<number> {
  const config = loadProjectConfig(flags, io);
  const project = await openProject(config);
  try {
    const { failures, plans } = project.analysis;
    const known = new Set([
      ...failures.flatMap((f) => [f.file, ...(f.name === null ? [] : [f.name])]),
      ...plans.flatMap((p) => [p.name, p.source]),
    ]);
    // A file path may be written as ./scenarios/x.yaml; the analysis knows it as scenarios/x.yaml.
    names = names.map((n) => n.replace(/^(\.\/)+/, ''));
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length > 0) {
      for (const n of unknown) io.warn(`no scenario named ${JSON.stringify(n)}`);
      return EXIT.usage;
    }
    const only = new Set(names);
    const pick = (x: { name: string | null; file: string }) =>
      only.size === 0 || only.has(x.name ?? '') || only.has(x.file);
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
    await project.helper.close();
  }
}
