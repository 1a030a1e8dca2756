import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer } from '../support/openai-server.js';
import { snapshot } from '../support/project.js';
import { buildBaseline, copyProject, fenced, llmServer, runCli, useLlm } from './helpers.js';
import type { Baseline } from './helpers.js';

/**
 * Every fault and every malicious answer ends with no file written or changed (the builtin
 * output from the baseline stays byte for byte), a clear message, and exit 1 (the scenario
 * failed) or 3 (the server is unusable).
 */
let base: Baseline;
let before: Record<string, string>;

beforeAll(() => {
  base = buildBaseline();
  before = snapshot(join(base.dir, 'generated'));
});

/** Where a malicious answer would leave a trace if it ever ran. */
const marker = join(mkdtempSync(join(tmpdir(), 'fixturegen-marker-')), 'ran');

const withModule = (extra: string): string =>
  base.bodies.tenant_with_team.replace('import pytest\n', `import pytest\n${extra}\n`);

const MALICIOUS: { name: string; code: () => string; expect: RegExp[] }[] = [
  {
    name: 'a syntax error',
    code: () =>
      base.bodies.tenant_with_team.replace(
        'def create_tenant_with_team(',
        'def create_tenant_with_team((',
      ),
    expect: [/FG401/, /syntax error/],
  },
  {
    name: '`import os`',
    code: () => withModule(`import os\nos.system("touch ${marker}")`),
    expect: [/FG402/, /`import os` is not allowed/],
  },
  {
    name: '`open(...)`',
    code: () => withModule(`open(${JSON.stringify(marker)}, "w").write("x")`),
    expect: [/FG408/, /this top-level statement is not allowed/],
  },
  {
    name: '`sys.exit`',
    code: () => withModule('import sys\nsys.exit(0)'),
    expect: [/FG402/, /`import sys` is not allowed/],
  },
];

describe('malicious or broken answers: the guard stops them before anything runs', () => {
  it.each(MALICIOUS)(
    '$name: exit 1, the message says why, nothing written, nothing ran',
    async (c) => {
      const server = await llmServer(() => ({ content: fenced(c.code()) }));
      const dir = copyProject(base);
      useLlm(dir, server.url, { maxRepairs: 0 });

      const r = await runCli(dir, ['build', 'tenant_with_team']);
      expect(r.status).toBe(1);
      for (const re of c.expect) expect(r.stderr).toMatch(re);
      expect(r.stderr).toContain('FG311');
      expect(r.stderr).toContain(
        "the model's module still fails after 1 round (0 repairs allowed)",
      );
      expect(r.stdout).toMatch(/✗ failed\s+tenant_with_team/);
      expect(snapshot(join(dir, 'generated'))).toEqual(before);
      expect(existsSync(marker)).toBe(false);
      expect(server.requests).toHaveLength(1);
    },
  );
});

describe('answers that fail later', () => {
  it('prose only, in every round: FG310 quoting the answer, after 1 + max_repairs rounds', async () => {
    const server = await llmServer(() => ({
      content: 'Sure! First, create a tenant, then add users.',
    }));
    const dir = copyProject(base);
    useLlm(dir, server.url, { maxRepairs: 1 });

    const r = await runCli(dir, ['build', 'tenant_with_team']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FG310');
    expect(r.stderr).toContain('no Python code block');
    expect(r.stderr).toContain('"Sure! First, create a tenant, then add users."');
    expect(r.stderr).toContain('(after 2 rounds)');
    expect(server.requests).toHaveLength(2);
    // The second request told the model what was wrong with the first.
    expect(server.requests[1]!.body.messages[3]!.content).toContain('no Python code block');
    expect(snapshot(join(dir, 'generated'))).toEqual(before);
  });

  it('an endless loop in the fixture is killed by the verify timeout (FG412)', async () => {
    // Inside the guard's subset (a loop over range), so only the time limit can stop it.
    const endless = base.bodies.tenant_with_team.replace(
      '    session.flush()\n',
      '    for k in range(10**18):\n        pass\n    session.flush()\n',
    );
    const server = await llmServer(() => ({ content: fenced(endless) }));
    const dir = copyProject(base);
    useLlm(dir, server.url, { maxRepairs: 0, verifyTimeoutS: 1 });

    const r = await runCli(dir, ['build', 'tenant_with_team']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FG412');
    expect(r.stderr).toContain('verification timed out after 1 s and was killed');
    expect(r.ms).toBeLessThan(30_000);
    expect(snapshot(join(dir, 'generated'))).toEqual(before);
  });
});

describe('an unusable server: exit 3', () => {
  it('connection refused (after the retries), nothing written', async () => {
    const closed = await startOpenAiServer();
    const url = closed.url;
    await closed.close();
    const dir = copyProject(base);
    useLlm(dir, url);

    const r = await runCli(dir, ['build']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /the model server at http:\/\/127\.0\.0\.1:\d+\/v1 is unusable after 4 attempts: cannot connect/,
    );
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(r.stderr).toContain('hint: start the model server, or fix llm.base_url');
    expect(snapshot(join(dir, 'generated'))).toEqual(before);
  });

  it('HTTP 500 until the retries run out, honouring Retry-After between them', async () => {
    const server = await llmServer(() => ({
      fault: { status: 500, retryAfter: 0.3, message: 'CUDA out of memory' },
    }));
    const dir = copyProject(base);
    useLlm(dir, server.url, { concurrency: 1 });

    const r = await runCli(dir, ['build', 'tenant_with_team']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/unusable after 4 attempts: HTTP 500 CUDA out of memory/);
    expect(server.requests).toHaveLength(4); // one try and three retries, then the build stops
    const times = server.requests.map((q) => q.receivedAt);
    for (let k = 1; k < times.length; k += 1)
      expect(times[k]! - times[k - 1]!).toBeGreaterThanOrEqual(290);
    expect(snapshot(join(dir, 'generated'))).toEqual(before);
  });

  it('stops the other scenarios too: one unusable server is one exit 3, not a failure per scenario', async () => {
    const server = await llmServer(() => ({ fault: { status: 503, retryAfter: 0.1 } }));
    const dir = copyProject(base);
    useLlm(dir, server.url, { concurrency: 1 });

    const r = await runCli(dir, ['build']);
    expect(r.status).toBe(3);
    // concurrency 1: the second scenario waited in the queue and never sent anything.
    expect(server.requests).toHaveLength(4);
    expect(snapshot(join(dir, 'generated'))).toEqual(before);
  });
});

describe('transient faults are retried', () => {
  it('429 with Retry-After, then an answer: built, and the wait was honoured', async () => {
    let calls = 0;
    const server = await llmServer(() =>
      calls++ === 0
        ? { fault: { status: 429, retryAfter: 0.5, message: 'slow down' } }
        : { content: fenced(base.bodies.tenant_with_team) },
    );
    const dir = copyProject(base);
    useLlm(dir, server.url);

    const r = await runCli(dir, ['build', 'tenant_with_team']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/tenant_with_team: retrying in 0\.5 s: HTTP 429 slow down/);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.receivedAt - server.requests[0]!.receivedAt).toBeGreaterThanOrEqual(
      490,
    );
    // One round, two HTTP requests.
    expect(r.stdout).toMatch(/tenant_with_team\s+1\s+2\s/);
  });
});
