import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readHeader, sha256 } from '../../src/output/header.js';
import { VENV_ENV, snapshot } from '../support/project.js';
import { fixturegen } from '../support/python.js';
import {
  SCENARIOS,
  buildBaseline,
  copyProject,
  fenced,
  llmServer,
  requestsFor,
  runCli,
  useLlm,
} from './helpers.js';
import type { Baseline } from './helpers.js';

let base: Baseline;

beforeAll(() => {
  base = buildBaseline();
});

const good = (scenario: string): string => fenced(base.bodies[scenario as 'team_budget']);

describe('good answers', () => {
  it('are verified and written; a rebuild sends nothing; --force is answered by the cache', async () => {
    const server = await llmServer((scenario) => ({
      content: good(scenario),
      usage: { prompt_tokens: 2000, completion_tokens: 400 },
    }));
    const dir = copyProject(base);
    useLlm(dir, server.url, { concurrency: 1 });

    const r = await runCli(dir, ['build']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/✓ built\s+tenant_with_team/);
    expect(r.stdout).toMatch(/✓ built\s+team_budget/);
    // The report table: rounds, requests, tokens from usage, latency, result.
    expect(r.stdout).toMatch(/scenario\s+rounds\s+requests\s+prompt tok\s+completion tok/);
    expect(r.stdout).toMatch(/tenant_with_team\s+1\s+1\s+2000\s+400\s+[\d.]+ s\s+accepted/);
    expect(server.requests).toHaveLength(2);
    expect(server.maxInFlight).toBe(1); // llm.concurrency: 1
    for (const name of SCENARIOS) {
      const text = readFileSync(join(dir, 'generated', `${name}.py`), 'utf8');
      const parsed = readHeader(text)!;
      expect(parsed.header.generator).toBe('llm');
      expect(parsed.body).toBe(base.bodies[name]);
      expect(parsed.header.body).toBe(sha256(parsed.body));
    }

    // The stable part of the prompt is byte-identical across scenarios (prefix caching).
    const systems = server.requests.map((q) => q.body.messages[0]);
    expect(systems[0]!.role).toBe('system');
    expect(systems[1]).toEqual(systems[0]);
    const user = server.requests.find((q) =>
      q.body.messages[1]!.content.includes('tenant_with_team'),
    )!.body.messages[1]!.content;
    expect(user).toContain('class PermissionGrant, from crm.models, table permission_grant');
    expect(user).toContain('`grants`: a list of exactly 10 PermissionGrant');
    expect(user).toContain('user = users[i % 3]');
    expect(user).toContain('A tenant with three users, two roles and ten permission grants.');
    expect(user).toContain(
      'def create_tenant_with_team(session, variant: str | None = None, overrides: dict | None = None) -> TenantWithTeam:',
    );

    const files = snapshot(join(dir, 'generated'));
    const again = await runCli(dir, ['build']);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/up to date\s+tenant_with_team/);
    expect(server.requests).toHaveLength(2); // zero new requests

    const forced = await runCli(dir, ['build', '--force', '--json']);
    expect(forced.status).toBe(0);
    expect(server.requests).toHaveLength(2); // the answer cache answered
    expect(snapshot(join(dir, 'generated'))).toEqual(files);
    const json = JSON.parse(forced.stdout) as {
      scenarios: { name: string; notes: string[]; llm: Record<string, unknown> }[];
    };
    const tw = json.scenarios.find((s) => s.name === 'tenant_with_team')!;
    expect(tw.llm).toMatchObject({ rounds: 0, requests: 0, result: 'cached', promptTokens: 2000 });
    expect(tw.notes).toContain('llm: answer from the cache');

    const check = await runCli(dir, ['check']);
    expect(check.status).toBe(0);
  });
});

