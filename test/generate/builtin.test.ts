import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPythonHelper } from '../../src/helper/client.js';
import type { PythonHelper } from '../../src/helper/client.js';
import type { Catalog } from '../../src/catalog/types.js';
import {
  renderInitModule,
  renderScenarioModule,
  usesBulk,
} from '../../src/generate/builtin/index.js';
import type { Plan, PlanEntity } from '../../src/plan/types.js';
import { llmSchema } from '../../src/config/schema.js';
import type { Config } from '../../src/config/schema.js';
import { guardCandidate } from '../../src/verify/guard.js';
import { verifyCandidate } from '../../src/verify/verify.js';
import { PYTHON, REPO, pytest } from '../support/python.js';

function entity(
  label: string,
  cls: string,
  count: number | null,
  values: PlanEntity['values'],
): PlanEntity {
  return {
    label,
    model: `crm.models.${cls}`,
    className: cls,
    module: 'crm.models',
    count,
    values,
    dependsOn: [],
  };
}

const plan: Plan = {
  name: 'tenant_with_team',
  className: 'TenantWithTeam',
  description: 'A tenant with three users, two roles and ten permission grants.',
  source: 'scenarios/tenant_with_team.yaml',
  extends: [],
  inherited: [],
  entities: [
    entity('acme', 'Tenant', null, [
      {
        attribute: 'created_on',
        origin: 'synth',
        collection: false,
        value: {
          kind: 'synth',
          expr: { kind: 'literal', value: { kind: 'date', year: 2024, month: 5, day: 1 } },
        },
      },
      {
        attribute: 'name',
        origin: 'written',
        collection: false,
        value: { kind: 'literal', value: { kind: 'str', value: 'Acme "Corp" {x}' } },
      },
      {
        attribute: 'plan',
        origin: 'written',
        collection: false,
        value: {
          kind: 'literal',
          value: { kind: 'enum', enumModule: 'crm.models', enumClass: 'Plan', member: 'pro' },
        },
      },
    ]),
    entity('roles', 'Role', 2, [
      {
        attribute: 'name',
        origin: 'written',
        collection: false,
        value: {
          kind: 'cycle',
          items: [
            { kind: 'literal', value: { kind: 'str', value: 'admin' } },
            { kind: 'literal', value: { kind: 'str', value: 'viewer' } },
          ],
        },
      },
      {
        attribute: 'tenant',
        origin: 'written',
        collection: false,
        value: { kind: 'ref', label: 'acme', index: null, attribute: null },
      },
    ]),
    entity('users', 'User', 3, [
      {
        attribute: 'email',
        origin: 'written',
        collection: false,
        value: {
          kind: 'interpolate',
          parts: ['user', { var: 'n' }, '@acme.test'],
          convert: 'string',
        },
      },
      {
        attribute: 'tenant_id',
        origin: 'written',
        collection: false,
        value: { kind: 'ref', label: 'acme', index: null, attribute: 'id' },
      },
    ]),
    entity('grants', 'PermissionGrant', 10, [
      {
        attribute: 'permission',
        origin: 'written',
        collection: false,
        value: { kind: 'interpolate', parts: ['perm.', { var: 'i' }], convert: 'string' },
      },
      {
        attribute: 'role',
        origin: 'written',
        collection: false,
        value: { kind: 'ref', label: 'roles', index: { kind: 'div', k: 5 }, attribute: null },
      },
      {
        attribute: 'user',
        origin: 'written',
        collection: false,
        value: { kind: 'ref', label: 'users', index: { kind: 'mod', k: 3 }, attribute: null },
      },
    ]),
    entity('team', 'Team', null, [
      {
        attribute: 'budget',
        origin: 'written',
        collection: false,
        value: { kind: 'literal', value: { kind: 'decimal', value: '1234.50' } },
      },
      {
        attribute: 'members',
        origin: 'written',
        collection: true,
        value: { kind: 'ref', label: 'users', index: null, attribute: null },
      },
      {
        attribute: 'name',
        origin: 'synth',
        collection: false,
        value: {
          kind: 'synth',
          expr: { kind: 'interpolate', parts: ['team-', { var: 'n' }], convert: 'string' },
        },
      },
      {
        attribute: 'settings',
        origin: 'written',
        collection: false,
        value: {
          kind: 'literal',
          value: { kind: 'json', value: { a: [1, true, null], 'b"': 'x' } },
        },
      },
      {
        attribute: 'tenant',
        origin: 'autolink',
        collection: false,
        value: { kind: 'ref', label: 'acme', index: null, attribute: null },
      },
    ]),
  ],
  models: [
    'crm.models.PermissionGrant',
    'crm.models.Role',
    'crm.models.Team',
    'crm.models.Tenant',
    'crm.models.User',
  ],
  expectCounts: {
    'crm.models.Tenant': 1,
    'crm.models.User': 3,
    'crm.models.Role': 2,
    'crm.models.PermissionGrant': 10,
    'crm.models.Team': 1,
  },
  edgeCases: null,
  canonical: '{}',
};

