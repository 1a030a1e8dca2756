import { describe, expect, test } from 'vitest';
import type { IndexExpr, Plan, PlanValue, ValueExpr } from '../../src/plan/types.js';
import { compileScenarios } from '../../src/scenario/index.js';
import { column, pythonEnum } from '../support/catalog-builders.js';
import { FORMAT_EXAMPLE } from './fixtures.js';
import { compileOne, CRM, entity, planOf, value, withModel, withTenant, yaml } from './helpers.js';

const str = (v: string) => ({ kind: 'literal', value: { kind: 'str', value: v } }) as const;
const ref = (label: string, index: IndexExpr | null = null, attribute: string | null = null) =>
  ({ kind: 'ref', label, index, attribute }) as const;
const written = (attribute: string, v: ValueExpr, collection = false): PlanValue => ({
  attribute,
  value: v,
  origin: 'written',
  collection,
});

describe('the format example', () => {
  test('gives the expected plan', () => {
    const plan = planOf(FORMAT_EXAMPLE, { file: 'scenarios/tenant_with_team.yaml' });
    expect({ ...plan, canonical: '…' }).toEqual({
      name: 'tenant_with_team',
      className: 'TenantWithTeam',
      description: 'A tenant with three users, two roles and ten permission grants.',
      source: 'scenarios/tenant_with_team.yaml',
      extends: [],
      inherited: [],
      entities: [
        {
          label: 'acme',
          model: 'crm.models.Tenant',
          className: 'Tenant',
          module: 'crm.models',
          count: null,
          values: [
            {
              attribute: 'created_on',
              value: {
                kind: 'synth',
                expr: { kind: 'literal', value: { kind: 'date', year: 2000, month: 1, day: 1 } },
              },
              origin: 'synth',
              collection: false,
            },
            written('name', str('Acme Corp')),
          ],
          dependsOn: [],
        },
        {
          label: 'roles',
          model: 'crm.models.Role',
          className: 'Role',
          module: 'crm.models',
          count: 2,
          values: [
            written('name', { kind: 'cycle', items: [str('admin'), str('viewer')] }),
            written('tenant', ref('acme')),
          ],
          dependsOn: ['acme'],
        },
        {
          label: 'users',
          model: 'crm.models.User',
          className: 'User',
          module: 'crm.models',
          count: 3,
          values: [
            written('email', {
              kind: 'interpolate',
              parts: ['user', { var: 'n' }, '@acme.test'],
              convert: 'string',
            }),
            written('tenant', ref('acme')),
          ],
          dependsOn: ['acme'],
        },
        {
          label: 'grants',
          model: 'crm.models.PermissionGrant',
          className: 'PermissionGrant',
          module: 'crm.models',
          count: 10,
          values: [
            written('permission', {
              kind: 'interpolate',
              parts: ['perm.', { var: 'i' }],
              convert: 'string',
            }),
            written('role', ref('roles', { kind: 'div', k: 5 })),
            written('user', ref('users', { kind: 'mod', k: 3 })),
          ],
          dependsOn: ['roles', 'users'],
        },
      ],
      models: [
        'crm.models.PermissionGrant',
        'crm.models.Role',
        'crm.models.Tenant',
        'crm.models.User',
      ],
      expectCounts: {
        'crm.models.PermissionGrant': 10,
        'crm.models.Role': 2,
        'crm.models.Tenant': 1,
        'crm.models.User': 3,
      },
      edgeCases: null,
      canonical: '…',
    } satisfies Plan);
  });

  test('canonical is the parsed document as JSON with sorted keys', () => {
    const plan = planOf(FORMAT_EXAMPLE);
    const parsed = JSON.parse(plan.canonical) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['description', 'entities']);
    expect(plan.canonical).toContain('"acme":{"model":"Tenant","values":{"name":"Acme Corp"}}');
    // Comments and formatting do not change it.
    const reformatted = FORMAT_EXAMPLE.replace(/ +#.*$/gm, '').replace(
      'name: Acme Corp',
      'name: "Acme Corp"',
    );
    expect(planOf(reformatted).canonical).toBe(plan.canonical);
  });

  test('is deterministic: the same input gives deep-equal plans, whatever the input order', () => {
    const inputs = [
      { file: 'scenarios/a.yaml', text: FORMAT_EXAMPLE },
      {
        file: 'scenarios/b.yaml',
        text: 'extends: a\nentities:\n  more:\n    model: User\n    values: { email: m@x }\n',
      },
    ];
    const one = compileScenarios(inputs, CRM, { defaultModels: ['crm.models'] });
    const two = compileScenarios([...inputs].reverse(), CRM, { defaultModels: ['crm.models'] });
    expect(one.failures).toEqual([]);
    expect(two).toEqual(one);
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
  });
});

