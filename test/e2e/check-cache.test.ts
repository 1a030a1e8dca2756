/**
 * `check` and `validate` remember what their full work found (.fixturegen/state/), and use it only
 * for exactly the same inputs. Each case below first proves the remembered answer is in use (the
 * run loads neither the YAML library, nor ajv, nor handlebars: it parsed and rendered nothing;
 * nor zod: the helper's answer hashed like the one checked before), then changes one input and
 * checks that the change is still found, with the state present.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTLE_MS } from '../../src/pipeline/file-digests.js';
import { CLI, REPO, fixturegen } from '../support/python.js';
import { VENV_ENV, sampleProject } from '../support/project.js';

const PARSE_AND_RENDER = ['yaml', 'ajv', 'handlebars'];

const hooks = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-cache-hooks-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.FG_TEST_LOADED) appendFileSync(process.env.FG_TEST_LOADED, result.url + '\\n');
  return result;
}
`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
  );
  return dir;
})();

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The packages under node_modules it loaded. */
  packages: string[];
}

let runs = 0;
/** `fixturegen ARGS` (of `cli`, this repo's by default), with the packages it loaded. */
function run(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, cli = CLI): Run {
  const log = join(hooks, `loaded-${runs++}.txt`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', join(hooks, 'register.mjs'), cli, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...VENV_ENV, NO_COLOR: '1', FG_TEST_LOADED: log, ...env },
  });
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const packages = urls.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, packages: [...new Set(packages)] };
}

afterAll(() => rmSync(hooks, { recursive: true, force: true }));

const parsedOrRendered = (r: Run) => r.packages.filter((p) => PARSE_AND_RENDER.includes(p));

interface CheckJson {
  ok: boolean;
  findings: { kind: string; file: string; message: string }[];
}

/** `check` answers from the remembered state: current, and nothing parsed or rendered. */
function expectRemembered(dir: string, env: NodeJS.ProcessEnv = {}, cli = CLI): void {
  const r = run(dir, ['check'], env, cli);
  expect(r.stdout).toContain('is exactly what the current inputs give');
  expect(r.status).toBe(0);
  expect(parsedOrRendered(r)).toEqual([]);
  expect(r.packages).not.toContain('zod');
}

/** A full `check` (run twice if needed) has left state that the next one uses. */
function warm(dir: string, env: NodeJS.ProcessEnv = {}, cli = CLI): void {
  const full = run(dir, ['check'], env, cli);
  expect(full.stdout + full.stderr).toContain('is exactly what the current inputs give');
  expectRemembered(dir, env, cli);
}

function checkJson(dir: string, env: NodeJS.ProcessEnv = {}, cli = CLI): CheckJson & Run {
  const r = run(dir, ['check', '--json'], env, cli);
  return { ...r, ...(JSON.parse(r.stdout) as CheckJson) };
}

