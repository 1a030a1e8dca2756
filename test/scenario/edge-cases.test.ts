import { describe, expect, test } from 'vitest';
import { deriveEdgeCases } from '../../src/plan/edge-cases.js';
import type { Plan, ValueExpr } from '../../src/plan/types.js';
import { column, model } from '../support/catalog-builders.js';
import { CRM, compileOne, planOf, where } from './helpers.js';

const TEAM = `
edge_cases: auto
entities:
  globex: { model: Tenant, values: { name: Globex, plan: pro } }
  lead: { model: User, values: { email: lead@globex.test, full_name: Lead } }
  engineer: { model: User, values: { email: engineer@globex.test, manager: "@lead" } }
  users: { model: User, count: 2, values: { email: "u{n}@globex.test" } }
  engineering:
    model: Team
    values: { name: Eng, budget: "10.00", settings: {}, members: ["@lead", "@engineer"] }
`;

const ids = (text: string, dialect = 'sqlite') =>
  deriveEdgeCases(planOf(text), CRM.models, dialect).cases.map((c) => c.id);

describe('derived edge cases', () => {
  test('one change away from the base, first row of a list, base values skipped', () => {
    const all = ids(TEAM);
    expect(all).toContain('engineer.manager=None');
    expect(all).toContain("lead.email=''");
    expect(all).toContain('lead.full_name=None');
    expect(all).toContain("users[0].email='x'*255");
    expect(all).not.toContain("users[1].email=''");
    // The base writes plan: pro and settings: {}; those are not cases.
    expect(all).toContain('globex.plan=free');
    expect(all).not.toContain('globex.plan=pro');
    expect(all).toContain('engineering.settings=[]');
    expect(all).not.toContain('engineering.settings={}');
    expect(all).toContain('engineering.budget=9999999999.99');
    expect(all).toContain('engineering.budget=-1.00');
    expect(all).toContain('engineering.members=[]');
    // A nullable column nobody wrote is NULL already.
    expect(all).not.toContain('users[0].full_name=None');
    expect(new Set(all).size).toBe(all.length);
  });

  test("a parent's zero children through a nullable key, unless a child's NULL case says it", () => {
    const plan = planOf(TEAM);
    const cases = deriveEdgeCases(plan, CRM.models, 'sqlite').cases;
    const nulled = cases.find((c) => c.id === 'engineer.manager=None')!;
    expect(nulled.changes).toEqual([
      { label: 'engineer', index: null, attribute: 'manager', value: { kind: 'none' } },
    ]);
    // lead.reports=[] is the same change: one case.
    expect(cases.map((c) => c.id)).not.toContain('lead.reports=[]');
    const members = cases.find((c) => c.id === 'engineering.members=[]')!;
    expect(members.kind).toBe('no_children');
    expect(members.changes[0]!.value).toEqual({ kind: 'list', items: [] });
  });

  test('zero children through a NOT NULL key: the children left out, and what refers to them', () => {
    const cases = deriveEdgeCases(planOf(TEAM), CRM.models, 'sqlite').cases;
    const users = cases.find((c) => c.id === 'globex.users=[]')!;
    // Users hold their tenant by a NOT NULL key (autolinked here): no override can empty
    // globex.users, so the users are left out, and the team whose members they are.
    expect(users).toEqual({
      id: 'globex.users=[]',
      kind: 'no_children',
      changes: [],
      removed: ['lead', 'engineer', 'engineering', 'users'],
      emptied: { label: 'globex', index: null, relationship: 'users' },
    });
    expect(cases.find((c) => c.id === 'globex.teams=[]')!.removed).toEqual(['engineering']);
    // What is left refers to nothing left out, as a variant's `remove` must.
    const plan = planOf(TEAM);
    for (const c of cases.filter((k) => k.removed)) {
      const gone = new Set(c.removed);
      for (const e of plan.entities.filter((k) => !gone.has(k.label)))
        expect(e.dependsOn.filter((l) => gone.has(l))).toEqual([]);
    }
    // A written collection is emptied by an override, and nothing is left out.
    expect(cases.find((c) => c.id === 'engineering.members=[]')!.removed).toBeUndefined();
  });

  test('zero children of the first instance of a list parent: only the rows that point at it', () => {
    const LEAGUE = `
edge_cases: { auto: true, kinds: [no_children] }
entities:
  tenants: { model: Tenant, count: 2, values: { name: "t{n}", created_on: 2024-01-01 } }
  admin: { model: Role, values: { name: admin, tenant: "@tenants[0]" } }
  users: { model: User, count: 4, values: { email: "u{n}@x.test", tenant: "@tenants[i % 2]" } }
  grants:
    model: PermissionGrant
    count: 4
    values: { user: "@users[i]", role: "@admin", permission: "p{i}" }
  team: { model: Team, values: { name: Ops, budget: "1.00", tenant: "@tenants[1]" } }
`;
    const cases = deriveEdgeCases(planOf(LEAGUE), CRM.models, 'sqlite').cases;
    // Users hold their tenant by a NOT NULL key, spread by `@tenants[i % 2]`: users 0 and 2
    // are the first tenant's, and the grants of those users go with them, row by row.
    expect(cases.find((c) => c.id === 'tenants[0].users=[]')).toEqual({
      id: 'tenants[0].users=[]',
      kind: 'no_children',
      changes: [],
      removedRows: [
        { label: 'users', indexes: [0, 2] },
        { label: 'grants', indexes: [0, 2] },
      ],
      emptied: { label: 'tenants', index: 0, relationship: 'users' },
    });
    // The role is the first tenant's: every grant refers to it, so the whole label goes.
    expect(cases.find((c) => c.id === 'tenants[0].roles=[]')!.removed).toEqual(['admin', 'grants']);
    // The team is the second tenant's: the first has no teams already. Only instance 0 gets cases.
    expect(cases.map((c) => c.id)).toEqual([
      'tenants[0].users=[]',
      'tenants[0].roles=[]',
      'admin.grants=[]',
      'users[0].grants=[]',
    ]);
    expect(cases.find((c) => c.id === 'users[0].grants=[]')!.removedRows).toEqual([
      { label: 'grants', indexes: [0] },
    ]);
  });

  test('no zero-children case that would leave out the parent itself', () => {
    // The compiler refuses labels that refer to each other (FG216), so this plan is written by
    // hand: the tenant refers to `lead`, one of its own users, held by a NOT NULL key.
    const plan = planOf(TEAM);
    const lead: ValueExpr = { kind: 'ref', label: 'lead', index: null, attribute: null };
    const selfish: Plan = {
      ...plan,
      entities: plan.entities.map((e) =>
        e.label === 'globex'
          ? {
              ...e,
              values: [
                ...e.values,
                { attribute: 'owner', value: lead, origin: 'written', collection: false },
              ],
              dependsOn: ['lead'],
            }
          : e,
      ),
    };
    const before = deriveEdgeCases(plan, CRM.models, 'sqlite').cases.map((c) => c.id);
    const after = deriveEdgeCases(selfish, CRM.models, 'sqlite').cases.map((c) => c.id);
    expect(before).toContain('globex.users=[]');
    expect(after).not.toContain('globex.users=[]');
    // Leaving out its teams leaves the tenant in: that case stays.
    expect(after).toContain('globex.teams=[]');
  });

  test('a zero-children case leaves out a list inserted in bulk as any other', () => {
    // insert_rows leaves out the rows its overrides leave out, as the unit of work does.
    const cases = deriveEdgeCases(
      planOf(TEAM.replace('count: 2', 'count: 50')),
      CRM.models,
      'sqlite',
    ).cases;
    const users = cases.find((c) => c.id === 'globex.users=[]');
    expect(users?.removed).toContain('users');
    expect(cases.map((c) => c.id)).toContain('globex.teams=[]');
  });

  test('exclude names a left-out label too', () => {
    const plan = planOf(
      TEAM.replace('edge_cases: auto', 'edge_cases: { auto: true, exclude: [engineering] }'),
    );
    const all = deriveEdgeCases(plan, CRM.models, 'sqlite').cases.map((c) => c.id);
    expect(all).not.toContain('globex.users=[]');
    expect(all).not.toContain('globex.teams=[]');
  });

  test('integer limits follow the database type on PostgreSQL, 64 bits on SQLite', () => {
    const counters = model('app.Counter', {
      columns: [
        column('id', { primaryKey: true, autoincrement: true, type: 'Integer' }),
        column('small', { type: 'SmallInteger', family: 'integer' }),
        column('big', { type: 'BigInteger', family: 'integer' }),
        column('plain', { type: 'Integer', family: 'integer' }),
      ],
    });
    const plan = {
      ...planOf(TEAM),
      entities: [
        {
          label: 'c',
          model: 'app.Counter',
          className: 'Counter',
          module: 'app',
          count: null,
          values: [],
          dependsOn: [],
        },
      ],
    };
    const on = (dialect: string) =>
      deriveEdgeCases(plan, [counters], dialect)
        .cases.filter((c) => c.kind === 'int_limits')
        .map((c) => c.id);
    expect(on('postgresql')).toEqual([
      'c.big=-9223372036854775808',
      'c.big=9223372036854775807',
      'c.plain=-2147483648',
      'c.plain=2147483647',
      'c.small=-32768',
      'c.small=32767',
    ]);
    expect(on('sqlite')).toContain('c.small=9223372036854775807');
  });

  test('options: exclude a label or attribute, only some kinds, at most max', () => {
    const plan = planOf(
      TEAM.replace(
        'edge_cases: auto',
        'edge_cases: { auto: true, exclude: [lead, engineering.budget], kinds: [nulls, enum, max_length], max: 3 }',
      ),
    );
    const derived = deriveEdgeCases(plan, CRM.models, 'sqlite');
    expect(derived.cases.map((c) => c.id)).toEqual([
      "globex.name='x'*100",
      'globex.plan=free',
      'globex.plan=enterprise',
    ]);
    expect(derived.capped).toBeGreaterThan(0);
    const uncapped = deriveEdgeCases(
      { ...plan, edgeCaseOptions: { ...plan.edgeCaseOptions!, max: null } },
      CRM.models,
      'sqlite',
    );
    const all = uncapped.cases.map((c) => c.id);
    expect(all.some((id) => id.startsWith('lead.'))).toBe(false);
    expect(all.some((id) => id.startsWith('engineering.budget'))).toBe(false);
    expect(new Set(uncapped.cases.map((c) => c.kind))).toEqual(
      new Set(['nulls', 'enum', 'max_length']),
    );
  });

  test('refusals recorded for cases that no longer exist are dropped', () => {
    const derived = deriveEdgeCases(planOf(TEAM), CRM.models, 'sqlite', [
      'engineering.budget=-1.00',
      'gone.name=None',
    ]);
    expect(derived.refused).toEqual(['engineering.budget=-1.00']);
  });

  test('unknown names in the options, with positions and a did-you-mean', () => {
    const r = compileOne(
      TEAM.replace(
        'edge_cases: auto',
        'edge_cases:\n  auto: true\n  exclude: [lead.emial, leed]\n  kinds: [nul, enum]',
      ),
    );
    const diagnostics = r.diagnostics;
    expect(diagnostics.map(where)).toEqual([
      { code: 'FG264', line: 4, column: 13 },
      { code: 'FG264', line: 4, column: 25 },
      { code: 'FG265', line: 5, column: 11 },
    ]);
    expect(diagnostics.map((d) => d.hint)).toEqual([
      'did you mean "email"?',
      'did you mean "lead"?',
      'did you mean "nulls"?',
    ]);
  });
});
