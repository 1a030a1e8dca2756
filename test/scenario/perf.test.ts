import { expect, test } from 'vitest';
import { planOf, yaml } from './helpers.js';

test('a count of 100000 stays one plan node and compiles quickly', () => {
  const started = performance.now();
  const plan = planOf(yaml`
    entities:
      acme: { model: Tenant, values: { name: Acme } }
      users:
        model: User
        count: 100000
        values:
          email: "user{n}@acme.test"
          manager: { cycle: [null, "@users[i // 2]"] }
      roles: { model: Role, count: 2 }
      grants:
        model: PermissionGrant
        count: 100000
        values:
          user: "@users[i]"
          role: "@roles[i // 50000]"
          permission: "perm.{i}"
  `);
  const elapsed = performance.now() - started;
  expect(plan.entities.find((e) => e.label === 'grants')!.values).toHaveLength(3);
  expect(plan.expectCounts['crm.models.User']).toBe(100000);
  expect(elapsed).toBeLessThan(5000);
});
