/**
 * Inputs that used to crash or hang the CLI, through the built CLI on a copy of the built sample
 * project: each ends with a positioned diagnostic (or a configuration error) and exit 1 or 2, in
 * bounded time, with no stack trace, nothing written outside the project, and the generated files
 * of the good scenarios exactly as they were.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VENV_ENV, sampleProject, snapshot } from '../support/project.js';
import { CLI, REPO, fixturegen } from '../support/python.js';

let built: string;
let generated: Record<string, string>;

beforeAll(() => {
  built = sampleProject('fixturegen-hostile-base-');
  const r = fixturegen(built, ['build'], VENV_ENV);
  if (r.status !== 0) throw new Error(r.stderr);
  generated = snapshot(join(built, 'generated'));
});

function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-hostile-'));
  cpSync(built, dir, { recursive: true, filter: (src) => !src.includes('__pycache__') });
  return dir;
}

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** The CLI with a hard deadline: a hang is a failure, not a stuck test run. */
function run(dir: string, args: string[]): Run {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...VENV_ENV },
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  return {
    status: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    ms: performance.now() - started,
  };
}

function expectClean(r: Run): void {
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace
  expect(r.stderr).not.toMatch(/RangeError|TypeError|ENOENT|ELOOP|EACCES/);
}

const write = (dir: string, rel: string, text: string): void => writeFileSync(join(dir, rel), text);

const mapping = (n: number, prefix: string): string =>
  Array.from(
    { length: n },
    (_, i) => `  ${prefix}${i}: {model: Tenant, values: {name: t${i}}}`,
  ).join('\n');

