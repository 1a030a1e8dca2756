/**
 * Batched verification gives every scenario the outcome and the diagnostics a verification of its
 * own gives: a real build of several scenarios (real helper, pytest, SQLite), two of them with
 * candidates broken in different ways, against the same scenarios built one at a time.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createBuiltinGenerator } from '../../src/generate/builtin/index.js';
import type { Generator } from '../../src/generate/types.js';
import { startPythonHelper } from '../../src/helper/client.js';
import type { PythonHelper } from '../../src/helper/client.js';
import type { Analysis } from '../../src/pipeline/analyze.js';
import { analyze, introspect, modelModules } from '../../src/pipeline/analyze.js';
import { build } from '../../src/pipeline/build.js';
import type { BuildReport, ScenarioOutcome } from '../../src/pipeline/build.js';
import { readScenarioInputs } from '../../src/pipeline/inputs.js';
import { guardCandidate } from '../../src/verify/guard.js';
import { MIN_PART, VerifyBatcher } from '../../src/verify/batch.js';
import type { BatchItem } from '../../src/verify/batch.js';
import { desiredOutputs, fileContents, generateBody } from '../../src/pipeline/desired.js';
import { packageName } from '../../src/pipeline/inputs.js';
import { initPath, renderInit } from '../../src/pipeline/outputs.js';
import { sampleProject } from '../support/project.js';
import { PYTHON } from '../support/python.js';

/**
 * The builtin generator, with two candidates broken past the guard: `bad_count` creates one
 * grant fewer than declared (its smoke test fails), `bad_null` writes NULL into a NOT NULL column
 * (its fixture errors at flush).
 */
function tampering(): Generator {
  const builtin = createBuiltinGenerator();
  return {
    id: builtin.id,
    fingerprint: () => builtin.fingerprint(),
    async generate(plan, ctx) {
      const out = await builtin.generate(plan, ctx);
      if (!out.ok) return out;
      if (plan.name === 'bad_count')
        return { ...out, body: out.body.replace('range(10)', 'range(9)') };
      if (plan.name === 'bad_null')
        return { ...out, body: out.body.replace('name="Acme Corp"', 'name=None') };
      return out;
    },
  };
}

const byName = (report: BuildReport) =>
  new Map(report.outcomes.map((o): [string, ScenarioOutcome] => [o.name, o]));

