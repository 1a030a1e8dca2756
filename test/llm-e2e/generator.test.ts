import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { Config } from '../../src/config/schema.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { error } from '../../src/diagnostics/types.js';
import { createBuiltinGenerator } from '../../src/generate/builtin/index.js';
import { createAnswerCache } from '../../src/generate/llm/cache.js';
import {
  buildMessages,
  createLlmGenerator,
  loadPromptTemplates,
} from '../../src/generate/llm/index.js';
import type { LlmStatus } from '../../src/generate/llm/index.js';
import type { GenerateContext } from '../../src/generate/types.js';
import type { Plan } from '../../src/plan/types.js';
import { compileScenarios } from '../../src/scenario/index.js';
import { createProgress, llmTable, statusText } from '../../src/cli/progress.js';
import { crmCatalog } from '../support/catalog-builders.js';
import { startOpenAiServer } from '../support/openai-server.js';
import type { OpenAiTestServer, ScriptedAnswer } from '../support/openai-server.js';

const CATALOG = crmCatalog();

const SCENARIOS = {
  'scenarios/base_tenant.yaml': `description: One tenant.
entities:
  acme: { model: Tenant, values: { name: Acme } }
`,
  'scenarios/with_users.yaml': `description: Two users of the base tenant.
extends: base_tenant
entities:
  users: { model: User, count: 2, values: { email: "u{n}@acme.test", tenant: "@acme" } }
`,
  'scenarios/teams.yaml': `description: A tenant with users and variants of it.
extends: base_tenant
entities:
  users: { model: User, count: 2, values: { email: "t{n}@acme.test", tenant: "@acme" } }
  admin: { model: Role, values: { name: admin, tenant: "@acme" } }
variants:
  quiet:
    description: Users who cannot log in.
    entities:
      users: { values: { is_active: false } }
  crowd:
    entities:
      users: { count: 4 }
  no_admin:
    remove: [admin]
`,
  'scenarios/roles.yaml': `description: A tenant with roles.
edge_cases: [a role name at its maximum length]
entities:
  t: { model: Tenant, values: { name: T, plan: pro, created_on: 2024-01-01 } }
  roles: { model: Role, count: 3, values: { name: { cycle: [a, b, c] }, tenant: "@t" } }
`,
};

function compile(): Map<string, Plan> {
  const inputs = Object.entries(SCENARIOS).map(([file, text]) => ({ file, text }));
  const result = compileScenarios(inputs, CATALOG, { defaultModels: ['crm.models'] });
  expect(result.failures).toEqual([]);
  return new Map(result.plans.map((p) => [p.name, p]));
}

const PLANS = compile();
const plan = (name: string): Plan => PLANS.get(name)!;

function config(baseUrl: string, llm: Record<string, unknown> = {}, root?: string): Config {
  const raw = configSchema.parse({
    models: 'crm.models',
    generator: 'llm',
    llm: { base_url: baseUrl, model: 'test-model', timeout_s: 5, ...llm },
  });
  return {
    ...raw,
    models: ['crm.models'],
    root: root ?? mkdtempSync(join(tmpdir(), 'fixturegen-gen-')),
    file: null,
    python: 'python3',
    verifyDatabaseUrl: raw.database_url,
  };
}

/** A validate that accepts bodies containing `GOOD` and reports a guard-style error otherwise. */
function ctxFor(cfg: Config, seen: string[] = []): GenerateContext {
  return {
    config: cfg,
    catalog: CATALOG,
    packageName: 'generated',
    plans: PLANS,
    validate: (body: string): Promise<readonly Diagnostic[]> => {
      seen.push(body);
      return Promise.resolve(
        body.includes('GOOD')
          ? []
          : [
              error('FG404', "candidate line 2:5: Tenant() has no mapped attribute 'nmae'", {
                file: 'x',
              }),
            ],
      );
    },
  };
}

const GOOD = '```python\nimport pytest\n# GOOD\n```';
const BAD = '```python\nimport pytest\nTenant(nmae="x")\n```';

const servers: OpenAiTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(...answers: ScriptedAnswer[]): Promise<OpenAiTestServer> {
  const s = await startOpenAiServer({
    fallback: answers.length === 0 ? { content: GOOD } : undefined,
  });
  if (answers.length > 0) s.script(...answers);
  servers.push(s);
  return s;
}
const FAST = { retry: { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 10 } };