describe('values', () => {
  const users = (values: string, count = 3, more = '') =>
    withTenant(
      `users:\n  model: User\n  count: ${count}\n  values:\n    email: "u{n}@x"\n${values}${more}`,
    );

  test('a reference on a foreign-key column reads the referenced column', () => {
    const plan = planOf(
      withTenant('u:\n  model: User\n  values:\n    email: a@x\n    tenant_id: "@acme"\n'),
    );
    expect(value(plan, 'u', 'tenant_id')).toEqual(written('tenant_id', ref('acme', null, 'id')));
    expect(value(plan, 'u', 'tenant')).toBeUndefined();
  });

  test('@@ is a literal @', () => {
    const plan = planOf(withTenant('u:\n  model: User\n  values:\n    email: "@@handle"\n'));
    expect(value(plan, 'u', 'email')!.value).toEqual(str('@handle'));
  });

  test('a string with only escaped braces is a literal', () => {
    const plan = planOf(withTenant('u:\n  model: User\n  values:\n    email: "{{x}}@y"\n'));
    expect(value(plan, 'u', 'email')!.value).toEqual(str('{x}@y'));
  });

  test('interpolation converts for the column type', () => {
    const plan = planOf(
      yaml`
        entities:
          t:
            model: Tenant
            count: 3
            values:
              name: "t{n}"
              created_on: "2024-05-0{n}"
              plan: { cycle: [free, pro] }
      `,
    );
    expect(value(plan, 't', 'created_on')!.value).toEqual({
      kind: 'interpolate',
      parts: ['2024-05-0', { var: 'n' }],
      convert: 'date',
    });
    const line = planOf(
      yaml`
        models: crm.audit
        entities:
          e:
            model: AuditEvent
            count: 2
            values: { big: "{n}00", level: low }
      `,
    );
    expect(value(line, 'e', 'big')!.value).toEqual({
      kind: 'interpolate',
      parts: [{ var: 'n' }, '00'],
      convert: 'integer',
    });
  });

  test('an interpolated Python enum gives member names', () => {
    const cat = withModel(CRM, 'crm.models.Tenant', (m) => ({
      ...m,
      columns: [
        ...m.columns,
        column('tier', {
          type: 'Enum',
          table: 'tenant',
          enum: pythonEnum('crm.models', 'Tier', [
            ['TIER1', 1],
            ['TIER2', 2],
            ['TIER3', 3],
          ]),
        }),
      ],
    }));
    const text = (count: number) =>
      `entities:\n  t:\n    model: Tenant\n    count: ${count}\n    values: { name: "t{n}", tier: "TIER{n}" }\n`;
    expect(value(planOf(text(3), { catalog: cat }), 't', 'tier')!.value).toEqual({
      kind: 'interpolate',
      parts: ['TIER', { var: 'n' }],
      convert: 'enum',
      enumModule: 'crm.models',
      enumClass: 'Tier',
    });
    const d = compileOne(text(4), { catalog: cat }).diagnostics;
    expect(d.map((x) => [x.code, x.line, x.column, x.message])).toEqual([
      [
        'FG206',
        5,
        35,
        'for i = 3 the value "TIER4" is not a member name of Tier: TIER1, TIER2, TIER3',
      ],
    ]);
  });

  test('cycles of references, nulls and literals', () => {
    const plan = planOf(
      users('    manager: { cycle: [null, "@users[0]", "@users[i // 2]"] }\n', 6),
    );
    expect(value(plan, 'users', 'manager')!.value).toEqual({
      kind: 'cycle',
      items: [
        { kind: 'literal', value: { kind: 'none' } },
        ref('users', { kind: 'const', value: 0 }),
        ref('users', { kind: 'div', k: 2 }),
      ],
    });
    // A self-reference is not a dependency edge.
    expect(entity(plan, 'users').dependsOn).toEqual(['acme']);
  });

  test('collections: a list of references, a whole list label, one instance', () => {
    const plan = planOf(
      users(
        '',
        3,
        yaml`
          team:
            model: Team
            values: { name: T, budget: 10, members: "@users" }
          pair:
            model: Team
            values: { name: P, budget: 1.5, members: ["@users[0]", "@boss"] }
          solo:
            model: Team
            values: { name: S, budget: "0", members: "@boss" }
          boss:
            model: User
            values: { email: b@x }
        `,
      ),
    );
    expect(value(plan, 'team', 'members')).toEqual(written('members', ref('users'), true));
    expect(value(plan, 'pair', 'members')).toEqual(
      written(
        'members',
        { kind: 'refList', items: [ref('users', { kind: 'const', value: 0 }), ref('boss')] },
        true,
      ),
    );
    expect(value(plan, 'solo', 'members')).toEqual(
      written('members', { kind: 'refList', items: [ref('boss')] }, true),
    );
    expect(value(plan, 'team', 'budget')!.value).toEqual({
      kind: 'literal',
      value: { kind: 'decimal', value: '10' },
    });
    expect(value(plan, 'pair', 'budget')!.value).toEqual({
      kind: 'literal',
      value: { kind: 'decimal', value: '1.5' },
    });
  });

  test('a one-to-many collection fills the foreign keys of its rows: no auto-link for them', () => {
    const plan = planOf(
      yaml`
        entities:
          acme:
            model: Tenant
            values: { name: Acme, users: "@staff" }
          globex:
            model: Tenant
            values: { name: Globex }
          staff:
            model: User
            count: 2
            values: { email: "s{n}@x" }
      `,
    );
    expect(value(plan, 'staff', 'tenant')).toBeUndefined();
    expect(plan.entities.map((e) => e.label)).toEqual(['globex', 'staff', 'acme']);
  });
});

