/**
 * The fuzz suite through the real CLI, on a few dozen mutations (the in-process suite in
 * loader.test.ts tries thousands): `build --json` on a copy of the built sample project with
 * mutated scenarios added, or with its configuration mutated. Every run ends with exit 0, 1 or 2
 * within a deadline, prints no stack trace, and changes no generated file but those of scenarios
 * it built; nothing outside the project changes.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { VENV_ENV, sampleProject, snapshot } from '../support/project.js';
import { CLI, REPO, fixturegen } from '../support/python.js';
import { edit, mutate } from './mutate.js';

const SEED = 20261201;
const SCENARIO_RUNS = 6;
const FILES_PER_RUN = 4;
const CONFIG_RUNS = 6;
/** Per CLI run, on a loaded machine; an idle one needs 2 to 5 s. */
const RUN_MS = 60_000;

let built: string;
let generated: Record<string, string>;

beforeAll(() => {
  built = sampleProject('fixturegen-fuzz-base-');
  const r = fixturegen(built, ['build'], VENV_ENV);
  if (r.status !== 0) throw new Error(r.stderr);
  generated = snapshot(join(built, 'generated'));
});

/** A copy of the built project inside a folder of its own, to see anything written beside it. */
function copy(): { outer: string; dir: string } {
  const outer = mkdtempSync(join(tmpdir(), 'fixturegen-fuzz-'));
  const dir = join(outer, 'project');
  cpSync(built, dir, { recursive: true, filter: (src) => !src.includes('__pycache__') });
  return { outer, dir };
}

function run(dir: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'build', '--json'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...VENV_ENV },
    timeout: RUN_MS,
    killSignal: 'SIGKILL',
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function expectNoCrash(r: { status: number; stderr: string }, what: string): void {
  expect(r.stderr, what).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n|Node\.js v\d+/);
}

interface Outcome {
  readonly file: string;
  readonly status: string;
  readonly output: string | null;
}

const SEEDS = [
  ...readdirSync(join(REPO, 'scenarios')).map((n) =>
    readFileSync(join(REPO, 'scenarios', n), 'utf8'),
  ),
];

describe('fuzz: the CLI on mutated scenarios', () => {
  it(
    `${SCENARIO_RUNS} builds of ${FILES_PER_RUN} mutated scenarios each`,
    { timeout: 600_000 },
    () => {
      const started = performance.now();
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(fc.constantFrom(...SEEDS), fc.array(edit, { minLength: 1, maxLength: 3 })),
            { minLength: FILES_PER_RUN, maxLength: FILES_PER_RUN },
          ),
          (files) => {
            const { outer, dir } = copy();
            const texts = files.map(([seed, edits]) => mutate(seed, edits));
            texts.forEach((t, k) => writeFileSync(join(dir, 'scenarios', `fuzz_${k}.yaml`), t));
            const what = JSON.stringify(files.map(([, e]) => e)).slice(0, 400);

            const r = run(dir);
            expectNoCrash(r, what);
            expect([0, 1, 2], `${what}\n${r.stderr}`).toContain(r.status);
            expect(readdirSync(outer)).toEqual(['project']);
            if (r.status === 2) return; // usage: nothing was built
            const outcomes = (JSON.parse(r.stdout) as { scenarios: Outcome[] }).scenarios;
            const wrote = new Set(
              outcomes
                .filter((o) => o.status === 'built' || o.status === 'unchanged')
                // A scenario's module, and its constraint tests (edge_cases: auto) beside it.
                .flatMap((o) => {
                  const module = o.output!.replace('generated/', '');
                  return [module, `test_${module.replace(/\.py$/, '')}_constraints.py`];
                }),
            );
            const after = snapshot(join(dir, 'generated'));
            for (const [name, text] of Object.entries(after)) {
              if (wrote.has(name) || (name === '__init__.py' && wrote.size > 0)) continue;
              expect(text, `${name} changed: ${what}`).toBe(generated[name]);
            }
            for (const name of Object.keys(generated)) expect(after[name], name).toBeDefined();
          },
        ),
        { seed: SEED, numRuns: SCENARIO_RUNS, endOnFailure: true },
      );
      console.log(
        `fuzz CLI scenarios: ${SCENARIO_RUNS * FILES_PER_RUN} mutated files in ${SCENARIO_RUNS} builds, ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    },
  );
});

describe('fuzz: the CLI on mutated configurations', () => {
  it(`${CONFIG_RUNS} builds`, { timeout: 600_000 }, () => {
    const config = readFileSync(join(REPO, 'fixturegen.yaml'), 'utf8');
    const started = performance.now();
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const { outer, dir } = copy();
        writeFileSync(join(dir, 'fixturegen.yaml'), mutate(config, edits));
        const what = JSON.stringify(edits).slice(0, 400);

        const r = run(dir);
        expectNoCrash(r, what);
        // 3 is the documented exit for models that cannot be imported: a mutation of `models:`.
        if (r.status === 3) expect(r.stderr, what).toMatch(/FG61[01]/);
        else expect([0, 1, 2], `${what}\n${r.stderr}`).toContain(r.status);
        expect(readdirSync(outer)).toEqual(['project']);
        if (r.status !== 0) expect(snapshot(join(dir, 'generated')), what).toEqual(generated);
      }),
      { seed: SEED, numRuns: CONFIG_RUNS, endOnFailure: true },
    );
    console.log(
      `fuzz CLI configurations: ${CONFIG_RUNS} builds, ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});
