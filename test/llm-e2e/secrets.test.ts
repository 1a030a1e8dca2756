/**
 * No secret leaves: the API key and the database password never reach the model server in a
 * repair request, stderr, `--json` stdout or the answer cache, whatever a candidate's failure
 * text or a server's error body says. The "model" writes the secrets into its answers (so its
 * failures quote them), and the scripted server echoes the Authorization header it received in
 * its error bodies.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpenAiTestServer } from '../support/openai-server.js';
import { buildBaseline, copyProject, fenced, llmServer, runCli, useLlm } from './helpers.js';
import type { Baseline } from './helpers.js';

const KEY = 'sk-fixturegen-6b1f0c2e9d7a';
const PASSWORD = 'Pw-S3cret/9x';
/** How the password is written in a URL. */
const PASSWORD_IN_URL = encodeURIComponent(PASSWORD);
const SECRETS = [KEY, PASSWORD, PASSWORD_IN_URL];

let base: Baseline;

beforeAll(() => {
  base = buildBaseline();
});

/**
 * The LLM project, with a database password in the configured URL. Verification runs on SQLite
 * (FIXTUREGEN_DATABASE_URL), so the PostgreSQL URL is only the generated code's default.
 */
function project(url: string, maxRepairs: number): string {
  const dir = copyProject(base);
  useLlm(dir, url, { maxRepairs, concurrency: 1 });
  const config = join(dir, 'fixturegen.yaml');
  writeFileSync(
    config,
    readFileSync(config, 'utf8').replace(
      /^database_url: .*$/m,
      `database_url: "postgresql+psycopg://app:${PASSWORD_IN_URL}@db.invalid:5432/app"`,
    ),
  );
  return dir;
}

const ENV = {
  FIXTUREGEN_API_KEY: KEY,
  FIXTUREGEN_DATABASE_URL: 'sqlite+pysqlite:///:memory:',
};

function cacheText(dir: string): string {
  const cache = join(dir, '.fixturegen', 'cache');
  if (!existsSync(cache)) return '';
  return readdirSync(cache)
    .map((f) => readFileSync(join(cache, f), 'utf8'))
    .join('\n');
}

/** Every place a secret could leave through, as text. */
function channels(
  server: OpenAiTestServer,
  r: { stdout: string; stderr: string },
  dir: string,
): Record<string, string> {
  return {
    requests: JSON.stringify(server.requests.map((q) => q.body)),
    stdout: r.stdout,
    stderr: r.stderr,
    cache: cacheText(dir),
  };
}

function expectNoSecret(where: Record<string, string>): void {
  for (const [channel, text] of Object.entries(where)) {
    for (const secret of SECRETS) {
      expect(text.includes(secret), `${channel} holds ${secret}`).toBe(false);
    }
  }
}

/** team_budget with text for the Numeric budget: the flush fails quoting it. */
const badBudget = (text: string): string =>
  base.bodies.team_budget.replace('decimal.Decimal("125000.50")', JSON.stringify(text));

describe('a candidate whose failures print the key and the password', () => {
  it('masks them in the repair requests, stderr, --json stdout and the cache', async () => {
    const server = await llmServer((_scenario, round) => ({
      content: fenced(
        round === 1
          ? base.bodies.team_budget.replace(
              'import pytest\n',
              `import pytest\nopen(${JSON.stringify(`${KEY}:${PASSWORD}`)})\n`,
            )
          : round === 2
            ? badBudget(`key ${KEY}`)
            : badBudget(`password ${PASSWORD} ${PASSWORD_IN_URL}`),
      ),
    }));
    const dir = project(server.url, 2);

    const r = await runCli(dir, ['build', '--json', 'team_budget'], ENV);
    expect(r.status, r.stderr).toBe(1);
    expect(server.requests).toHaveLength(3);
    // The key was used where it belongs: in the Authorization header, not in a body.
    expect(server.requests[0]!.authorization).toBe(`Bearer ${KEY}`);
    expectNoSecret(channels(server, r, dir));
    // The failures did quote the secrets, masked: each repair request carried the errors of the
    // round before, and the last round's are on stderr and in the JSON result.
    const repairs = server.requests.map((q) => JSON.stringify(q.body.messages.slice(2)));
    expect(repairs[1]).toContain('***:***');
    expect(repairs[2]).toContain('key ***');
    expect(r.stderr).toContain('password *** ***');
    expect(r.stdout).toContain('password *** ***');
  });

  it('an accepted answer holding the key is written but never cached', async () => {
    const server = await llmServer(() => ({
      content: fenced(
        base.bodies.tenant_with_team.replace('import pytest\n', `import pytest\n# ${KEY}\n`),
      ),
    }));
    const dir = project(server.url, 0);

    const r = await runCli(dir, ['build', '--json', 'tenant_with_team'], ENV);
    expect(r.status, r.stderr).toBe(0);
    expect(cacheText(dir)).toBe('');
    expectNoSecret({ stdout: r.stdout, stderr: r.stderr });
  });
});

describe('a server that echoes the key in its error bodies', () => {
  it.each([
    { status: 400, exit: 1, code: 'FG312' },
    { status: 404, exit: 3, code: null },
    { status: 500, exit: 3, code: null },
  ])('HTTP $status: exit $exit, the message masks the key', async ({ status, exit, code }) => {
    const server = await llmServer(() => ({ content: '' }));
    server.script((req) => ({
      fault: {
        status,
        message: `rejected request with Authorization: ${req.authorization}`,
        // 500s are retried: Retry-After 0 keeps the test short.
        ...(status === 500 ? { retryAfter: 0 } : {}),
      },
    }));
    const dir = project(server.url, 0);

    const r = await runCli(dir, ['build', '--json', 'tenant_with_team'], ENV);
    expect(r.status, r.stderr).toBe(exit);
    if (code) expect(r.stderr).toContain(code);
    expect(r.stderr).toContain('rejected request with Authorization: Bearer ***');
    expectNoSecret(channels(server, r, dir));
  });
});