describe('the prompt', () => {
  const templates = loadPromptTemplates(null);
  const pctx = {
    catalog: CATALOG,
    packageName: 'generated',
    sessionFixture: 'db_session',
    plans: PLANS,
  };

  it('starts with a system message that is byte-identical for every scenario', () => {
    const all = [...PLANS.values()].map((p) => buildMessages(p, pctx, templates));
    for (const m of all) expect(m[0]).toEqual(all[0]![0]);
    expect(all[0]![0]!.content).toContain('`crm.models`');
    expect(new Set(all.map((m) => m[1]!.content)).size).toBe(all.length);
  });

  it('gives an extending scenario its parents, inherited labels and exact signatures', () => {
    const user = buildMessages(plan('with_users'), pctx, templates)[1]!.content;
    expect(user).toContain('This scenario extends `base_tenant`');
    expect(user).toContain('`from generated.base_tenant import BaseTenant, create_base_tenant`');
    expect(user).toContain('`acme`: one Tenant (crm.models.Tenant), inherited');
    expect(user).toContain(
      'def create_with_users(session, base_tenant: BaseTenant | None = None, variant: str | None = None, overrides: dict | None = None) -> WithUsers:',
    );
    expect(user).toContain('def with_users(db_session, base_tenant) -> WithUsers:');
    expect(user).toContain('    return create_with_users(db_session, base_tenant=base_tenant)');
    expect(user).toContain('email = f"u{i + 1}@acme.test"');
    expect(user).toContain('Description:\nTwo users of the base tenant.');
    expect(user).toContain('extends: base_tenant');
    expect(user).not.toContain('description:'); // shown once, above the YAML
  });

  it('says what nobody wrote, enum imports, edge cases and counts', () => {
    const user = buildMessages(plan('roles'), pctx, templates)[1]!.content;
    expect(user).toContain('plan = Plan.pro');
    expect(user).toContain('`from crm.models import Plan`');
    expect(user).toContain('name = ("a", "b", "c")[i % 3]');
    expect(user).toContain('- a role name at its maximum length');
    expect(user).toContain('- crm.models.Role: exactly 3');
    expect(user).toMatch(
      /plan: Enum Plan \(from crm\.models: free\|pro\|enterprise\), NOT NULL, default/,
    );
    expect(user.replace(/```python[\s\S]*?```/g, 'CODE')).not.toMatch(/\n{3,}/);
    const base = buildMessages(plan('base_tenant'), pctx, templates)[1]!.content;
    expect(base).toMatch(
      /created_on = datetime\.date\(.*\) {2}# not written in the scenario: NOT NULL without a default, so fixturegen chose this value/,
    );
  });

  it('names the SQLAlchemy release the catalog reports', () => {
    const system = (version: string) =>
      buildMessages(
        plan('roles'),
        { ...pctx, catalog: { ...CATALOG, sqlalchemyVersion: version } },
        templates,
      )[0]!.content;
    expect(system('1.4.54')).toMatch(
      /^You write pytest fixtures for a Python project whose database layer is SQLAlchemy 1\.4\. /,
    );
    expect(system('2.1.9')).toContain('database layer is SQLAlchemy 2.1.');
    expect(system('2.0.58')).toBe(system('2.0.59')); // a patch release keeps the prompt and its cache key
    expect(system('1.4.54')).not.toContain('2.x');
  });

  it('asks for every variant: its changes from the base, and the exact scaffolding', () => {
    const user = buildMessages(plan('teams'), pctx, templates)[1]!.content;
    const variants = user.slice(user.indexOf('# Variants'), user.indexOf('# Names and signatures'));
    expect(variants).toContain(
      [
        '- `quiet` (Users who cannot log in.): `create_teams__quiet`, fixture `teams__quiet`',
        '    users.is_active = False  (base: not set)',
        '    rows: as in the base',
        '- `crowd`: `create_teams__crowd`, fixture `teams__crowd`',
        '    users: a list of exactly 4 User (base: 2), i = 0..3',
        '    rows: crm.models.User: exactly 4 (base: 2); the others as in the base',
        '- `no_admin`: `create_teams__no_admin`, fixture `teams__no_admin`',
        '    admin: not created; the dataclass gets `admin=None`',
        '    rows: crm.models.Role: exactly 0 (base: 1); the others as in the base',
      ].join('\n'),
    );
    expect(user).toContain(
      'from generated import apply_overrides, check_scenario_call, parent_overrides, scenario_factory',
    );
    expect(user).toContain(
      'def create_teams(session, base_tenant: BaseTenant | None = None, variant: str | None = None, overrides: dict | None = None) -> Teams:',
    );
    expect(user).toContain(
      '    check_scenario_call(Teams, "teams", variant, {"quiet": (), "crowd": (), "no_admin": ("admin",)}, overrides)',
    );
    expect(user).toContain(
      '    if variant == "crowd":\n        return create_teams__crowd(session, base_tenant=base_tenant, overrides=overrides)',
    );
    expect(user).toContain(
      'def create_teams__no_admin(session, base_tenant: BaseTenant | None = None, overrides: dict | None = None) -> Teams:',
    );
    expect(user).toContain(
      '@pytest.fixture\ndef teams__quiet(db_session, base_tenant) -> Teams:\n    return create_teams(db_session, base_tenant=base_tenant, variant="quiet")',
    );
    expect(user).toContain(
      '@pytest.fixture\ndef make_teams(db_session):\n    return scenario_factory(create_teams, db_session)',
    );
    // Without variants: the same contract, an empty variants mapping and no Variants section.
    const plain = buildMessages(plan('roles'), pctx, templates)[1]!.content;
    expect(plain).not.toContain('# Variants');
    expect(plain).toContain('    check_scenario_call(Roles, "roles", variant, {}, overrides)');
    expect(plain).toContain('def make_roles(db_session):');
  });

  it('uses a project template of the same name and changes the fingerprint with it', () => {
    const root = mkdtempSync(join(tmpdir(), 'fixturegen-tpl-'));
    const a = createLlmGenerator(config('http://127.0.0.1:9/v1', {}, root));
    mkdirSync(join(root, 'templates', 'prompt'), { recursive: true });
    writeFileSync(
      join(root, 'templates', 'prompt', 'system.hbs'),
      'House rules for {{package}}.\n',
    );
    const b = createLlmGenerator(config('http://127.0.0.1:9/v1', {}, root));
    expect(b.fingerprint()).not.toBe(a.fingerprint());
    expect(buildMessages(plan('roles'), pctx, b.templates)[0]!.content).toBe(
      'House rules for generated.\n',
    );
    const c = createLlmGenerator(config('http://127.0.0.1:9/v1', { temperature: 0.2 }, root));
    expect(c.fingerprint()).not.toBe(b.fingerprint());
  });
});

