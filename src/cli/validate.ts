import type { Io } from './io.js';
import { paint } from './io.js';
import { EXIT, loadProjectConfig, openProject } from './project.js';
import type { CommonFlags } from './project.js';

export async function validateCommand(
  names: string[],
  flags: CommonFlags,
  io: Io,
): Promise<number> {
  const config = loadProjectConfig(flags, io);
  const project = await openProject(config);
  try {
    const only = new Set(names);
    const pick = <T extends { name: string | null; file: string }>(x: T) =>
      only.size === 0 || only.has(x.name ?? '') || only.has(x.file);
    const failures = project.analysis.failures.filter(pick);
    const plans = project.analysis.plans.filter((p) => pick({ name: p.name, file: p.source }));
    const diagnostics = failures.flatMap((f) => [...f.diagnostics]);
    io.diagnostics(diagnostics, config.root);
    for (const p of plans) io.say(`${paint(io, '32', '✓')} ${p.name.padEnd(28)} ${p.source}`);
    io.say(
      `${plans.length} valid, ${failures.length} with errors (${diagnostics.length} diagnostics)`,
    );
    io.result(diagnostics);
    return failures.length > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await project.helper.close();
  }
}
