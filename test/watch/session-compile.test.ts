/**
 * A watch session compiles, after each save, only the scenario files the save can affect: a real
 * session (Python helper, builtin generator, verification) on a copy of the sample project with
 * a few more scenarios, each run's compile steps recorded through the session's hook.
 */
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { ok } from '../../src/diagnostics/types.js';
import { createBuiltinGenerator } from '../../src/generate/builtin/index.js';
import type { CompileStep } from '../../src/scenario/index.js';
import { startWatchSession } from '../../src/watch/session.js';
import type { RunReport, WatchSession } from '../../src/watch/session.js';
import { sampleProject } from '../support/project.js';
import { PYTHON } from '../support/python.js';
import { Recorder } from './helpers.js';

const tenant = (name: string) =>
  `entities:\n  t:\n    model: Tenant\n    values:\n      name: ${name}\n`;
const EXTENDER =
  'extends: tenant_with_team\nentities:\n  auditor:\n    model: Role\n    values:\n      name: auditor\n      tenant: "@acme"\n';

describe('watch compiles what a save can affect', () => {
  let dir: string;
  let session: WatchSession;
  const runs = new Recorder<RunReport>();
  let steps: { file: string; step: CompileStep }[] = [];

  /** Writes (or deletes) a file and returns the compile steps of the run that reports it. */
  async function save(rel: string, text: string | null) {
    const before = runs.items.length === 0 ? 0 : runs.items[runs.items.length - 1]!.run;
    steps = [];
    if (text === null) unlinkSync(join(dir, rel));
    else writeFileSync(join(dir, rel), text);
    const run = await runs.next((r) => r.run > before && r.changes.includes(rel), 60_000, rel);
    const of = (step: CompileStep) =>
      steps
        .filter((s) => s.step === step)
        .map((s) => s.file)
        .sort();
    return { run, load: of('load'), visit: of('visit'), analyze: of('analyze'), memo: of('memo') };
  }

  beforeAll(async () => {
    dir = sampleProject('fixturegen-watch-compile-');
    for (let i = 0; i < 6; i++)
      writeFileSync(join(dir, `scenarios/extra_${i}.yaml`), tenant(`T${i}`));
    writeFileSync(join(dir, 'scenarios/acme_audit.yaml'), EXTENDER);
    const loaded = loadConfig({ cwd: dir, env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
    const config: Config = { ...loaded.value, python: PYTHON };
    session = await startWatchSession({
      config,
      reloadConfig: () => ok(config),
      createGenerator: () => Promise.resolve(createBuiltinGenerator()),
      onRun: runs.push,
      onCompileStep: (file, step) => steps.push({ file, step }),
    });
    const first = await session.ready;
    expect(first.errors).toEqual([]);
    // The initial build compiles every file.
    expect(new Set(steps.filter((s) => s.step === 'visit').map((s) => s.file)).size).toBe(9);
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a saved scenario nothing extends: only it is loaded and compiled', async () => {
    const r = await save('scenarios/extra_3.yaml', tenant('Three'));
    expect(r.load).toEqual(['scenarios/extra_3.yaml']);
    expect(r.visit).toEqual(['scenarios/extra_3.yaml']);
    expect(r.analyze).toEqual(['scenarios/extra_3.yaml']);
    expect(r.run.selected).toEqual(['extra_3']);
    expect(r.run.errors).toEqual([]);
  });

  it('a saved parent: it and its extender, no other file', async () => {
    const rel = 'scenarios/tenant_with_team.yaml';
    const text = readFileSync(join(dir, rel), 'utf8');
    const r = await save(rel, text.replace('name: Acme Corp', 'name: Acme Inc'));
    expect(r.visit).toEqual(['scenarios/acme_audit.yaml', rel]);
    // Same labels inherited: the extender's plan is the one it had.
    expect(r.analyze).toEqual([rel]);
    expect(r.memo).toEqual(['scenarios/acme_audit.yaml']);
  });

  it('a file taking a name in use: both report it; renamed back, both build', async () => {
    const clash = await save('scenarios/extra_1.yaml', `name: extra_2\n${tenant('One')}`);
    expect(clash.load).toEqual(['scenarios/extra_1.yaml', 'scenarios/extra_2.yaml']);
    expect(clash.run.errors.map((e) => e.file).sort()).toEqual([
      'scenarios/extra_1.yaml',
      'scenarios/extra_2.yaml',
    ]);
    const back = await save('scenarios/extra_1.yaml', tenant('One'));
    expect(back.visit).toEqual(['scenarios/extra_1.yaml', 'scenarios/extra_2.yaml']);
    expect(back.run.errors).toEqual([]);
  });

  it('a deleted parent fails its extender only; restored, both build', async () => {
    const rel = 'scenarios/tenant_with_team.yaml';
    const text = readFileSync(join(dir, rel), 'utf8');
    const gone = await save(rel, null);
    expect(gone.visit).toEqual(['scenarios/acme_audit.yaml']);
    expect(gone.run.errors.map((e) => [e.file, e.diagnostics.map((d) => d.code)])).toEqual([
      ['scenarios/acme_audit.yaml', ['FG221']],
    ]);
    const back = await save(rel, text);
    expect(back.visit).toEqual(['scenarios/acme_audit.yaml', rel]);
    expect(back.run.errors).toEqual([]);
  });
});
