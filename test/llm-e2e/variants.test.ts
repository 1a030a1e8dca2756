import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readHeader } from '../../src/output/header.js';
import { VENV_ENV, snapshot } from '../support/project.js';
import { REPO, fixturegen } from '../support/python.js';
import { fenced, llmServer, requestsFor, runCli } from './helpers.js';

/**
 * The LLM generator on scenarios with variants (test/cases/variants): the scripted model's answers
 * are the builtin modules, whole or broken in one way, and the real pipeline guards and verifies
 * them (the smoke test on SQLite, each variant's fixture and the factory call for each).
 */

const PROJECT = join(REPO, 'test', 'cases', 'variants', 'project');
const NAMES = ['tenant_with_team', 'with_teams'] as const;
type Name = (typeof NAMES)[number];

let baseDir: string;
let bodies: Record<Name, string>;

function copy(from: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fixturegen-llmvar-'));
  cpSync(from, dir, { recursive: true, filter: (src) => !src.includes('__pycache__') });
  return dir;
}

beforeAll(() => {
  baseDir = copy(PROJECT);
  writeFileSync(join(baseDir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
  const r = fixturegen(baseDir, ['build'], VENV_ENV);
  if (r.status !== 0) throw new Error(`builtin build failed:\n${r.stdout}\n${r.stderr}`);
  bodies = {} as Record<Name, string>;
  for (const name of NAMES) {
    const parsed = readHeader(readFileSync(join(baseDir, 'generated', `${name}.py`), 'utf8'));
    if (!parsed) throw new Error(`no header in generated/${name}.py`);
    bodies[name] = parsed.body;
  }
}, 240_000);

function useLlm(dir: string, baseUrl: string, maxRepairs: number): void {
  writeFileSync(
    join(dir, 'fixturegen.yaml'),
    [
      'models: crm.models',
      'scenarios: scenarios',
      'output: generated',
      'database_url: "sqlite+pysqlite:///:memory:"',
      'generator: llm',
      'verify: run',
      'verify_timeout_s: 60',
      'llm:',
      `  base_url: ${baseUrl}`,
      '  model: test-model',
      `  max_repairs: ${maxRepairs}`,
      '  timeout_s: 60',
      '',
    ].join('\n'),
  );
}

/** The text between `def <from>(` and `def <to>(` (or the decorator before it) cut out. */
function without(body: string, start: string, end: string): string {
  const a = body.indexOf(start);
  const b = body.indexOf(end, a + start.length);
  expect(a).toBeGreaterThan(0);
  expect(b).toBeGreaterThan(a);
  return body.slice(0, a) + body.slice(b);
}

/** The variant `big_team`'s create function, with `edit` applied to it alone. */
function inBigTeam(body: string, edit: (fn: string) => string): string {
  const a = body.indexOf('def create_tenant_with_team__big_team(');
  const b = body.indexOf('def create_tenant_with_team__no_grants(');
  const fn = body.slice(a, b);
  const changed = edit(fn);
  expect(changed).not.toBe(fn);
  return body.slice(0, a) + changed + body.slice(b);
}

describe('variants written by the model', () => {
  it('a module with every variant, the factory and overrides is verified, written and used by pytest', async () => {
    const server = await llmServer((scenario) => ({ content: fenced(bodies[scenario as Name]) }));
    const dir = copy(baseDir);
    useLlm(dir, server.url, 0);
    const r = await runCli(dir, ['build', '--force'], {}, 180_000);
    expect(r.stderr).not.toMatch(/FG\d{3}|error/i);
    expect(r.status).toBe(0);
    for (const name of NAMES) {
      const parsed = readHeader(readFileSync(join(dir, 'generated', `${name}.py`), 'utf8'))!;
      expect(parsed.header.generator).toBe('llm');
      expect(parsed.body).toBe(bodies[name]);
    }
    // The prompt lists each variant's changes and the exact scaffolding.
    const user = requestsFor(server, 'tenant_with_team')[0]!.body.messages[1]!.content;
    expect(user).toContain('# Variants');
    expect(user).toContain('    users.is_active = False  (base: not set)');
    expect(user).toContain('    grants.role = roles[i % 2]  (base: roles[i // 3])');
    expect(user).toContain('    grants: not created; the dataclass gets `grants=[]`');
    expect(user).toContain(
      '    check_scenario_call(TenantWithTeam, "tenant_with_team", variant, {"inactive_users": (), "big_team": (), "no_grants": ("grants",)}, overrides)',
    );
    expect(user).toContain('def make_tenant_with_team(db_session):');
    const child = requestsFor(server, 'with_teams')[0]!.body.messages[1]!.content;
    expect(child).toContain(
      'def create_with_teams__unfunded(session, tenant_with_team: TenantWithTeam | None = None, overrides: dict | None = None) -> WithTeams:',
    );
    expect(child).toContain(
      'from generated import apply_overrides, check_scenario_call, parent_overrides, scenario_factory',
    );
    // The project's own tests, which use the variants' fixtures and make_<name> with overrides.
    const pytest = spawnSync(
      join(REPO, '.venv', 'bin', 'python'),
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(pytest.stdout).toMatch(/\d+ passed/);
    expect(pytest.status).toBe(0);
  }, 300_000);

  it('a missing variant (FG414), then ignored overrides (FG415), go back to the model; the third answer is accepted', async () => {
    const good = bodies.tenant_with_team;
    let missing = without(
      good,
      'def create_tenant_with_team__big_team(',
      'def create_tenant_with_team__no_grants(',
    );
    missing = without(
      missing,
      '@pytest.fixture\ndef tenant_with_team__big_team(',
      '@pytest.fixture\ndef tenant_with_team__no_grants(',
    );
    missing = missing.replace(
      '    if variant == "big_team":\n        return create_tenant_with_team__big_team(session, overrides=overrides)\n',
      '',
    );
    const ignoring = inBigTeam(good, (fn) =>
      fn.replace(/ {4}apply_overrides\(overrides, "\w+", \w+\)\n/g, ''),
    );
    const server = await llmServer((_scenario, round) => ({
      content: fenced(round === 1 ? missing : round === 2 ? ignoring : good),
    }));
    const dir = copy(baseDir);
    useLlm(dir, server.url, 2);
    const r = await runCli(dir, ['build', '--force', 'tenant_with_team', '--json'], {}, 240_000);
    expect(r.status).toBe(0);
    const requests = requestsFor(server, 'tenant_with_team');
    expect(requests).toHaveLength(3);
    const first = requests[1]!.body.messages.at(-1)!.content;
    expect(first).toContain(
      'FG414 at line 22, column 1: variant "big_team": the module must define `def create_tenant_with_team__big_team(session, overrides=None)`',
    );
    expect(first).toContain('  line 22: def create_tenant_with_team(');
    expect(first).toContain(
      'variant "big_team": the module must define the fixture `def tenant_with_team__big_team(db_session)` returning `create_tenant_with_team(db_session, variant="big_team")`',
    );
    const second = requests[2]!.body.messages.at(-1)!.content;
    expect(second).toContain('FG415');
    expect(second).toContain(
      "the scenario's factory failed: test_fixturegen_scenario[tenant_with_team__big_team] (factory call):",
    );
    expect(second).toContain(
      'the overrides of "users" never reached apply_overrides: create_tenant_with_team__big_team must call apply_overrides(overrides, "users", users)',
    );
    expect(second).not.toContain('test_fixturegen_scenario[tenant_with_team__inactive_users]');
    const json = JSON.parse(r.stdout) as {
      scenarios: { name: string; llm: { rounds: number; result: string; lastErrors: string[] } }[];
    };
    const tw = json.scenarios.find((s) => s.name === 'tenant_with_team')!;
    expect(tw.llm).toMatchObject({ rounds: 3, result: 'accepted', lastErrors: ['FG415'] });
    const parsed = readHeader(readFileSync(join(dir, 'generated', 'tenant_with_team.py'), 'utf8'))!;
    expect(parsed.body).toBe(good);
  }, 300_000);

  it('a wrong value in one variant is refused with the value, and nothing is written', async () => {
    const wrong = bodies.tenant_with_team.replace(
      'full_name=f"Former {i + 1}"',
      'full_name=f"Ex {i + 1}"',
    );
    expect(wrong).not.toBe(bodies.tenant_with_team);
    const server = await llmServer(() => ({ content: fenced(wrong) }));
    const dir = copy(baseDir);
    useLlm(dir, server.url, 0);
    const before = snapshot(join(dir, 'generated'));
    const r = await runCli(dir, ['build', '--force', 'tenant_with_team'], {}, 180_000);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FG311');
    expect(r.stderr).toContain('test_fixturegen_scenario[tenant_with_team__inactive_users]');
    expect(r.stderr).toContain("users[0].full_name is 'Ex 1', expected 'Former 1'");
    expect(snapshot(join(dir, 'generated'))).toEqual(before);
  }, 240_000);

  it('a module that does not dispatch a variant or check its call is refused with FG415 saying so', async () => {
    const good = bodies.tenant_with_team;
    const broken = good
      .replace(
        '    if variant == "big_team":\n        return create_tenant_with_team__big_team(session, overrides=overrides)\n',
        '',
      )
      .replace(/ {4}check_scenario_call\([\s\S]*?\n {4}\)\n/, '');
    expect(broken).not.toContain('check_scenario_call(\n');
    const server = await llmServer(() => ({ content: fenced(broken) }));
    const dir = copy(baseDir);
    useLlm(dir, server.url, 0);
    const r = await runCli(dir, ['build', '--force', 'tenant_with_team'], {}, 180_000);
    expect(r.status).toBe(1);
    // Both checks of the variant's smoke test failed: each is reported, the call's as FG415.
    expect(r.stderr).toContain(
      'FG415 the scenario\'s factory failed: test_fixturegen_scenario[tenant_with_team__big_team] (factory call): make_tenant_with_team("big_team") with an override for every label did not do what the contract says:\n- variant "big_team": make_tenant_with_team("big_team") never called create_tenant_with_team__big_team',
    );
    expect(r.stderr).toContain(
      'make_tenant_with_team("fixturegen_no_such_variant") did not raise LookupError: it went on to create rows, which the database refused (IntegrityError); create_tenant_with_team must begin with check_scenario_call(...)',
    );
    // The variant's fixture returned the base's rows: its own smoke test says so, once.
    expect(r.stderr).toContain(
      'test_fixturegen_scenario[tenant_with_team__big_team]: fixture tenant_with_team__big_team did not create what its scenario says:\n- users has 3 items, expected 5 crm.models.User',
    );
    expect(r.stderr.match(/users has 3 items, expected 5/g)).toHaveLength(1);
  }, 240_000);
});