describe('hostile scenario files: one build, a diagnostic each, the good ones untouched', () => {
  it('ends with exit 1 in bounded time and names every file', () => {
    const dir = copy();
    const s = (rel: string) => join(dir, 'scenarios', rel);
    spawnSync('mkfifo', [s('fifo.yaml')]);
    symlinkSync('/dev/zero', s('zero.yaml'));
    symlinkSync('nowhere.yaml', s('dangling.yaml'));
    symlinkSync('loop.yaml', s('loop.yaml'));
    const entity = (values: string) =>
      `entities:\n  engineering:\n    model: Team\n    values: {name: Eng, budget: ${values}}\n`;
    write(dir, 'scenarios/budget_huge.yaml', entity('"1e999999999"'));
    write(dir, 'scenarios/budget_tiny.yaml', entity('"1e-300000"'));
    write(
      dir,
      'scenarios/surrogate.yaml',
      'entities:\n  a: {model: Tenant, values: {name: "\\udc00"}}\n',
    );
    write(dir, 'scenarios/long_name.yaml', `name: ${'a'.repeat(240)}\n${entity('"1.00"')}`);
    write(dir, 'scenarios/big.yaml', `description: ${'x'.repeat(2_000_000)}\n`);
    write(
      dir,
      'scenarios/aliases.yaml',
      `entities:\n  a: {model: Tenant, values: {name: &n x, settings: [${Array(10_000).fill('*n').join(', ')}]}}\n`,
    );
    write(dir, 'scenarios/braces.yaml', `entities: ${'{'.repeat(40_000)}`);
    write(dir, 'scenarios/entities.yaml', `entities:\n${mapping(1500, 't')}\n`);
    for (const name of ['tmp_path', 'monkeypatch', 'caplog', 'capsys', 'pytestconfig', 'request']) {
      write(dir, `scenarios/${name}.yaml`, entity('"1.00"'));
    }
    write(dir, 'scenarios/conftest.yaml', entity('"1.00"'));
    write(dir, 'scenarios/shadow_list.yaml', `name: list\n${entity('"1.00"')}`);

    const r = run(dir, ['build', '--json']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.ms).toBeLessThan(45_000);
    expectClean(r);
    const result = JSON.parse(r.stdout) as {
      scenarios: { file: string; status: string; diagnostics: { code: string; line: number }[] }[];
    };
    const codes = Object.fromEntries(
      result.scenarios.map((o) => [
        o.file.replace('scenarios/', ''),
        o.diagnostics.map((d) => d.code),
      ]),
    );
    expect(codes).toMatchObject({
      'fifo.yaml': ['FG198'],
      'zero.yaml': ['FG198'],
      'dangling.yaml': ['FG198'],
      'loop.yaml': ['FG198'],
      'budget_huge.yaml': ['FG199'],
      'budget_tiny.yaml': ['FG199'],
      'surrogate.yaml': ['FG196'],
      'long_name.yaml': ['FG113'],
      'big.yaml': ['FG199'],
      'aliases.yaml': ['FG199'],
      'braces.yaml': ['FG199'],
      'entities.yaml': ['FG199'],
      'tmp_path.yaml': ['FG197'],
      'monkeypatch.yaml': ['FG197'],
      'caplog.yaml': ['FG197'],
      'capsys.yaml': ['FG197'],
      'pytestconfig.yaml': ['FG197'],
      'request.yaml': ['FG197'],
      'conftest.yaml': ['FG197'],
      'shadow_list.yaml': ['FG197'],
    });
    // The two sample scenarios are current: nothing written, their files unchanged.
    expect(snapshot(join(dir, 'generated'))).toEqual(generated);
    expect(
      readdirSync(tmpdir()).filter((n) => n.startsWith('fixturegen-verify-') && n.length > 200),
    ).toEqual([]);
  });

  it('files that cannot be read for want of permission: FG198, and FG698 for the configuration', () => {
    const dir = copy();
    write(dir, 'scenarios/secret.yaml', 'entities: {}\n');
    // Root reads anything: as root, read as nobody. The modules are imported first, still as
    // root, and only then are the privileges dropped: nobody may be unable to reach this checkout
    // (a clone inside a 0700 folder) or the venv under /root, and only the reading is under test.
    const nobody = process.getuid?.() === 0 ? 65534 : undefined;
    spawnSync('chmod', ['-R', 'a+rwX', dir]);
    chmodSync(join(dir, 'scenarios', 'secret.yaml'), 0o000);
    chmodSync(join(dir, 'fixturegen.yaml'), 0o000);
    const script = `
      const { readScenarioInputs } = await import(${JSON.stringify(join(REPO, 'dist/pipeline/inputs.js'))});
      const { loadConfig } = await import(${JSON.stringify(join(REPO, 'dist/config/load.js'))});
      ${nobody === undefined ? '' : `process.setgroups([]); process.setgid(${nobody}); process.setuid(${nobody});`}
      const inputs = readScenarioInputs({ root: process.cwd(), scenarios: 'scenarios' });
      const config = loadConfig({ cwd: process.cwd(), env: {} });
      console.log(JSON.stringify({ inputs, config }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      inputs: { file: string; problem?: { code: string; message: string } }[];
      config: { ok: boolean; diagnostics: { code: string; message: string }[] };
    };
    const secret = out.inputs.find((i) => i.file === 'scenarios/secret.yaml');
    expect(secret?.problem).toMatchObject({
      code: 'FG198',
      message: 'this file cannot be read: permission denied',
    });
    expect(out.inputs.filter((i) => i.problem === undefined).map((i) => i.file)).toEqual([
      'scenarios/team_budget.yaml',
      'scenarios/tenant_with_team.yaml',
    ]);
    expect(out.config.ok).toBe(false);
    expect(out.config.diagnostics[0]).toMatchObject({
      code: 'FG698',
      message: 'the configuration file cannot be read: permission denied',
    });
  });
});

describe('hostile configurations: exit 2 with the key to fix, nothing written', () => {
  const config = (dir: string, edit: (text: string) => string) =>
    write(dir, 'fixturegen.yaml', edit(readFileSync(join(dir, 'fixturegen.yaml'), 'utf8')));

  it.each([
    {
      what: 'a FIFO as the configuration file',
      setup: (dir: string) => {
        rmSync(join(dir, 'fixturegen.yaml'));
        spawnSync('mkfifo', [join(dir, 'fixturegen.yaml')]);
      },
      args: ['build'],
      expect: /fixturegen\.yaml:1:1: FG698 the configuration file is a named pipe/,
    },
    {
      what: 'aliases in the configuration',
      setup: (dir: string) => config(dir, (t) => `${t}llm: {model: *undefined}\n`),
      args: ['build'],
      expect: /FG601 the configuration does not use aliases \(\*undefined\)/,
    },
    {
      what: 'an output that is not a Python package',
      setup: (dir: string) => config(dir, (t) => t.replace('output: generated', 'output: my-out')),
      args: ['build'],
      expect: /fixturegen\.yaml:\d+:1: FG603 output "my-out" is not a Python package path/,
    },
    {
      what: 'an output outside the project, even with --verify none',
      setup: (dir: string) =>
        config(dir, (t) => t.replace('output: generated', 'output: ../outside')),
      args: ['build', '--verify', 'none', '--force'],
      expect: /FG603 output "\.\.\/outside" is outside the project/,
    },
    {
      what: 'a missing scenarios folder',
      setup: (dir: string) => rmSync(join(dir, 'scenarios'), { recursive: true }),
      args: ['build'],
      expect: /FG603 the scenarios folder "scenarios" does not exist/,
    },
  ])('$what', ({ setup, args, expect: message }) => {
    const dir = copy();
    setup(dir);
    const r = run(dir, args);
    expect(r.status, r.stderr).toBe(2);
    expect(r.ms).toBeLessThan(30_000);
    expectClean(r);
    expect(r.stderr).toMatch(message);
    expect(snapshot(join(dir, 'generated'))).toEqual(generated);
    expect(existsSync(join(dir, '..', 'outside'))).toBe(false);
  });
});

describe('temporary files of an interrupted write', () => {
  it('build removes those of dead writers, keeps those of live ones, and says so', () => {
    const dir = copy();
    const out = join(dir, 'generated');
    // A pid above the kernel's limit is never alive.
    const dead = `.team_budget.py.4194399.0123456789ab.tmp`;
    const old = `.tenant_with_team.py.ba9876543210.tmp`;
    const live = `.team_budget.py.${process.pid}.fedcba987654.tmp`;
    for (const n of [dead, old, live]) write(dir, `generated/${n}`, 'partial');
    mkdirSync(join(out, 'sub'), { recursive: true });

    const r = run(dir, ['build']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `removed generated/${dead}, a temporary file left by an interrupted write`,
    );
    expect(r.stdout).toContain(`removed generated/${old}`);
    expect(readdirSync(out).filter((n) => n.endsWith('.tmp'))).toEqual([live]);
    expect(existsSync(join(REPO, 'generated', dead))).toBe(false);
  });
});