describe('batched verification', () => {
  let dir: string;
  let config: Config;
  let helper: PythonHelper;
  let analysis: Analysis;

  beforeAll(async () => {
    dir = sampleProject('fixturegen-batch-');
    const base = readFileSync(join(dir, 'scenarios', 'tenant_with_team.yaml'), 'utf8');
    for (const name of ['alpha', 'beta', 'gamma', 'bad_count', 'bad_null'])
      writeFileSync(join(dir, 'scenarios', `${name}.yaml`), base);
    // Children of batched scenarios: verified beside their parents' candidates, in the same
    // batch; one of a parent whose candidate fails (FG301, as if it had waited for it).
    for (const [child, parent] of [
      ['alpha_child', 'alpha'],
      ['bad_child', 'bad_count'],
    ])
      writeFileSync(
        join(dir, 'scenarios', `${child}.yaml`),
        [
          `extends: [${parent}]`,
          'entities:',
          '  extra:',
          '    model: Role',
          '    values: { name: extra, tenant: "@acme" }',
          '',
        ].join('\n'),
      );
    const loaded = loadConfig({ cwd: dir, env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
    config = { ...loaded.value, python: PYTHON };
    helper = startPythonHelper({ python: PYTHON, root: dir });
    const inputs = readScenarioInputs(config);
    const catalog = await introspect(helper, config, modelModules(config, inputs));
    analysis = analyze(catalog, config, inputs);
    expect(analysis.failures).toEqual([]);
  });
  afterAll(async () => {
    await helper?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives each scenario the outcome and diagnostics of its own verification', async () => {
    const generator = tampering();
    const batched = await build({ config, helper, analysis, generator, force: true });
    const together = byName(batched);
    const names = [...together.keys()].sort();
    expect(names).toEqual([
      'alpha',
      'alpha_child',
      'bad_child',
      'bad_count',
      'bad_null',
      'beta',
      'gamma',
      'team_budget',
      'tenant_with_team',
    ]);
    // The passing scenarios were verified in one batch, not one by one: a child with its parent,
    // not in a batch after it.
    expect(together.get('beta')!.timings!.batch).toBeGreaterThan(1);
    expect(together.get('alpha_child')!.timings!.batch).toBe(together.get('beta')!.timings!.batch);
    expect(batched.timings.verifyRequests).toBeLessThan(names.length);
    // The broken ones were verified in a batch first, then again alone.
    expect(batched.timings.verifiedScenarios).toBeGreaterThanOrEqual(names.length + 2);

    for (const name of names) {
      const alone = byName(
        await build({ config, helper, analysis, generator, force: true, only: [name] }),
      ).get(name)!;
      const got = together.get(name)!;
      expect(got.status === 'failed', name).toBe(alone.status === 'failed');
      expect(got.diagnostics, name).toEqual(alone.diagnostics);
      // Alone means alone: a build of one scenario sends one verification of one scenario (a
      // child's build holds its parent too).
      if (!name.endsWith('_child')) expect(alone.timings!.batch, name).toBe(1);
    }
    expect(together.get('bad_count')!.diagnostics).toEqual([
      expect.objectContaining({ code: 'FG411', file: 'scenarios/bad_count.yaml' }),
    ]);
    expect(together.get('bad_null')!.diagnostics).toEqual([
      expect.objectContaining({ code: 'FG411', file: 'scenarios/bad_null.yaml' }),
    ]);
    expect(together.get('bad_null')!.diagnostics[0]!.message).toMatch(/NOT NULL|IntegrityError/);
    // Its candidate was verified beside the broken parent's, yet it fails as a child of a failed
    // parent does, and nothing of it is written.
    expect(together.get('bad_child')!.status).toBe('failed');
    expect(together.get('bad_child')!.diagnostics).toEqual([
      expect.objectContaining({
        code: 'FG301',
        file: 'scenarios/bad_child.yaml',
        message: 'extends `bad_count`, which failed to build',
      }),
    ]);
    expect(existsSync(join(dir, 'generated', 'bad_child.py'))).toBe(false);
    expect(batched.written).not.toContain('generated/bad_child.py');
    for (const name of ['alpha', 'alpha_child', 'beta', 'gamma', 'team_budget', 'tenant_with_team'])
      expect(together.get(name)!.status, name).not.toBe('failed');
  });

  it('guards and verifies a lone scenario in one request, with the answers of both apart', async () => {
    const sent: string[] = [];
    const counting: PythonHelper = {
      get pid() {
        return helper.pid;
      },
      close: () => helper.close(),
      request: (method, ...params) => {
        sent.push(method);
        return helper.request(method, ...params);
      },
    };
    const generator = tampering();
    const single = (name: string) =>
      build({ config, helper: counting, analysis, generator, force: true, only: [name] });
    // A candidate that fails its smoke test: one round trip, the diagnostics of a batch's.
    sent.length = 0;
    const failing = byName(await single('bad_count')).get('bad_count')!;
    expect(sent.filter((m) => m !== 'holds')).toEqual(['guardVerify']);
    expect(failing.diagnostics).toEqual([
      expect.objectContaining({ code: 'FG411', file: 'scenarios/bad_count.yaml' }),
    ]);
    // A candidate the guard refuses: refused with the guard's own diagnostics, never verified.
    const refusing: Generator = {
      ...generator,
      async generate(plan, ctx) {
        const out = await generator.generate(plan, ctx);
        return out.ok ? { ...out, body: `import os\n${out.body}` } : out;
      },
    };
    const d = desiredOutputs(analysis, config, refusing).scenarios.get('alpha')!;
    const body = await generateBody(refusing, d, () => Promise.resolve([]));
    if (!body.ok) throw new Error('alpha did not generate');
    const own = await guardCandidate(helper, {
      body: body.body,
      plan: d.plan,
      catalog: analysis.catalog,
      packageName: packageName(config),
      sessionFixture: config.session_fixture ?? 'db_session',
      plans: new Map(analysis.plans.map((p) => [p.name, p])),
    });
    expect(own.length).toBeGreaterThan(0);
    sent.length = 0;
    const refused = await build({
      config,
      helper: counting,
      analysis,
      generator: refusing,
      force: true,
      only: ['alpha'],
    });
    expect(sent.filter((m) => m !== 'holds')).toEqual(['guardVerify']);
    expect(refused.timings.verifyRequests).toBe(0);
    expect(byName(refused).get('alpha')!.status).toBe('failed');
    expect(byName(refused).get('alpha')!.diagnostics).toEqual(own);
  });

  it('reports per-stage timings, and per scenario its own time apart from its waiting', async () => {
    const report = await build({
      config,
      helper,
      analysis,
      generator: createBuiltinGenerator(),
      force: true,
      only: ['alpha', 'beta', 'gamma'],
    });
    for (const key of ['diffMs', 'scenariosMs', 'generateMs', 'guardMs', 'verifyMs', 'writeMs'])
      expect(report.timings[key as keyof BuildReport['timings']], key).toBeGreaterThanOrEqual(0);
    expect(report.timings.verifiedScenarios).toBe(3);
    expect(report.timings.verifyParallel).toBe(0); // three scenarios: one batch
    for (const o of report.outcomes) {
      const t = o.timings!;
      // The stages are rounded one by one, the duration from their sum.
      expect(
        Math.abs(o.durationMs - (t.generateMs + t.guardMs + t.verifyMs + t.writeMs)),
      ).toBeLessThanOrEqual(2);
      expect(t.verifyMs).toBeGreaterThan(0);
      expect(t.queueMs).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('two batches side by side', () => {
  let dir: string;
  let config: Config;
  let helper: PythonHelper;
  let analysis: Analysis;
  /** Enough scenarios for a batch split in two parts of at least MIN_PART each. */
  const names = Array.from({ length: 2 * MIN_PART + 2 }, (_, k) =>
    k === MIN_PART + 5 ? 'bad_count' : `copy_${String(k).padStart(2, '0')}`,
  );

  beforeAll(async () => {
    dir = sampleProject('fixturegen-batch-parallel-');
    // Without the sample's edge_cases: auto: the split is about the scenarios' own verification
    // (constraint tests and edge cases are verified beside each module, after its batch).
    const base = readFileSync(join(dir, 'scenarios', 'tenant_with_team.yaml'), 'utf8').replace(
      /^edge_cases: auto\n/m,
      '',
    );
    expect(base).not.toContain('edge_cases');
    for (const f of ['tenant_with_team', 'team_budget'])
      rmSync(join(dir, 'scenarios', `${f}.yaml`), { force: true });
    for (const name of names) writeFileSync(join(dir, 'scenarios', `${name}.yaml`), base);
    const loaded = loadConfig({ cwd: dir, env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
    config = { ...loaded.value, python: PYTHON };
    helper = startPythonHelper({ python: PYTHON, root: dir });
    const inputs = readScenarioInputs(config);
    const catalog = await introspect(helper, config, modelModules(config, inputs));
    analysis = analyze(catalog, config, inputs);
    expect(analysis.failures).toEqual([]);
  });
  afterAll(async () => {
    await helper?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(availableParallelism() < 2)(
    'a build gives each scenario the outcome and diagnostics of its own verification',
    async () => {
      const generator = tampering();
      const report = await build({ config, helper, analysis, generator, force: true });
      const got = byName(report);
      expect([...got.keys()]).toEqual([...names].sort());
      // How a build's scenarios fall into batches depends on when their guards answer (a batch
      // goes once none arrived for a moment): the split itself is proven by the next test.
      for (const n of names.filter((x) => x !== 'bad_count'))
        expect(got.get(n)!.diagnostics, n).toEqual([]);
      const alone = byName(
        await build({ config, helper, analysis, generator, force: true, only: ['bad_count'] }),
      ).get('bad_count')!;
      expect(alone.timings!.batch).toBe(1);
      expect(got.get('bad_count')!.diagnostics).toEqual(alone.diagnostics);
      expect(alone.diagnostics).toEqual([
        expect.objectContaining({ code: 'FG411', file: 'scenarios/bad_count.yaml' }),
      ]);
      // The plugin list and every module on disk as a build one at a time writes them.
      for (const n of names.filter((x) => x !== 'bad_count'))
        expect(readFileSync(join(dir, 'generated', `${n}.py`), 'utf8')).toContain(`def ${n}(`);
    },
  );

  it.skipIf(availableParallelism() < 2)(
    'two halves verified side by side give each scenario what its verification alone gives',
    async () => {
      const generator = tampering();
      const desired = desiredOutputs(analysis, config, generator);
      const pkg = packageName(config);
      const items: BatchItem[] = [];
      for (const name of names) {
        const d = desired.scenarios.get(name)!;
        const out = await generateBody(generator, d, () => Promise.resolve([]));
        if (!out.ok) throw new Error(`${name} did not generate`);
        items.push({
          config,
          packageName: pkg,
          files: {
            [d.path]: fileContents(d, out.body),
            [initPath(config)]: renderInit(config, analysis.catalog, [d.name], analysis.plans),
          },
          plans: [d.plan],
          source: d.source,
          output: d.path,
          names: [d.name],
        });
      }
      const options = {
        initPath: initPath(config),
        init: (n: readonly string[]) => renderInit(config, analysis.catalog, n, analysis.plans),
      };
      // All queued in one turn: one batch of all of them, split in two halves.
      const together = new VerifyBatcher(helper, { ...options, lanes: 2 });
      const both = await Promise.all(items.map((i) => together.verify(i)));
      expect(together.stats.parallel).toBe(2);
      const half = Math.ceil(names.length / 2);
      const alone = new VerifyBatcher(helper, { ...options, maxBatch: 1 });
      for (const [k, name] of names.entries()) {
        const got = both[k]!;
        if (name === 'bad_count') {
          const own = await alone.verify(items[k]!);
          expect(got.timing.batch).toBe(1);
          expect(got.diagnostics).toEqual(own.diagnostics);
          expect(own.diagnostics).toEqual([
            expect.objectContaining({ code: 'FG411', file: 'scenarios/bad_count.yaml' }),
          ]);
        } else {
          expect(got.diagnostics, name).toEqual([]);
          expect(got.timing.batch, name).toBe(k < half ? half : names.length - half);
        }
      }
    },
  );
});