describe('values nobody wrote', () => {
  test('a NOT NULL foreign key auto-links to the only instance, through its relationship', () => {
    const plan = planOf(withTenant('u:\n  model: User\n  values:\n    email: a@x\n'));
    expect(value(plan, 'u', 'tenant')).toEqual({
      attribute: 'tenant',
      value: ref('acme'),
      origin: 'autolink',
      collection: false,
    });
    expect(value(plan, 'u', 'tenant_id')).toBeUndefined();
    // Nullable columns, defaults and autoincrement keys are left alone.
    expect(entity(plan, 'u').values.map((v) => v.attribute)).toEqual(['email', 'tenant']);
  });

  test('auto-link to a list of one instance indexes it; to an inherited label too', () => {
    const plan = planOf(
      'entities:\n  t:\n    model: Tenant\n    count: 1\n    values: { name: "t{n}" }\n  u:\n    model: User\n    values: { email: a@x }\n',
    );
    expect(value(plan, 'u', 'tenant')!.value).toEqual(ref('t', { kind: 'const', value: 0 }));
  });

  test('without a relationship, the foreign-key column links to the referenced attribute', () => {
    const cat = withModel(CRM, 'crm.models.User', (m) => ({
      ...m,
      relationships: m.relationships.filter((r) => r.key !== 'tenant'),
    }));
    const plan = planOf(withTenant('u:\n  model: User\n  values:\n    email: a@x\n'), {
      catalog: cat,
    });
    expect(value(plan, 'u', 'tenant_id')).toEqual({
      attribute: 'tenant_id',
      value: ref('acme', null, 'id'),
      origin: 'autolink',
      collection: false,
    });
  });

  test('synthesized values are distinct per instance where a unique key covers the column', () => {
    const plan = planOf(
      withTenant(yaml`
        users:
          model: User
          count: 3
        roles:
          model: Role
          count: 2
      `),
    );
    const synth = (label: string, attribute: string) => {
      const v = value(plan, label, attribute)!;
      expect(v.origin).toBe('synth');
      return v.value.kind === 'synth' ? v.value.expr : null;
    };
    expect(synth('users', 'email')).toEqual({
      kind: 'interpolate',
      parts: ['users-', { var: 'n' }],
      convert: 'string',
    });
    expect(synth('roles', 'name')).toEqual({
      kind: 'interpolate',
      parts: ['roles-', { var: 'n' }],
      convert: 'string',
    });
    expect(synth('acme', 'created_on')).toEqual({
      kind: 'literal',
      value: { kind: 'date', year: 2000, month: 1, day: 1 },
    });
  });

  test('synthesized keys of other types: short strings, small integers, dates, UUIDs', () => {
    const plan = planOf(
      yaml`
        models: crm.audit
        entities:
          first:
            model: Setting
            count: 3
          second:
            model: Setting
      `,
    );
    const expr = (label: string, attribute: string) => {
      const v = value(plan, label, attribute)!.value;
      return v.kind === 'synth' ? v.expr : v;
    };
    // "first-{n}" does not fit String(6): a prefix-free code word per label, then n; "second" fits.
    expect(expr('first', 'key')).toEqual({
      kind: 'interpolate',
      parts: ['1', { var: 'n' }],
      convert: 'string',
    });
    expect(expr('second', 'key')).toEqual({
      kind: 'literal',
      value: { kind: 'str', value: 'second' },
    });
    expect(expr('first', 'seq')).toEqual({
      kind: 'interpolate',
      parts: ['1', { var: 'n' }],
      convert: 'integer',
    });
    expect(expr('second', 'seq')).toEqual({ kind: 'literal', value: { kind: 'int', value: '2' } });
    expect(expr('first', 'day')).toEqual({
      kind: 'cycle',
      items: [1, 2, 3].map((day) => ({
        kind: 'literal',
        value: { kind: 'date', year: 2000, month: 1, day },
      })),
    });
    expect(expr('second', 'day')).toEqual({
      kind: 'literal',
      value: { kind: 'date', year: 2000, month: 1, day: 4 },
    });
    const uuids = expr('first', 'token');
    expect(uuids.kind).toBe('cycle');
    const texts =
      uuids.kind === 'cycle'
        ? uuids.items.map((i) =>
            i.kind === 'literal' && i.value.kind === 'uuid' ? i.value.value : '',
          )
        : [];
    expect(new Set(texts).size).toBe(3);
    for (const t of texts)
      expect(t).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(expr('first', 'value')).toEqual({ kind: 'literal', value: { kind: 'json', value: {} } });
  });

  test('too-short columns fall back to code words, then fail', () => {
    const plan = planOf(
      'models: crm.audit\nentities:\n  long_label:\n    model: Setting\n    count: 12\n',
    );
    const key = value(plan, 'long_label', 'key')!.value;
    expect(key).toEqual({
      kind: 'synth',
      expr: { kind: 'interpolate', parts: ['1', { var: 'n' }], convert: 'string' },
    });
  });

  test('joined inheritance: the child key and the discriminator are left to the ORM', () => {
    const plan = planOf('models: crm.people\nentities:\n  c:\n    model: Customer\n');
    expect(entity(plan, 'c').values.map((v) => [v.attribute, v.origin])).toEqual([
      ['name', 'synth'],
      ['vip', 'synth'],
    ]);
    expect(plan.expectCounts).toEqual({ 'crm.people.Customer': 1, 'crm.people.Person': 1 });
    expect(plan.models).toEqual(['crm.people.Customer', 'crm.people.Person']);
  });
});

