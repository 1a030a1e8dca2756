/**
 * A watch session asks the helper whether the verification database can hold the models once per
 * helper and catalog, not on every save, and asks again once a models change introspected anew:
 * a real session (Python helper, builtin generator, verification) on a copy of the sample
 * project, its helper's requests counted on their way to the real helper.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { ok } from '../../src/diagnostics/types.js';
import { createBuiltinGenerator } from '../../src/generate/builtin/index.js';
import { startPythonHelper } from '../../src/helper/client.js';
import type { PythonHelper } from '../../src/helper/client.js';
import { startWatchSession } from '../../src/watch/session.js';
import type { RunReport, WatchSession } from '../../src/watch/session.js';
import { sampleProject } from '../support/project.js';
import { PYTHON } from '../support/python.js';
import { Recorder } from './helpers.js';

const tenant = (name: string) =>
  `entities:\n  t:\n    model: Tenant\n    values:\n      name: ${name}\n`;

describe('watch asks whether the database holds the models once per catalog', () => {
  let dir: string;
  let session: WatchSession;
  const runs = new Recorder<RunReport>();
  /** Every request sent to a helper of the session, by method. */
  const asked: string[] = [];
  const holds = () => asked.filter((m) => m === 'holds').length;

  async function save(rel: string, text: string): Promise<RunReport> {
    const before = runs.items.length === 0 ? 0 : runs.items[runs.items.length - 1]!.run;
    writeFileSync(join(dir, rel), text);
    return runs.next((r) => r.run > before && r.changes.includes(rel), 60_000, rel);
  }

  beforeAll(async () => {
    dir = sampleProject('fixturegen-watch-holds-');
    writeFileSync(join(dir, 'scenarios/extra.yaml'), tenant('T0'));
    const loaded = loadConfig({ cwd: dir, env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
    const config: Config = { ...loaded.value, python: PYTHON };
    const counted = (c: Config): PythonHelper => {
      const helper = startPythonHelper({ python: c.python, root: c.root });
      return {
        get pid() {
          return helper.pid;
        },
        close: () => helper.close(),
        request: (method, ...params) => {
          asked.push(method);
          return helper.request(method, ...params);
        },
      };
    };
    session = await startWatchSession({
      config,
      reloadConfig: () => ok(config),
      createGenerator: () => Promise.resolve(createBuiltinGenerator()),
      startHelper: counted,
      onRun: runs.push,
    });
    const first = await session.ready;
    expect(first.errors).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('saves verified one after another ask once', async () => {
    const start = holds();
    const a = await save('scenarios/extra.yaml', tenant('One'));
    expect(a.outcomes.find((o) => o.name === 'extra')?.status).toBe('built');
    expect(holds()).toBeLessThanOrEqual(start + 1);
    const afterFirst = holds();
    expect(afterFirst).toBeGreaterThanOrEqual(1);
    const b = await save('scenarios/extra.yaml', tenant('Two'));
    const c = await save('scenarios/extra.yaml', tenant('Three'));
    for (const run of [b, c]) {
      expect(run.errors).toEqual([]);
      expect(run.outcomes.find((o) => o.name === 'extra')?.status).toBe('built');
    }
    expect(holds()).toBe(afterFirst);
    expect(readFileSync(join(dir, 'generated/extra.py'), 'utf8')).toContain('Three');
  }, 120_000);

  it('a models change the database cannot hold is asked about again and fails with FG630', async () => {
    const before = holds();
    const models = readFileSync(join(dir, 'crm/models.py'), 'utf8');
    const changed = models
      .replace(
        'from sqlalchemy.orm import',
        'from sqlalchemy.dialects.postgresql import JSONB\nfrom sqlalchemy.orm import',
      )
      .replace(
        '    name: Mapped[str] = mapped_column(String(100), unique=True)\n',
        '    name: Mapped[str] = mapped_column(String(100), unique=True)\n' +
          '    doc: Mapped[Optional[Any]] = mapped_column(JSONB)\n',
      );
    expect(changed).toContain('mapped_column(JSONB)');
    const run = await save('crm/models.py', changed);
    expect(run.helperRestarted).toBe(true);
    expect(holds()).toBe(before + 1);
    expect(run.runErrors.map((d) => d.code)).toEqual(['FG630']);
    // Put back: the answer about the JSONB catalog is not reused, and the saves build again.
    const back = await save('crm/models.py', models);
    expect(back.helperRestarted).toBe(true);
    // Nothing to verify yet (the files on disk match these models again): maybe not asked yet.
    expect(holds()).toBeLessThanOrEqual(before + 2);
    const again = await save('scenarios/extra.yaml', tenant('Four'));
    expect(again.errors).toEqual([]);
    expect(again.outcomes.find((o) => o.name === 'extra')?.status).toBe('built');
    expect(holds()).toBe(before + 2);
  }, 180_000);
});