const USER_TEST = `
import decimal
from sqlalchemy import func, select
from crm.models import PermissionGrant, Plan, Team, Tenant, User
from generated.tenant_with_team import TenantWithTeam, create_tenant_with_team


def test_fixture_creates_the_rows(tenant_with_team, db_session):
    s = tenant_with_team
    assert isinstance(s, TenantWithTeam)
    assert s.acme.name == 'Acme "Corp" {x}' and s.acme.plan is Plan.pro
    assert [u.email for u in s.users] == ["user1@acme.test", "user2@acme.test", "user3@acme.test"]
    assert all(u.tenant_id == s.acme.id for u in s.users)
    assert [r.name for r in s.roles] == ["admin", "viewer"]
    assert [g.permission for g in s.grants] == [f"perm.{i}" for i in range(10)]
    assert [g.user for g in s.grants] == [s.users[i % 3] for i in range(10)]
    assert [g.role for g in s.grants] == [s.roles[i // 5] for i in range(10)]
    assert s.team.budget == decimal.Decimal("1234.50") and s.team.tenant is s.acme
    assert sorted(u.email for u in s.team.members) == sorted(u.email for u in s.users)
    assert s.team.settings == {"a": [1, True, None], 'b"': "x"}
    assert db_session.scalar(select(func.count()).select_from(PermissionGrant)) == 10


def test_next_test_sees_no_rows(db_session):
    for model in (Tenant, User, PermissionGrant, Team):
        assert db_session.scalar(select(func.count()).select_from(model)) == 0


def test_create_function_outside_pytest(db_engine):
    from sqlalchemy.orm import Session
    with db_engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection)
        created = create_tenant_with_team(session)
        assert session.get(Tenant, created.acme.id) is created.acme
        session.close()
        transaction.rollback()
`;

describe('builtin generator', () => {
  let helper: PythonHelper;
  let catalog: Catalog;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fixturegen-builtin-'));
    cpSync(join(REPO, 'crm'), join(dir, 'crm'), { recursive: true });
    helper = startPythonHelper({ python: PYTHON, root: dir });
    catalog = await helper.request('introspect', { models: ['crm.models'] });
  });
  afterAll(async () => {
    await helper?.close();
  });

  it('inserts a list of 50 rows or more in bulk, and leaves smaller and self-referring lists to the unit of work', () => {
    const withGrants = (count: number): Plan => ({
      ...plan,
      entities: plan.entities.map((e) => (e.label === 'grants' ? { ...e, count } : e)),
    });
    const render = (p: Plan) =>
      renderScenarioModule(p, {
        catalog,
        packageName: 'generated',
        sessionFixture: 'db_session',
        plans: new Map([[p.name, p]]),
      });
    const models = new Map(catalog.models.map((m) => [m.qualname, m]));
    const small = render(withGrants(49));
    expect(small).toContain('session.add_all(grants)');
    expect(small).not.toContain('insert_rows');
    expect(usesBulk(withGrants(49), models)).toBe(false);
    const big = render(withGrants(50));
    expect(usesBulk(withGrants(50), models)).toBe(true);
    expect(big).toMatch(/^from generated import \([^)]*\n {4}insert_rows,\n/m);
    // Many-to-one references become the foreign keys they set, read after a flush; the rows are
    // dicts, handed to insert_rows with the class and the label's overrides.
    expect(big).toContain(
      [
        '    session.flush()',
        '    grants = insert_rows(',
        '        session,',
        '        PermissionGrant,',
        '        [',
        '            {',
        '                "permission": f"perm.{i}",',
        '                "role_id": roles[i // 5].id,',
        '                "user_id": users[i % 3].id,',
        '            }',
        '            for i in range(50)',
        '        ],',
        '        overrides,',
        '        "grants",',
        '    )',
      ].join('\n'),
    );
    expect(big).not.toContain('apply_overrides(overrides, "grants", grants)');
    // A variant of a plan without a bulk list may need insert_rows itself.
    expect(
      usesBulk(
        {
          ...withGrants(49),
          variants: [
            {
              name: 'many',
              description: null,
              entities: withGrants(50).entities,
              removed: [],
              expectCounts: {},
            },
          ],
        },
        models,
      ),
    ).toBe(true);
    // The smaller lists of the same plan keep their unit-of-work rendering.
    expect(big).toContain('    session.add_all(users)');
    expect(big).toContain('    session.add_all(roles)');
  });

  it('renders a module that pytest runs against SQLite, with rollback between tests', () => {
    const body = renderScenarioModule(plan, {
      catalog,
      packageName: 'generated',
      sessionFixture: 'db_session',
      plans: new Map([[plan.name, plan]]),
    });
    expect(body).toContain('users[i % 3]');
    expect(body).toContain('decimal.Decimal("1234.50")');
    expect(body).toContain('datetime.date(2024, 5, 1)');
    expect(body).toContain('plan=Plan.pro');
    const init = renderInitModule({
      catalog,
      packageName: 'generated',
      scenarioNames: [plan.name],
      ownSession: true,
      databaseUrl: 'sqlite+pysqlite:///:memory:',
    });
    mkdirSync(join(dir, 'generated'));
    writeFileSync(join(dir, 'generated', 'tenant_with_team.py'), body);
    writeFileSync(join(dir, 'generated', '__init__.py'), init);
    writeFileSync(join(dir, 'conftest.py'), 'pytest_plugins = ["generated"]\n');
    writeFileSync(join(dir, 'test_user.py'), USER_TEST);
    const result = pytest(dir);
    expect(result.stdout + result.stderr).toMatch(/3 passed/);
    expect(result.status).toBe(0);
  });
});

