import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { personaAnswer, PROSE } from '../support/personas.js';
import type { Persona } from '../support/personas.js';
import { besidesFindings, snapshot } from '../support/project.js';
import { llmServer, runCli, useLlm } from '../llm-e2e/helpers.js';
import {
  DESCRIBED,
  GOOD_YAML,
  HALLUCINATED_YAML,
  SENTENCE,
  describedProject,
  yamlAnswer,
} from './helpers.js';

const ANSWERS = { good: yamlAnswer(GOOD_YAML), hallucinated: yamlAnswer(HALLUCINATED_YAML) };

async function project(persona: Persona, maxRepairs = 2) {
  const server = await llmServer(() => ({ content: '' }));
  server.script((req) => personaAnswer(persona, ANSWERS, req));
  const dir = describedProject();
  useLlm(dir, server.url, { maxRepairs });
  return { server, dir, file: join(dir, 'scenarios', 'team_grants.yaml') };
}

describe('fixturegen draft', () => {
  it('turns the sentence into a scenario that builds and verifies, keeping the comments', async () => {
    const { server, dir, file } = await project('always-right');
    const r = await runCli(dir, ['draft'], {}, 120_000);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const text = readFileSync(file, 'utf8');
    // The file's own text is kept byte for byte; the entities follow it.
    expect(text.startsWith(DESCRIBED)).toBe(true);
    expect(text).toContain('  grants:\n    model: PermissionGrant\n    count: 10\n');
    expect(text).toContain(
      'expect:\n  counts: { Tenant: 1, User: 3, Role: 2, PermissionGrant: 10 }',
    );
    // The diff is printed.
    expect(r.stdout).toContain('--- a/scenarios/team_grants.yaml');
    expect(r.stdout).toContain('+++ b/scenarios/team_grants.yaml');
    expect(r.stdout).toMatch(/^\+entities:$/m);
    expect(r.stdout).toMatch(/✓ drafted\s+scenarios\/team_grants\.yaml \(1 round\)/);

    // What the model was told: the language, the sentence, the models it names.
    expect(server.requests).toHaveLength(1);
    const [system, user] = server.requests[0]!.body.messages;
    expect(system!.content).toContain('# The scenario language');
    expect(user!.content).toContain(SENTENCE);
    expect(user!.content).toContain('class PermissionGrant');
    expect(user!.content).toContain('class Tenant');

    // The result is an ordinary scenario: it builds with the builtin generator, offline.
    await server.close();
    const build = await runCli(dir, ['build', '--generator', 'builtin'], {}, 120_000);
    expect(besidesFindings(build.stderr)).toEqual([]);
    expect(build.status).toBe(0);
    expect(build.stdout).toMatch(/✓ built\s+team_grants/);
    const check = await runCli(dir, ['check', '--generator', 'builtin']);
    expect(check.status).toBe(0);
  }, 240_000);

  it('repairs an answer with an unknown attribute using the diagnostic', async () => {
    const { server, dir, file } = await project('wrong-then-repaired');
    const r = await runCli(dir, ['draft', 'team_grants'], {}, 120_000);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/✓ drafted\s+scenarios\/team_grants\.yaml \(2 rounds\)/);
    expect(server.requests).toHaveLength(2);
    const repair = server.requests[1]!.body.messages.at(-1)!.content;
    expect(repair).toContain('FG203');
    expect(repair).toContain('Tenant has no attribute "nmae"');
    expect(repair).toContain('did you mean "name"?');
    // The offending line of the merged file is quoted.
    expect(repair).toMatch(/line \d+: values: \{ nmae: Grants Inc/);
    expect(readFileSync(file, 'utf8')).toContain('{ name: Grants Inc, plan: pro');
  }, 240_000);

  it('changes nothing when the repairs run out', async () => {
    const { server, dir } = await project('hallucinates', 1);
    const before = snapshot(dir);
    const r = await runCli(dir, ['draft'], {}, 120_000);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FG314');
    expect(r.stderr).toContain(
      'the drafted scenario still fails after 2 rounds (1 repair allowed)',
    );
    expect(r.stderr).toContain('Tenant has no attribute "nmae"');
    expect(r.stdout).toMatch(/✗ failed\s+scenarios\/team_grants\.yaml/);
    expect(server.requests).toHaveLength(2);
    expect(snapshot(dir)).toEqual(before);
  }, 240_000);

  it('an answer in prose is FG313, and nothing changes', async () => {
    const { dir } = await project('prose', 0);
    const before = snapshot(dir);
    const r = await runCli(dir, ['draft'], {}, 120_000);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FG313');
    expect(r.stderr).toContain(JSON.stringify(PROSE.slice(0, 40)).slice(0, 30));
    expect(snapshot(dir)).toEqual(before);
  }, 240_000);

  it('--dry-run prints the diff and writes nothing', async () => {
    const { dir } = await project('always-right');
    const before = snapshot(dir);
    const r = await runCli(dir, ['draft', 'scenarios/team_grants.yaml', '--dry-run'], {}, 120_000);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\+ {2}grants:$/m);
    expect(r.stdout).toContain('would be drafted (dry run: nothing written)');
    expect(snapshot(dir)).toEqual(before);
  }, 240_000);

  it('a scenario that has entities is not drafted (FG315)', async () => {
    const { server, dir } = await project('always-right');
    const r = await runCli(dir, ['draft', 'tenant_with_team']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FG315');
    expect(r.stderr).toContain('already has entities');
    expect(server.requests).toHaveLength(0);
  }, 240_000);
});

describe('build and check on a description-only scenario', () => {
  it('report FG250 with the draft command and write no fixture', async () => {
    const dir = describedProject();
    const build = await runCli(dir, ['build'], {}, 120_000);
    expect(build.status).toBe(1);
    expect(build.stderr).toMatch(
      /scenarios\/team_grants\.yaml:3:1: FG250 scenario has a description but no entities/,
    );
    expect(build.stderr).toContain('run `fixturegen draft scenarios/team_grants.yaml`');
    expect(() => readFileSync(join(dir, 'generated', 'team_grants.py'))).toThrow();
    expect(build.stdout).toMatch(/✓ built\s+tenant_with_team/); // the others still build
    const check = await runCli(dir, ['check']);
    expect(check.status).toBe(1);
    expect(check.stderr + check.stdout).toContain('FG250');
  }, 240_000);
});
