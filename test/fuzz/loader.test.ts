/**
 * The fuzz suite, in process: thousands of mutations of valid scenarios and configurations (a
 * fixed seed, so every run tries the same cases and a failure replays) through the scenario
 * compiler and the configuration loader. Each ends with a plan or positioned diagnostics, never
 * an exception, within a time limit per case. `test/fuzz/cli.test.ts` runs the real CLI on some.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { compileScenarios, scenarioModelPaths } from '../../src/scenario/index.js';
import { capturedCatalog, CORPUS_DIR, withinFile } from '../corpus/corpus.js';
import { FORMAT_EXAMPLE } from '../scenario/fixtures.js';
import { REPO } from '../support/python.js';
import { edit, mutate } from './mutate.js';

export const SEED = 20261201;
const SCENARIO_CASES = 2500;
const CONFIG_CASES = 500;
/**
 * CPU time per case: a hang or a quadratic blow-up takes far longer, and CPU time does not grow
 * when other processes load the machine. A typical case takes a few milliseconds.
 */
const CASE_CPU_MS = 2000;

/** CPU milliseconds `fn` takes in this process. */
function cpuMs(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const CATALOG = capturedCatalog();
// As the sample project's configuration says; corpus files that need corpus_extra name it.
const OPTIONS = { defaultModels: ['crm.models'] };

/** Valid scenarios (drawn three times as often), and the malformed corpus. */
const VALID: readonly string[] = [
  FORMAT_EXAMPLE,
  ...readdirSync(join(REPO, 'scenarios')).map((n) =>
    readFileSync(join(REPO, 'scenarios', n), 'utf8'),
  ),
];
const CORPUS: readonly string[] = readdirSync(CORPUS_DIR)
  .filter((n) => n.endsWith('.yaml'))
  .map((n) => readFileSync(join(CORPUS_DIR, n), 'utf8'));
const scenarioSeed: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...VALID) },
  { weight: 1, arbitrary: fc.constantFrom(...CORPUS) },
);

function wellFormed(d: Diagnostic, file: string, text: string, where: string): void {
  expect(d.code, where).toMatch(/^FG[12][0-9]{2}$/);
  expect(d.file, where).toBe(file);
  expect(withinFile(d, text), `${where}: ${d.code} ${d.line}:${d.column}`).toBe(true);
  expect(d.message.length, where).toBeGreaterThan(0);
  expect(d.message.length, where).toBeLessThan(20_000);
}

describe('fuzz: mutated scenarios through the compiler', () => {
  it(
    `${SCENARIO_CASES} cases: a plan or positioned diagnostics, in bounded time`,
    { timeout: 180_000 },
    () => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      let plans = 0;
      let slowest = 0;
      fc.assert(
        fc.property(scenarioSeed, fc.array(edit, { minLength: 1, maxLength: 3 }), (seed, edits) => {
          const text = mutate(seed, edits);
          const file = 'scenarios/fuzzed.yaml';
          let r: ReturnType<typeof compileScenarios> | undefined;
          const ms = cpuMs(() => {
            scenarioModelPaths(text);
            r = compileScenarios([{ file, text }], CATALOG, OPTIONS);
          });
          slowest = Math.max(slowest, ms);
          const where = `${JSON.stringify(seed.slice(0, 60))}, ${JSON.stringify(edits).slice(0, 300)}`;
          expect(ms, where).toBeLessThan(CASE_CPU_MS);
          r = r!;
          expect(r.plans.length + r.failures.length).toBe(1);
          plans += r.plans.length;
          for (const f of r.failures) {
            expect(f.diagnostics.length).toBeGreaterThan(0);
            for (const d of f.diagnostics) wellFormed(d, file, text, where);
          }
        }),
        { seed: SEED, numRuns: SCENARIO_CASES, endOnFailure: true },
      );
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      console.log(
        `fuzz scenarios: ${SCENARIO_CASES} cases (${plans} still compile) in ${seconds.toFixed(1)} s ` +
          `(${((used.user + used.system) / 1e6).toFixed(1)} s CPU), slowest ${slowest.toFixed(0)} ms CPU`,
      );
    },
  );
});

/** Valid configurations: the sample project's, and one that sets every key. */
const CONFIGS: readonly string[] = [
  readFileSync(join(REPO, 'fixturegen.yaml'), 'utf8'),
  [
    'models: [crm.models, crm.audit]',
    'scenarios: scenarios',
    'output: tests/generated',
    'python: .venv/bin/python',
    'database_url: "postgresql+psycopg://app:pw@localhost/app"',
    'session_fixture: session',
    'generator: llm',
    'verify: collect',
    'verify_timeout_s: 30',
    'llm:',
    '  base_url: http://localhost:8000/v1',
    '  model: Qwen/Qwen3-Coder-30B-A3B-Instruct',
    '  api_key_env: FIXTUREGEN_API_KEY',
    '  temperature: 0.7',
    '  top_k: 20',
    '  max_repairs: 2',
    '  extra_body: { top_k: null, chat_template_kwargs: { enable_thinking: false } }',
    '',
  ].join('\n'),
];

describe('fuzz: mutated configurations through the loader', () => {
  it(
    `${CONFIG_CASES} cases: a configuration or positioned FG6xx diagnostics`,
    { timeout: 120_000 },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'fixturegen-fuzz-config-'));
      mkdirSync(join(dir, 'scenarios'));
      const file = join(dir, 'fixturegen.yaml');
      const started = performance.now();
      let valid = 0;
      fc.assert(
        fc.property(
          fc.constantFrom(...CONFIGS),
          fc.array(edit, { minLength: 1, maxLength: 3 }),
          (config, edits) => {
            const text = mutate(config, edits);
            writeFileSync(file, text);
            let r: ReturnType<typeof loadConfig> | undefined;
            expect(cpuMs(() => (r = loadConfig({ cwd: dir, env: {} })))).toBeLessThan(CASE_CPU_MS);
            r = r!;
            if (r.ok) {
              valid++;
              expect(r.value.root).toBe(dir);
              return;
            }
            for (const d of r.diagnostics) {
              expect(d.code).toMatch(/^FG6[0-9]{2}$/);
              expect(d.file).toBe('fixturegen.yaml');
              expect(d.line! >= 1 && d.column! >= 1).toBe(true);
            }
          },
        ),
        { seed: SEED, numRuns: CONFIG_CASES, endOnFailure: true },
      );
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `fuzz configurations: ${CONFIG_CASES} cases (${valid} still load) in ${seconds.toFixed(1)} s`,
      );
    },
  );
});