describe('verification of builtin output through the helper', () => {
  let helper: PythonHelper;
  let catalog: Catalog;
  let dir: string;
  const config = (verify: 'collect' | 'run'): Config => ({
    models: ['crm.models'],
    scenarios: 'scenarios',
    output: 'generated',
    database_url: 'sqlite+pysqlite:///:memory:',
    verifyDatabaseUrl: 'sqlite+pysqlite:///:memory:',
    generator: 'builtin',
    verify,
    verify_timeout_s: 30,
    llm: llmSchema.parse({}),
    root: dir,
    file: null,
    python: PYTHON,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fixturegen-verify-'));
    cpSync(join(REPO, 'crm'), join(dir, 'crm'), { recursive: true });
    helper = startPythonHelper({ python: PYTHON, root: dir });
    catalog = await helper.request('introspect', { models: ['crm.models'] });
  });
  afterAll(async () => {
    await helper?.close();
  });

  const files = (body: string) => ({
    'generated/tenant_with_team.py': body,
    'generated/__init__.py': renderInitModule({
      catalog,
      packageName: 'generated',
      scenarioNames: [plan.name],
      ownSession: true,
      databaseUrl: 'sqlite+pysqlite:///:memory:',
    }),
  });
  const render = () =>
    renderScenarioModule(plan, {
      catalog,
      packageName: 'generated',
      sessionFixture: 'db_session',
      plans: new Map([[plan.name, plan]]),
    });

  it('passes the static guard meant for model answers', async () => {
    const body = render();
    const opts = { plan, catalog, packageName: 'generated', sessionFixture: 'db_session' };
    expect(await guardCandidate(helper, { ...opts, body })).toEqual([]);
    const hallucinated = body.replace('tenant=acme,', 'tenant=acme,\n        organisation=acme,');
    const found = await guardCandidate(helper, { ...opts, body: hallucinated });
    expect(found).toEqual([expect.objectContaining({ code: 'FG404', file: plan.source })]);
  });

  it('passes at levels collect and run', async () => {
    for (const level of ['collect', 'run'] as const) {
      const problems = await verifyCandidate(helper, {
        config: config(level),
        packageName: 'generated',
        files: files(render()),
        plans: [plan],
        source: plan.source,
      });
      expect(problems).toEqual([]);
    }
  });

  it('fails at level run when the module creates fewer rows than the scenario declares', async () => {
    const broken = render().replace('for i in range(3)', 'for i in range(2)');
    const problems = await verifyCandidate(helper, {
      config: config('run'),
      packageName: 'generated',
      files: files(broken),
      plans: [plan],
      source: plan.source,
    });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ code: 'FG411', file: plan.source });
    expect(problems.map((p) => p.message).join('\n')).toMatch(/users/);
  });
});