describe('check with remembered state', () => {
  let dir: string;

  beforeAll(() => {
    dir = sampleProject('fixturegen-check-cache-');
    const built = fixturegen(dir, ['build', '--verify', 'none'], VENV_ENV);
    expect(built.status).toBe(0);
  });

  it('the first check leaves state; the next one answers the same without parsing or rendering', () => {
    rmSync(join(dir, '.fixturegen'), { recursive: true, force: true });
    const full = run(dir, ['check', '--json']);
    expect(full.status).toBe(0);
    expect(parsedOrRendered(full).sort()).toEqual(['ajv', 'handlebars', 'yaml']);
    // digests.json too once the files are older than the settling time (file-digests.ts).
    expect(
      readdirSync(join(dir, '.fixturegen', 'state'))
        .filter((n) => n !== 'digests.json')
        .sort(),
    ).toEqual(['analysis.json', 'check.json', 'config.json']);
    const remembered = run(dir, ['check', '--json']);
    expect(parsedOrRendered(remembered)).toEqual([]);
    expect(full.packages).toContain('zod');
    expect(remembered.packages).not.toContain('zod');
    expect(remembered.status).toBe(0);
    expect(remembered.stdout).toBe(full.stdout);
    expect(remembered.stderr).toBe(full.stderr);
  });

  const cases: {
    name: string;
    change: (dir: string) => () => void;
    env?: NodeJS.ProcessEnv;
    finding: { kind: string; file: string; message?: RegExp };
  }[] = [
    {
      name: 'a scenario edited',
      change: (d) =>
        edit(join(d, 'scenarios/tenant_with_team.yaml'), (t) => t.replace('Acme Corp', 'Acme Inc')),
      finding: {
        kind: 'stale',
        file: 'generated/tenant_with_team.py',
        message: /its scenario .* changed/,
      },
    },
    {
      name: 'a generated file edited by hand',
      change: (d) => edit(join(d, 'generated/team_budget.py'), (t) => `${t}# mine\n`),
      finding: { kind: 'hand-edited', file: 'generated/team_budget.py' },
    },
    {
      name: 'a generated file deleted',
      change: (d) => remove(join(d, 'generated/tenant_with_team.py')),
      finding: { kind: 'missing', file: 'generated/tenant_with_team.py' },
    },
    {
      name: 'a generated module whose scenario is gone',
      change: (d) => {
        const orphan = join(d, 'generated/old_scenario.py');
        writeFileSync(orphan, readFileSync(join(d, 'generated/tenant_with_team.py')));
        return () => rmSync(orphan);
      },
      finding: { kind: 'orphaned', file: 'generated/old_scenario.py' },
    },
    {
      name: 'the models changed',
      change: (d) =>
        edit(join(d, 'crm/models.py'), (t) =>
          t.replace('String(100), unique=True', 'String(120), unique=True'),
        ),
      finding: {
        kind: 'stale',
        file: 'generated/tenant_with_team.py',
        message: /the models it touches changed/,
      },
    },
    {
      name: 'the configuration changed',
      change: (d) => edit(join(d, 'fixturegen.yaml'), (t) => `${t}session_fixture: my_session\n`),
      finding: {
        kind: 'stale',
        file: 'generated/tenant_with_team.py',
        message: /in the configuration/,
      },
    },
    {
      name: 'FIXTUREGEN_DATABASE_URL names another database',
      change: () => () => {},
      env: { FIXTUREGEN_DATABASE_URL: 'postgresql+psycopg2://u@localhost/none' },
      finding: {
        kind: 'stale',
        file: 'generated/tenant_with_team.py',
        message: /the database is now postgresql/,
      },
    },
    {
      name: 'a scenario added',
      change: (d) => {
        const added = join(d, 'scenarios/another_tenant.yaml');
        writeFileSync(added, readFileSync(join(d, 'scenarios/tenant_with_team.yaml')));
        return () => rmSync(added);
      },
      finding: { kind: 'missing', file: 'generated/another_tenant.py' },
    },
  ];

  it.each(cases)('still finds it when $name', ({ change, env, finding }) => {
    warm(dir);
    const undo = change(dir);
    try {
      const r = checkJson(dir, env);
      expect(r.status).toBe(1);
      expect(r.ok).toBe(false);
      const found = r.findings.find((f) => f.file === finding.file);
      expect(found?.kind, JSON.stringify(r.findings)).toBe(finding.kind);
      if (finding.message) expect(found?.message).toMatch(finding.message);
      // Asked again with the change still there: found again (a failed check leaves no answer).
      expect(checkJson(dir, env).findings).toEqual(r.findings);
    } finally {
      undo();
    }
  });

  it('a check that finds scenario errors reports them every time, and is never remembered as current', () => {
    warm(dir);
    const undo = edit(join(dir, 'scenarios/tenant_with_team.yaml'), (t) =>
      t.replace('model: Tenant', 'model: Tennant'),
    );
    try {
      for (let i = 0; i < 2; i += 1) {
        const r = run(dir, ['check']);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/tenant_with_team\.yaml:\d+:\d+: FG\d+ .*Tennant/);
      }
    } finally {
      undo();
    }
    warm(dir);
  });
});

describe('check with remembered file digests', () => {
  let dir: string;

  beforeAll(() => {
    dir = sampleProject('fixturegen-check-digests-');
    expect(fixturegen(dir, ['build', '--verify', 'none'], VENV_ENV).status).toBe(0);
  });

  it('answers from the digests of settled files, and still sees a same-size edit with its time put back', async () => {
    warm(dir);
    // Every input older than the settling time: the next check remembers their digests.
    const files = ['scenarios', 'generated'].flatMap((d) =>
      readdirSync(join(dir, d)).map((n) => join(dir, d, n)),
    );
    const newest = Math.max(...files.map((f) => statSync(f).ctimeMs));
    await new Promise((r) => setTimeout(r, Math.max(0, newest + SETTLE_MS + 50 - Date.now())));
    expectRemembered(dir);
    const digests = join(dir, '.fixturegen', 'state', 'digests.json');
    const stored = JSON.parse(readFileSync(digests, 'utf8')) as {
      value: Record<string, [string, string]>;
    };
    const scenario = join(dir, 'scenarios/tenant_with_team.yaml');
    expect(stored.value[`scenario:${scenario}`]?.[1]).toBe(
      createHash('sha256').update(readFileSync(scenario, 'utf8')).digest('hex'),
    );
    expectRemembered(dir);
    // The digests are what the check hashes with: a wrong one makes it do its full work.
    const saved = readFileSync(digests);
    stored.value[`scenario:${scenario}`]![1] = '0'.repeat(64);
    writeFileSync(digests, JSON.stringify(stored));
    expect(parsedOrRendered(run(dir, ['check']))).toContain('yaml');
    writeFileSync(digests, saved);
    expectRemembered(dir);
    // The same number of bytes, and the modification time put back (`touch -r`): a new
    // status-change time, so the file is read again and the edit is seen.
    const reference = join(dir, 'times');
    writeFileSync(reference, '');
    expect(spawnSync('touch', ['-r', scenario, reference]).status).toBe(0);
    const undo = edit(scenario, (t) => t.replace('Acme Corp', 'Acme Inco'));
    expect(spawnSync('touch', ['-r', reference, scenario]).status).toBe(0);
    try {
      const r = checkJson(dir);
      expect(r.status).toBe(1);
      expect(r.findings.find((f) => f.file === 'generated/tenant_with_team.py')?.kind).toBe(
        'stale',
      );
    } finally {
      undo();
    }
  });
});