describe('repair', () => {
  it('a hallucinated keyword is sent back with the guard error and fixed in round 2', async () => {
    const bad = base.bodies.tenant_with_team.replace('permission=', 'permision=');
    expect(bad).not.toBe(base.bodies.tenant_with_team);
    const server = await llmServer((scenario, round) => ({
      content: scenario === 'tenant_with_team' && round === 1 ? fenced(bad) : good(scenario),
    }));
    const dir = copyProject(base);
    useLlm(dir, server.url);

    const r = await runCli(dir, ['build', 'tenant_with_team', '--json']);
    expect(r.status).toBe(0);
    const requests = requestsFor(server, 'tenant_with_team');
    expect(requests).toHaveLength(2);
    const messages = requests[1]!.body.messages as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[2]!.content).toContain('permision=');
    expect(messages[3]!.content).toContain('FG404');
    expect(messages[3]!.content).toContain("PermissionGrant() has no mapped attribute 'permision'");
    expect(messages[3]!.content).toContain('hint: did you mean "permission"?');
    expect(messages[3]!.content).toMatch(/line \d+: permision=f"perm\.\{i\}",/);
    // The first two messages are exactly the first request's: one conversation.
    expect(messages.slice(0, 2)).toEqual(requests[0]!.body.messages);

    const json = JSON.parse(r.stdout) as {
      scenarios: { name: string; notes: string[]; llm: Record<string, unknown> }[];
    };
    const tw = json.scenarios.find((s) => s.name === 'tenant_with_team')!;
    expect(tw.llm).toMatchObject({
      rounds: 2,
      requests: 2,
      result: 'accepted',
      lastErrors: ['FG404'],
    });
    expect(tw.notes.join(' ')).toContain('repaired in round 2 of 3 (after FG404)');
    const written = readHeader(readFileSync(join(dir, 'generated/tenant_with_team.py'), 'utf8'))!;
    expect(written.body).toBe(base.bodies.tenant_with_team);
  });

  it('a wrong row count is sent back with the smoke test failure and fixed in round 2', async () => {
    const bad = base.bodies.tenant_with_team.replace('for i in range(10)', 'for i in range(9)');
    expect(bad).not.toBe(base.bodies.tenant_with_team);
    const server = await llmServer((scenario, round) => ({
      content: scenario === 'tenant_with_team' && round === 1 ? fenced(bad) : good(scenario),
    }));
    const dir = copyProject(base);
    useLlm(dir, server.url);

    const r = await runCli(dir, ['build', 'tenant_with_team']);
    expect(r.status).toBe(0);
    // Plain progress lines on stderr when not a terminal.
    expect(r.stderr).toMatch(/tenant_with_team: sending \(round 1\)/);
    expect(r.stderr).toMatch(/tenant_with_team: verifying \(round 1\)/);
    expect(r.stderr).toMatch(/tenant_with_team: repair 1 of 2/);
    expect(r.stderr).toMatch(/tenant_with_team: sending \(round 2\)/);
    const requests = requestsFor(server, 'tenant_with_team');
    expect(requests).toHaveLength(2);
    const repair = requests[1]!.body.messages[3]!.content;
    expect(repair).toContain('FG411');
    expect(repair).toContain('grants has 9 items, expected 10');
    expect(repair).toContain('expected 10 crm.models.PermissionGrant rows, found 9');
    expect(r.stdout).toMatch(
      /tenant_with_team\s+2\s+2\s+\d+\s+\d+\s+[\d.]+ s\s+accepted \(FG411\)/,
    );
  });
});