describe('creation order', () => {
  test('dependencies first, ties by label, whatever the file order', () => {
    const plan = planOf(
      yaml`
        entities:
          zeta:
            model: User
            values: { email: z@x, manager: "@alpha" }
          beta:
            model: Team
            values: { name: B, budget: 1 }
          alpha:
            model: User
            values: { email: a@x }
          acme:
            model: Tenant
            values: { name: Acme }
      `,
    );
    expect(plan.entities.map((e) => e.label)).toEqual(['acme', 'alpha', 'beta', 'zeta']);
  });
});

describe('expect counts', () => {
  test('derived per model and its ancestors, overridden by expect.counts', () => {
    const plan = planOf(
      yaml`
        models: [crm.models, crm.people]
        entities:
          p: { model: Person }
          c: { model: Customer, count: 2 }
        expect:
          counts:
            Person: 5
            Tenant: 0
      `,
    );
    expect(plan.expectCounts).toEqual({
      'crm.models.Tenant': 0,
      'crm.people.Customer': 2,
      'crm.people.Person': 5,
    });
  });

  test('an unknown model in expect.counts', () => {
    const r = compileOne('expect:\n  counts:\n    Usr: 1\n');
    expect(r.diagnostics.map((d) => [d.code, d.line, d.column, d.hint])).toEqual([
      ['FG201', 3, 5, 'did you mean "User"?'],
    ]);
  });
});
