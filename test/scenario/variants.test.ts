import { describe, expect, test } from 'vitest';
import { compileOne, planOf, where, yaml } from './helpers.js';

const TEAM = yaml`
  entities:
    acme: { model: Tenant, values: { name: Acme } }
    users:
      model: User
      count: 3
      values: { email: "user{n}@acme.test", tenant: "@acme" }
    roles: { model: Role, count: 2, values: { name: { cycle: [admin, viewer] }, tenant: "@acme" } }
    grants:
      model: PermissionGrant
      count: 4
      values: { user: "@users[i % 3]", role: "@roles[i // 2]", permission: "perm.{i}" }
`;

describe('named variants', () => {
  test('values, another count and a removed label are planned like the base', () => {
    const plan = planOf(
      TEAM +
        yaml`
      variants:
        inactive:
          description: Users who cannot log in.
          entities:
            users: { count: 5, values: { is_active: false } }
        no_grants:
          remove: [grants]
    `,
    );
    const [inactive, noGrants] = plan.variants!;
    expect(inactive!.name).toBe('inactive');
    expect(inactive!.description).toBe('Users who cannot log in.');
    const users = inactive!.entities.find((e) => e.label === 'users')!;
    expect(users.count).toBe(5);
    expect(users.values.map((v) => v.attribute)).toEqual(['email', 'is_active', 'tenant']);
    expect(users.values.find((v) => v.attribute === 'is_active')!.value).toEqual({
      kind: 'literal',
      value: { kind: 'bool', value: false },
    });
    expect(inactive!.expectCounts['crm.models.User']).toBe(5);
    expect(noGrants!.entities.map((e) => e.label)).not.toContain('grants');
    expect(noGrants!.removed).toEqual(['grants']);
    expect(noGrants!.expectCounts['crm.models.PermissionGrant']).toBeUndefined();
    // The base is untouched.
    expect(plan.entities.find((e) => e.label === 'users')!.count).toBe(3);
  });

  test("a variant's wrong value is reported at its own line and column", () => {
    const text =
      TEAM +
      yaml`
      variants:
        inactive:
          entities:
            users: { values: { is_active: maybe } }
    `;
    const r = compileOne(text);
    expect(r.diagnostics.map(where)).toEqual([{ code: 'FG204', line: 15, column: 37 }]);
    expect(r.diagnostics[0]!.message).toMatch(/^variant "inactive": /);
  });

  test('an unknown label gets a did-you-mean; an inherited one says what to do instead', () => {
    const r = compileOne(
      TEAM +
        yaml`
      variants:
        v:
          entities:
            user: { values: { is_active: false } }
    `,
    );
    expect(r.diagnostics.map(where)).toEqual([{ code: 'FG260', line: 15, column: 7 }]);
    expect(r.diagnostics[0]!.hint).toBe('did you mean "users"?');
  });

  test('removing a label something still refers to names the reference', () => {
    const r = compileOne(
      TEAM +
        yaml`
      variants:
        no_users:
          remove: [users]
    `,
    );
    expect(r.diagnostics.map(where)).toEqual([{ code: 'FG263', line: 14, column: 14 }]);
    expect(r.diagnostics[0]!.message).toBe(
      'variant removes "users", but grants.user refers to it (scenarios/test_scenario.yaml:11:21)',
    );
  });

  test('count on a single instance, and a label both changed and removed', () => {
    const r = compileOne(
      TEAM +
        yaml`
      variants:
        v:
          entities:
            acme: { count: 2 }
            grants: { count: 1 }
          remove: [grants]
    `,
    );
    expect(r.diagnostics.map((d) => d.code)).toEqual(['FG261', 'FG262']);
  });

  test('a variant value that breaks a base reference is reported in the variant', () => {
    const r = compileOne(
      TEAM +
        yaml`
      variants:
        fewer:
          entities:
            users: { count: 2 }
            roles: { count: 1 }
    `,
    );
    // grants refer to users[i % 3] and roles[i // 2]: the base's references, in the base's text.
    expect(r.diagnostics.map((d) => [d.code, d.line, d.message.slice(0, 31)])).toEqual([
      ['FG211', 11, 'variant "fewer": index i % 3 re'],
      ['FG211', 11, 'variant "fewer": index i // 2 r'],
    ]);
  });
});