describe('an extending scenario', () => {
  it('imports its parent from the package and is verified with the parent accepted in this build', async () => {
    const dir = copyProject(base);
    writeFileSync(
      join(dir, 'scenarios/newcomer.yaml'),
      'description: One more user in the tenant of tenant_with_team.\n' +
        'extends: tenant_with_team\n' +
        'entities:\n' +
        '  newcomer: { model: User, values: { email: new@acme.test, tenant: "@acme" } }\n',
    );
    const builtin = fixturegen(dir, ['build', 'newcomer'], VENV_ENV);
    expect(builtin.status).toBe(0);
    const child = readHeader(readFileSync(join(dir, 'generated/newcomer.py'), 'utf8'))!.body;
    expect(child).toContain('from generated.tenant_with_team import');
    const server = await llmServer((scenario) => ({
      content: fenced(scenario === 'newcomer' ? child : base.bodies[scenario as 'team_budget']),
    }));
    useLlm(dir, server.url);

    const r = await runCli(dir, ['build', 'newcomer']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/✓ built\s+newcomer/);
    expect(r.stdout).toMatch(/✓ built\s+tenant_with_team/);
    const sent = requestsFor(server, 'newcomer')[0]!.body.messages[1]!.content;
    expect(sent).toContain('This scenario extends `tenant_with_team`');
    expect(sent).toContain(
      'def create_newcomer(session, tenant_with_team: TenantWithTeam | None = None, variant: str | None = None, overrides: dict | None = None) -> Newcomer:',
    );
    expect(sent).toMatch(/`acme`: one Tenant \(crm\.models\.Tenant\), inherited/);
  });
});

describe('--fallback builtin', () => {
  it('writes the builtin output when every answer fails, and says so', async () => {
    const server = await llmServer(() => ({ content: 'I cannot help with that.' }));
    const dir = copyProject(base);
    useLlm(dir, server.url, { maxRepairs: 1 });

    const failed = await runCli(dir, ['build', 'team_budget']);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('FG310');
    expect(failed.stderr).toContain('"I cannot help with that."');

    const r = await runCli(dir, ['build', 'team_budget', '--fallback', 'builtin']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('wrote the builtin output instead (--fallback builtin)');
    expect(r.stdout).toMatch(/team_budget\s+2\s+2\s.*fallback \(FG310\)/);
    const written = readHeader(readFileSync(join(dir, 'generated/team_budget.py'), 'utf8'))!;
    expect(written.body).toBe(base.bodies.team_budget);

    const usage = await runCli(dir, ['build', '--fallback', 'nothing']);
    expect(usage.status).toBe(2);
  });
});

describe('fixturegen prompt', () => {
  it('prints the messages and their estimated size, and sends nothing', async () => {
    const server = await llmServer(() => ({ content: 'unused' }));
    const dir = copyProject(base);
    useLlm(dir, server.url);

    const r = await runCli(dir, ['prompt', 'tenant_with_team']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^──── system \(\d+ characters\) ────\n/);
    expect(r.stdout).toContain('──── user (');
    expect(r.stdout).toContain('# Scenario `tenant_with_team` (scenarios/tenant_with_team.yaml)');
    expect(r.stderr).toMatch(
      /tenant_with_team: 2 messages to test-model, \d+ characters, about \d+ tokens \(an estimate at 3\.5 characters per token/,
    );

    const j = await runCli(dir, ['prompt', 'scenarios/team_budget.yaml', '--json']);
    expect(j.status).toBe(0);
    const out = JSON.parse(j.stdout) as {
      messages: { role: string; content: string }[];
      characters: number;
      estimatedTokens: number;
      tokensAreEstimated: boolean;
    };
    expect(out.messages.map((m) => m.role)).toEqual(['system', 'user']);
    const chars = out.messages.reduce((n, m) => n + m.content.length, 0);
    expect(out.characters).toBe(chars);
    expect(out.estimatedTokens).toBe(Math.ceil(chars / 3.5));
    expect(out.tokensAreEstimated).toBe(true);
    // team_budget extends nothing but its user message names its own signatures.
    expect(out.messages[1]!.content).toContain('def team_budget(db_session) -> TeamBudget:');

    const unknown = await runCli(dir, ['prompt', 'nope']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(
      'no scenario named "nope"; scenarios: team_budget, tenant_with_team',
    );
    expect(server.requests).toHaveLength(0);
  });
});
