import { describe, expect, it } from 'vitest';
import { buildMessages, loadPromptTemplates } from '../../src/generate/llm/index.js';
import type { Plan } from '../../src/plan/types.js';
import { compileScenarios } from '../../src/scenario/index.js';
import { crmCatalog } from '../support/catalog-builders.js';

/**
 * The prompt follows `async: true` (docs/generated-code.md#async-projects): the contract, the
 * rules, the example and the scenario's signatures are coroutines on an AsyncSession, and a sync
 * project's prompt shows none of it. A list the builtin generator inserts in bulk is shown with
 * `insert_rows`, awaited in an async project.
 */

const CATALOG = crmCatalog();

const SCENARIOS = {
  'scenarios/base_tenant.yaml': `description: One tenant.
entities:
  acme: { model: Tenant, values: { name: Acme } }
`,
  'scenarios/teams.yaml': `description: A tenant with users and variants of it.
extends: base_tenant
entities:
  users: { model: User, count: 2, values: { email: "t{n}@acme.test", tenant: "@acme" } }
  admin: { model: Role, values: { name: admin, tenant: "@acme" } }
variants:
  quiet:
    entities:
      users: { values: { is_active: false } }
  no_admin:
    remove: [admin]
`,
  'scenarios/crowd.yaml': `description: Sixty users in bulk.
entities:
  t: { model: Tenant, values: { name: T, plan: pro, created_on: 2024-01-01 } }
  users: { model: User, count: 60, values: { email: "c{n}@acme.test", tenant: "@t" } }
variants:
  few:
    entities:
      users: { count: 2 }
`,
};

const PLANS = (() => {
  const inputs = Object.entries(SCENARIOS).map(([file, text]) => ({ file, text }));
  const result = compileScenarios(inputs, CATALOG, { defaultModels: ['crm.models'] });
  expect(result.failures).toEqual([]);
  return new Map(result.plans.map((p) => [p.name, p]));
})();
const plan = (name: string): Plan => PLANS.get(name)!;
const templates = loadPromptTemplates(null);

function messages(name: string, isAsync: boolean): { system: string; user: string } {
  const [system, user] = buildMessages(
    plan(name),
    {
      catalog: CATALOG,
      packageName: 'generated',
      sessionFixture: 'db_session',
      plans: PLANS,
      async: isAsync,
    },
    templates,
  );
  return { system: system!.content, user: user!.content };
}

describe('the prompt of an async project', () => {
  it('shows the async contract, rules and example, and no sync create function or fixture', () => {
    const { system } = messages('teams', true);
    expect(system).toContain('SQLAlchemy 2.0, used through its asyncio extension');
    expect(system).toContain(
      '2. `async def create_<name>(session, variant=None, overrides=None) -> <Class>:`',
    );
    expect(system).toContain(
      '`if variant == "<variant>": return await create_<name>__<variant>(session, overrides=overrides)`',
    );
    expect(system).toContain(
      '`@pytest_asyncio.fixture(loop_scope="function") async def make_<name>(db_session):`',
    );
    expect(system).toContain("# Async code (the project's configuration says `async: true`)");
    expect(system).toContain('`import pytest_asyncio`');
    // The example module is async from top to bottom.
    expect(system).toContain('import pytest_asyncio\n\nfrom shop.models import Customer, Order');
    expect(system).toContain('async def create_customer_orders(\n');
    expect(system).toContain(
      '        return await create_customer_orders__big_spender(session, overrides=overrides)',
    );
    expect(system).toContain('    await session.flush()\n');
    expect(system).toContain(
      '@pytest_asyncio.fixture(loop_scope="function")\nasync def customer_orders__big_spender(db_session) -> CustomerOrders:',
    );
    expect(system).toContain(
      '    return await create_customer_orders(db_session, variant="big_spender")',
    );
    expect(system).not.toMatch(
      /`def create_|^def |^@pytest\.fixture|^import pytest$|^ {4}session\.flush\(\)/m,
    );
  });

  it("gives the scenario's signatures as coroutines: variants, fixtures, the factory, the parent", () => {
    const { user } = messages('teams', true);
    expect(user).toContain(
      'async def create_teams(session, base_tenant: BaseTenant | None = None, variant: str | None = None, overrides: dict | None = None) -> Teams:',
    );
    expect(user).toContain(
      '    if variant == "quiet":\n        return await create_teams__quiet(session, base_tenant=base_tenant, overrides=overrides)',
    );
    expect(user).toContain(
      'async def create_teams__no_admin(session, base_tenant: BaseTenant | None = None, overrides: dict | None = None) -> Teams:',
    );
    expect(user).toContain(
      '@pytest_asyncio.fixture(loop_scope="function")\nasync def teams__quiet(db_session, base_tenant) -> Teams:\n    return await create_teams(db_session, base_tenant=base_tenant, variant="quiet")',
    );
    expect(user).toContain(
      '@pytest_asyncio.fixture(loop_scope="function")\nasync def make_teams(db_session):\n    return scenario_factory(create_teams, db_session)',
    );
    expect(user).toContain(
      'by calling its create function (awaited, with `overrides=parent_overrides(',
    );
    expect(user).not.toMatch(/^def |^@pytest\.fixture/m);
    expect(user).not.toContain('insert_rows');
  });

  it('has one system message for every scenario of the project, another than a sync project', () => {
    const systems = [...PLANS.keys()].map((n) => messages(n, true).system);
    for (const s of systems) expect(s).toBe(systems[0]);
    expect(messages('teams', false).system).not.toBe(systems[0]);
  });

  it('shows a list inserted in bulk with `await insert_rows(...)`, its columns and the import', () => {
    const { user } = messages('crowd', true);
    expect(user).toContain('# Rows inserted in bulk');
    expect(user).toContain('- `users` (60 User) in the base, with the columns:');
    expect(user).toContain('    tenant_id = t.id  # the id of t: flush it before reading it');
    expect(user).toContain(
      '```python\nusers = await insert_rows(\n    session,\n    User,\n    [\n        {"email": f"c{i + 1}@acme.test", "tenant_id": t.id}\n        for i in range(60)\n    ],\n    overrides,\n    "users",\n)\n```',
    );
    expect(user).toContain('`await session.flush()` first when the list reads a row added since');
    expect(user).toContain(
      'from generated import apply_overrides, check_scenario_call, insert_rows, scenario_factory',
    );
  });
});

describe('the prompt of a sync project', () => {
  it('shows plain functions and pytest fixtures, nothing async', () => {
    for (const name of PLANS.keys()) {
      const { system, user } = messages(name, false);
      expect(`${system}\n${user}`).not.toMatch(/async|await|pytest_asyncio|AsyncSession/);
    }
    const { system, user } = messages('teams', false);
    expect(system).toContain(
      '2. `def create_<name>(session, variant=None, overrides=None) -> <Class>:`',
    );
    expect(system).toContain('@pytest.fixture\ndef make_customer_orders(db_session):');
    expect(user).toContain('@pytest.fixture\ndef make_teams(db_session):');
    expect(user).toContain(
      '        return create_teams__quiet(session, base_tenant=base_tenant, overrides=overrides)',
    );
  });

  it('shows a list inserted in bulk with `insert_rows(...)`, not awaited', () => {
    const { user } = messages('crowd', false);
    expect(user).toContain('users = insert_rows(\n    session,\n    User,\n');
    expect(user).toContain('    overrides,\n    "users",\n)\n```');
    expect(user).toContain('`session.flush()` first when the list reads a row added since');
  });
});