describe("check with remembered state, when fixturegen's templates or version change", () => {
  let pkg: string;
  let cli: string;
  let dir: string;

  beforeAll(() => {
    // A copy of this package, so that its templates and version can change.
    pkg = mkdtempSync(join(tmpdir(), 'fixturegen-pkg-'));
    for (const name of ['bin', 'dist', 'templates', 'schemas', 'python', 'package.json']) {
      cpSync(join(REPO, name), join(pkg, name), {
        recursive: true,
        filter: (src) => !src.includes('__pycache__'),
      });
    }
    symlinkSync(join(REPO, 'node_modules'), join(pkg, 'node_modules'));
    cli = join(pkg, 'bin', 'fixturegen.js');
    dir = sampleProject('fixturegen-check-cache-pkg-');
    expect(run(dir, ['build', '--verify', 'none'], {}, cli).status).toBe(0);
  });

  it('a changed builtin template makes the files stale', () => {
    warm(dir, {}, cli);
    const template = readdirSync(join(pkg, 'templates', 'builtin')).find((n) =>
      n.endsWith('.hbs'),
    )!;
    edit(join(pkg, 'templates', 'builtin', template), (t) => `${t}\n`);
    const r = checkJson(dir, {}, cli);
    expect(r.status).toBe(1);
    expect(r.findings.find((f) => f.file === 'generated/tenant_with_team.py')?.message).toMatch(
      /the builtin templates changed/,
    );
    expect(run(dir, ['build', '--verify', 'none'], {}, cli).status).toBe(0);
  });

  it('a new version makes the files stale', () => {
    warm(dir, {}, cli);
    edit(join(pkg, 'package.json'), (t) => t.replace(/"version": "[^"]+"/, '"version": "99.0.0"'));
    const r = checkJson(dir, {}, cli);
    expect(r.status).toBe(1);
    expect(r.findings.find((f) => f.file === 'generated/tenant_with_team.py')?.message).toMatch(
      /fixturegen's version changed \(.* → 99\.0\.0\)/,
    );
  });
});

describe('validate with remembered state', () => {
  let dir: string;

  beforeAll(() => {
    dir = sampleProject('fixturegen-validate-cache-');
    mkdirSync(join(dir, 'generated'), { recursive: true });
  });

  it('answers the same from the state, errors included, and follows every edit', () => {
    const undo = edit(join(dir, 'scenarios/tenant_with_team.yaml'), (t) =>
      t.replace('model: Tenant', 'model: Tennant'),
    );
    try {
      const full = run(dir, ['validate']);
      expect(full.status).toBe(1);
      expect(full.stderr).toMatch(/tenant_with_team\.yaml:\d+:\d+: FG\d+ .*Tennant/);
      expect(parsedOrRendered(full)).toContain('yaml');
      const remembered = run(dir, ['validate']);
      expect(parsedOrRendered(remembered)).toEqual([]);
      expect(remembered.packages).not.toContain('zod');
      expect([remembered.status, remembered.stdout, remembered.stderr]).toEqual([
        full.status,
        full.stdout,
        full.stderr,
      ]);
      const json = run(dir, ['validate', '--json']);
      expect(JSON.parse(json.stdout)).toEqual(JSON.parse(run(dir, ['validate', '--json']).stdout));
    } finally {
      undo();
    }
    const fixed = run(dir, ['validate']);
    expect(fixed.status).toBe(0);
    expect(fixed.stdout).toMatch(/2 valid, 0 with errors/);
    expect(parsedOrRendered(run(dir, ['validate']))).toEqual([]);
  });

  it('a changed model the scenarios use is seen, with the state present', () => {
    expect(run(dir, ['validate']).status).toBe(0);
    expect(parsedOrRendered(run(dir, ['validate']))).toEqual([]);
    const undo = edit(join(dir, 'crm/models.py'), (t) =>
      t.replace('    plan: Mapped[Plan]', '    tier: Mapped[Plan]'),
    );
    try {
      const r = run(dir, ['validate']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/tenant_with_team\.yaml:\d+:\d+: FG\d+ .*plan/);
    } finally {
      undo();
    }
    expect(run(dir, ['validate']).status).toBe(0);
  });
});

/** Rewrites a file; returns how to put it back. */
function edit(path: string, change: (text: string) => string): () => void {
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
  return () => writeFileSync(path, before);
}

function remove(path: string): () => void {
  const before = readFileSync(path);
  rmSync(path);
  return () => {
    if (!existsSync(path)) writeFileSync(path, before);
  };
}