describe('the generator in process', () => {
  it('keeps llm.concurrency requests in flight and no more', async () => {
    const s = await server();
    // Each odd request is answered once the next one is in: two in flight whatever the machine's
    // load (a fixed latency lost that race on a busy machine, when building a prompt took longer).
    s.script((r) => {
      const n = s.requests.indexOf(r) + 1;
      return n % 2 === 1
        ? { content: GOOD, heldUntil: s.waitForRequests(n + 1, 30_000) }
        : { content: GOOD };
    });
    const cfg = config(s.url, { concurrency: 2 });
    const gen = createLlmGenerator(cfg, { clientOptions: FAST, cache: null });
    const ctx = ctxFor(cfg);
    const names = ['base_tenant', 'with_users', 'roles', 'base_tenant', 'roles', 'with_users'];
    const outs = await Promise.all(names.map((n) => gen.generate(plan(n), ctx)));
    expect(outs.every((o) => o.ok)).toBe(true);
    expect(s.requests).toHaveLength(6);
    expect(s.maxInFlight).toBe(2);
  });

  it('caches the accepted answer under the first prompt; a stale cached answer is asked again', async () => {
    const s = await server({ content: BAD }, { content: GOOD }, { content: GOOD });
    const cfg = config(s.url);
    const cache = createAnswerCache(cfg.root);
    const statuses: string[] = [];
    const gen = createLlmGenerator(cfg, {
      clientOptions: FAST,
      cache,
      onStatus: (_n, st) => statuses.push(st.phase),
    });
    const seen: string[] = [];
    const first = await gen.generate(plan('roles'), ctxFor(cfg, seen));
    expect(first).toMatchObject({ ok: true, validated: true });
    expect(s.requests).toHaveLength(2);
    expect(statuses).toEqual([
      'queued',
      'sending',
      'receiving',
      'verifying',
      'repair',
      'sending',
      'receiving',
      'verifying',
      'done',
    ]);

    const again = await gen.generate(plan('roles'), ctxFor(cfg));
    expect(again).toMatchObject({ ok: true, notes: ['llm: answer from the cache'] });
    expect(s.requests).toHaveLength(2);
    expect(gen.report('roles')).toMatchObject({ rounds: 0, requests: 0, result: 'cached' });

    // The environment changed: the cached module no longer passes, so the model is asked again.
    const picky = {
      ...ctxFor(cfg),
      validate: () =>
        Promise.resolve(s.requests.length >= 3 ? [] : [error('FG411', 'smoke test failed')]),
    };
    const third = await gen.generate(plan('roles'), picky);
    expect(third.ok).toBe(true);
    expect(s.requests).toHaveLength(3);
  });

  it('sends the guard error back with the offending line quoted', async () => {
    const s = await server({ content: BAD }, { content: GOOD });
    const cfg = config(s.url);
    const gen = createLlmGenerator(cfg, { clientOptions: FAST, cache: null });
    await gen.generate(plan('base_tenant'), ctxFor(cfg));
    const repair = s.requests[1]!.body.messages[3]!.content;
    expect(repair).toContain("FG404 at line 2, column 5: Tenant() has no mapped attribute 'nmae'");
    expect(repair).toContain('line 2: Tenant(nmae="x")');
    expect(repair).toContain('round 1 of 3');
  });

  it('an empty answer is a failed round; the next round can still succeed', async () => {
    const s = await server({ content: '' }, { content: GOOD });
    const cfg = config(s.url);
    const gen = createLlmGenerator(cfg, { clientOptions: FAST, cache: null });
    const out = await gen.generate(plan('base_tenant'), ctxFor(cfg));
    expect(out.ok).toBe(true);
    expect(s.requests[1]!.body.messages[3]!.content).toContain('the answer is empty');
    expect(gen.report('base_tenant')).toMatchObject({ rounds: 2, lastErrors: ['FG310'] });
  });

  it('an answer cut off at max_tokens twice fails the scenario with FG312, without repairs', async () => {
    const s = await server({ content: 'x', fault: 'length' }, { content: 'x', fault: 'length' });
    const cfg = config(s.url);
    const gen = createLlmGenerator(cfg, { clientOptions: FAST, cache: null });
    const out = await gen.generate(plan('base_tenant'), ctxFor(cfg));
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.diagnostics[0]).toMatchObject({
        code: 'FG312',
        file: 'scenarios/base_tenant.yaml',
      });
      expect(out.diagnostics[0]!.hint).toContain('max_tokens');
    }
    expect(s.requests.map((r) => r.body.max_tokens)).toEqual([8192, 16384]);
  });

  it('still failing after max_repairs: FG311 with the last errors; --fallback writes the builtin output', async () => {
    const s = await server();
    s.script(() => ({ content: BAD }));
    const cfg = config(s.url, { max_repairs: 1 });
    const gen = createLlmGenerator(cfg, { clientOptions: FAST, cache: null });
    const out = await gen.generate(plan('roles'), ctxFor(cfg));
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.diagnostics.map((d) => d.code)).toEqual(['FG311', 'FG404']);

    const builtin = createBuiltinGenerator();
    const withFallback = createLlmGenerator(cfg, {
      clientOptions: FAST,
      cache: null,
      fallback: builtin,
    });
    const accepting = {
      ...ctxFor(cfg),
      validate: (b: string) =>
        Promise.resolve(b.includes('class Roles') ? [] : [error('FG404', 'bad')]),
    };
    const fb = await withFallback.generate(plan('roles'), accepting);
    expect(fb.ok).toBe(true);
    if (fb.ok) {
      expect(fb.body).toMatch(/def create_roles\(\n {4}session,\n/);
      expect(fb.notes?.[0]).toContain('wrote the builtin output instead (--fallback builtin)');
    }
    expect(withFallback.report('roles')).toMatchObject({ result: 'fallback', rounds: 2 });
  });

  it('an unusable server stops every scenario with the same error', async () => {
    const s = await server();
    s.script(() => ({ fault: { status: 503 }, latencyMs: 20 }));
    const cfg = config(s.url, { concurrency: 1 });
    const gen = createLlmGenerator(cfg, { clientOptions: FAST, cache: null });
    const ctx = ctxFor(cfg);
    const results = await Promise.allSettled(
      ['base_tenant', 'roles', 'with_users'].map((n) => gen.generate(plan(n), ctx)),
    );
    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as Error) : null));
    expect(reasons.every((r) => r !== null && r.name === 'LlmUnavailableError')).toBe(true);
    expect(new Set(reasons).size).toBe(1);
    expect(s.requests).toHaveLength(2); // one try and one retry, then nobody else sends

    // The next build (watch mode keeps the generator) tries the server again.
    s.script({ content: GOOD });
    const later = await gen.generate(plan('roles'), ctx);
    expect(later.ok).toBe(true);
    expect(s.requests).toHaveLength(3);
  });
});

