import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../support/project.js';
import { buildBaseline, copyProject, fenced, llmServer, runCli, useLlm } from './helpers.js';
import type { Baseline } from './helpers.js';

let base: Baseline;

beforeAll(() => {
  base = buildBaseline();
});

describe('value parity on a module the model wrote', () => {
  it('one wrong literal fails the module, and the message names it', async () => {
    const good = base.bodies.tenant_with_team;
    const wrong = good.replace('name="Acme Corp"', 'name="Acme Inc"');
    expect(wrong).not.toBe(good);
    const server = await llmServer(() => ({ content: fenced(wrong) }));
    const dir = copyProject(base);
    useLlm(dir, server.url, { maxRepairs: 0 });
    const before = snapshot(join(dir, 'generated'));
    const r = await runCli(dir, ['build', '--force', 'tenant_with_team'], {}, 120_000);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FG311');
    expect(r.stderr).toContain("acme.name is 'Acme Inc', expected 'Acme Corp'");
    expect(snapshot(join(dir, 'generated'))).toEqual(before);
  }, 240_000);

  it('the repair gets the exact mismatch, and the corrected module is accepted', async () => {
    const good = base.bodies.tenant_with_team;
    const wrong = good.replace('f"perm.{i}"', 'f"perm-{i}"');
    expect(wrong).not.toBe(good);
    const server = await llmServer((_scenario, round) => ({
      content: fenced(round === 1 ? wrong : good),
    }));
    const dir = copyProject(base);
    useLlm(dir, server.url, { maxRepairs: 1 });
    const r = await runCli(dir, ['build', '--force', 'tenant_with_team'], {}, 120_000);
    expect(r.status).toBe(0);
    expect(server.requests).toHaveLength(2);
    const repair = server.requests[1]!.body.messages.at(-1)!.content;
    expect(repair).toContain("grants[0].permission is 'perm-0', expected 'perm.0'");
    expect(repair).toContain('... grants.permission is wrong for 7 more instance(s)');
  }, 240_000);
});