describe('progress output', () => {
  it('names each phase', () => {
    const phases: LlmStatus[] = [
      { phase: 'queued' },
      { phase: 'sending', round: 1, request: 1 },
      { phase: 'sending', round: 2, request: 3 },
      { phase: 'verifying', round: 1 },
      { phase: 'repair', round: 1, of: 2 },
      { phase: 'retrying', round: 1, reason: 'HTTP 429', delayMs: 1500 },
      { phase: 'done', result: 'accepted' },
    ];
    expect(phases.map(statusText)).toEqual([
      'queued for the model',
      'sending (round 1)',
      'sending (round 2, request 3)',
      'verifying (round 1)',
      'repair 1 of 2',
      'retrying in 1.5 s: HTTP 429',
      'done: accepted',
    ]);
  });

  it('redraws a live block in place on a terminal and clears it at the end', () => {
    let out = '';
    let t = 0;
    const p = createProgress({ live: true, write: (s) => (out += s), now: () => t });
    p.scenario('a', 'start');
    p.llm('a', { phase: 'sending', round: 1, request: 1 });
    t = 1500;
    p.scenario('b', 'start');
    expect(out).toContain('\u001b[1F\u001b[0J'); // up one line, erase below
    expect(
      out.endsWith(
        '  a                            sending (round 1) (1.5 s)\n  b                            generating (0.0 s)\n',
      ),
    ).toBe(true);
    p.stop();
    expect(out.endsWith('\u001b[2F\u001b[0J')).toBe(true);
  });

  it('cuts live lines to the terminal width', () => {
    let out = '';
    const p = createProgress({ live: true, write: (s) => (out += s), now: () => 0, columns: 30 });
    p.scenario('a_rather_long_scenario_name', 'start');
    expect(out).toMatch(/^ {2}a_rather_long_scenario_.*…\n$/);
    expect(out.length).toBe(30); // 29 visible characters and the newline
    p.stop();
  });

  it('writes plain lines when not a terminal, and only the phases worth a line', () => {
    const lines: string[] = [];
    const p = createProgress({ live: false, write: (s) => lines.push(s) });
    p.scenario('a', 'start');
    p.llm('a', { phase: 'sending', round: 1, request: 1 });
    p.llm('a', { phase: 'receiving', round: 1 });
    p.llm('a', { phase: 'verifying', round: 1 });
    p.stop();
    expect(lines).toEqual(['a: sending (round 1)\n', 'a: verifying (round 1)\n']);
  });

  it('tabulates rounds, requests, tokens, latency and result', () => {
    const rows = llmTable([
      {
        name: 'x',
        llm: {
          rounds: 2,
          requests: 3,
          promptTokens: 1200,
          completionTokens: 300,
          latencyMs: 2500,
          result: 'accepted',
          lastErrors: ['FG404'],
        },
      },
      {
        name: 'yy',
        llm: {
          rounds: 0,
          requests: 0,
          promptTokens: null,
          completionTokens: null,
          latencyMs: 0,
          result: 'cached',
          lastErrors: [],
        },
      },
    ]);
    expect(rows).toEqual([
      'scenario  rounds  requests  prompt tok  completion tok  latency  result',
      'x              2         3        1200             300   2.50 s  accepted (FG404)',
      'yy             0         0           -               -   0.00 s  cached',
    ]);
  });
});
