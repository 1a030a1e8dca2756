import { describe, expect, test } from 'vitest';
import { catalog, column, model } from '../support/catalog-builders.js';
import { compileOne, crmWith, diagnosticOf, planOf, where, withTenant, yaml } from './helpers.js';

describe('models', () => {
  test('unknown model, with a suggestion', () => {
    const d = diagnosticOf(yaml`
      entities:
        acme:
          model: Tenent
    `);
    expect(where(d)).toEqual({ code: 'FG201', line: 3, column: 12 });
    expect(d.hint).toBe('did you mean "Tenant"?');
  });

  test('a bare name defined in two modules is ambiguous and lists the candidates', () => {
    const d = diagnosticOf(
      yaml`
        entities:
          u:
            model: User
      `,
      { models: ['crm'] },
    );
    expect(where(d)).toEqual({ code: 'FG202', line: 3, column: 12 });
    expect(d.message).toContain('crm.legacy.User, crm.models.User');
    expect(d.hint).toBe('write the full name, e.g. model: crm.legacy.User');
  });

  test('module.Class, or a dotted tail naming one class, resolves an ambiguous name', () => {
    for (const name of ['crm.models.User', 'models.User']) {
      const r = compileOne(
        withTenant(yaml`
          u:
            model: ${name}
            values: { email: a@b.c }
        `),
        { models: ['crm'] },
      );
      expect(r.diagnostics).toEqual([]);
      expect(r.plan!.entities.find((e) => e.label === 'u')!.model).toBe('crm.models.User');
    }
  });

  test('lookup is restricted to the models paths of the scenario', () => {
    const d = diagnosticOf(yaml`
      models: crm.models
      entities:
        e:
          model: AuditEvent
    `);
    expect(where(d)).toEqual({ code: 'FG201', line: 4, column: 12 });
    expect(d.hint).toContain('crm.audit.AuditEvent is outside');
    const ok = compileOne(yaml`
      models: [crm.models, crm.audit]
      entities:
        e:
          model: AuditEvent
    `);
    expect(ok.diagnostics).toEqual([]);
  });

  test('an abstract model cannot be created', () => {
    const cat = catalog([model('m.Base', { abstract: true })]);
    const d = diagnosticOf('entities:\n  x: { model: Base }\n', { catalog: cat, models: ['m'] });
    expect(where(d)).toEqual({ code: 'FG219', line: 2, column: 15 });
  });
});

describe('attributes', () => {
  test('unknown attribute, with a suggestion among columns and relationships', () => {
    const d = diagnosticOf(yaml`
      entities:
        acme:
          model: Tenant
          values:
            nmae: Acme
    `);
    expect(where(d)).toEqual({ code: 'FG203', line: 5, column: 7 });
    expect(d.hint).toBe('did you mean "name"?');
    const rel = diagnosticOf(
      withTenant(yaml`
        u:
          model: User
          values:
            email: x@y.z
            tenat: "@acme"
      `),
    );
    expect(where(rel)).toEqual({ code: 'FG203', line: 10, column: 7 });
    expect(rel.hint).toBe('did you mean "tenant"?');
  });

  test('a database column name points to the attribute key', () => {
    const cat = crmWith((m) => {
      m.get('crm.models.Tenant')!.columns.find((c) => c.key === 'name')!.name = 'tenant_name';
    });
    const d = diagnosticOf('entities:\n  a:\n    model: Tenant\n    values: { tenant_name: x }\n', {
      catalog: cat,
    });
    expect(d.code).toBe('FG203');
    expect(d.hint).toContain('the attribute is name');
  });

  test('a view-only relationship cannot be set', () => {
    const cat = crmWith((m) => {
      m.get('crm.models.User')!.relationships.find((r) => r.key === 'reports')!.viewonly = true;
    });
    const d = diagnosticOf(
      withTenant(yaml`
        u:
          model: User
          values:
            email: a@b.c
            reports: []
      `),
      { catalog: cat },
    );
    expect(where(d)).toEqual({ code: 'FG219', line: 10, column: 7 });
  });

  test('a relationship and its own foreign-key column cannot both be written', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        u:
          model: User
          values:
            email: a@b.c
            tenant: "@acme"
            tenant_id: "@acme"
      `),
    );
    expect(where(d)).toEqual({ code: 'FG226', line: 11, column: 7 });
  });
});

describe('literal values', () => {
  test('a value that does not fit the column type', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        u:
          model: User
          values:
            email: a@b.c
            salary: lots
      `),
    );
    expect(where(d)).toEqual({ code: 'FG204', line: 10, column: 15 });
  });

  test('a string longer than the column', () => {
    const d = diagnosticOf(
      `entities:\n  acme:\n    model: Tenant\n    values:\n      name: ${'x'.repeat(101)}\n`,
    );
    expect(where(d)).toEqual({ code: 'FG205', line: 5, column: 13 });
    expect(d.message).toContain('101 characters long; name holds at most 100');
  });

  test('an enum value that is not a member lists the members', () => {
    const d = diagnosticOf(
      'entities:\n  acme:\n    model: Tenant\n    values:\n      name: A\n      plan: gold\n',
    );
    expect(where(d)).toEqual({ code: 'FG206', line: 6, column: 13 });
    expect(d.message).toContain('free, pro, enterprise');
  });

  test('null on a NOT NULL column', () => {
    const d = diagnosticOf(
      'entities:\n  acme:\n    model: Tenant\n    values:\n      name: null\n',
    );
    expect(where(d)).toEqual({ code: 'FG207', line: 5, column: 13 });
  });

  test('null on a relationship over a NOT NULL foreign key', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        u:
          model: User
          values:
            email: a@b.c
            tenant: null
      `),
    );
    expect(where(d)).toEqual({ code: 'FG207', line: 10, column: 15 });
  });

  test('null on a nullable relationship is fine', () => {
    const r = compileOne(
      withTenant(yaml`
        u:
          model: User
          values:
            email: a@b.c
            manager: null
      `),
    );
    expect(r.diagnostics).toEqual([]);
  });

  test('a list on a scalar column, a mapping on a non-JSON column', () => {
    const list = diagnosticOf(
      'entities:\n  acme:\n    model: Tenant\n    values:\n      name: [a, b]\n',
    );
    expect(where(list)).toEqual({ code: 'FG218', line: 5, column: 13 });
    const map = diagnosticOf(
      'entities:\n  acme:\n    model: Tenant\n    values:\n      name: {a: 1}\n',
    );
    expect(where(map)).toEqual({ code: 'FG218', line: 5, column: 13 });
  });

  test('a literal on a relationship suggests the reference', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        u:
          model: User
          values:
            email: a@b.c
            tenant: acme
      `),
    );
    expect(where(d)).toEqual({ code: 'FG218', line: 10, column: 15 });
    expect(d.hint).toBe('did you mean "@acme"?');
  });

  test('invalid interpolation', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        u:
          model: User
          count: 2
          values:
            email: "user{N}@x"
      `),
    );
    // At the placeholder inside the string, not at its opening quote.
    expect(where(d)).toEqual({ code: 'FG217', line: 10, column: 19 });
    expect(d.message).toContain('{N}');
  });

  test('an interpolation is checked for every instance', () => {
    const d = diagnosticOf(
      yaml`
        entities:
          t:
            model: Tenant
            count: 40
            values:
              name: "t{n}"
              created_on: "2024-01-{n}"
      `,
    );
    expect(where(d)).toEqual({ code: 'FG204', line: 7, column: 19 });
    expect(d.message).toContain('for i = 0');
  });
});

describe('interpolated values are checked in the form Python converts at run time', () => {
  const event = (attribute: string, text: string) =>
    compileOne(
      `models: crm.audit\nentities:\n  e:\n    model: AuditEvent\n    count: 3\n    values:\n      ${attribute}: "${text}"\n`,
    ).diagnostics.map((d) => [d.code, d.line, d.column, d.message]);

  test.each([
    ['big', '{n}00'],
    ['score', '0.{n}'],
    ['logged_at', '2024-05-01T09:0{i}'],
    ['happened_at', '2024-05-01T09:0{i}:00+02:00'],
    ['at_time', '09:0{i}:00.250'],
    ['token', '123e4567-e89b-12d3-a456-42661417400{i}'],
    ['payload', 'bytes {n}'],
  ])('%s: "%s" is fine', (attribute, text) => {
    expect(event(attribute, text)).toEqual([]);
  });

  test.each([
    ['big', '0x{n}', 'for i = 0: "0x1" is not in the form of decimal digits'],
    [
      'logged_at',
      '2024-05-01T09:0{i}+02:00',
      'for i = 0: "2024-05-01T09:00+02:00" is not in the form',
    ],
    ['happened_at', '2024-05-01T09:0{i}', 'for i = 0: "2024-05-01T09:00" is not in the form'],
    ['at_time', '9:0{i}', 'for i = 0: "9:00" is not in the form HH:MM[:SS[.ffffff]]'],
    ['level', 'l{n}', 'for i = 0: "l1" is not one of level\'s values: low, high'],
    ['duration', '{n}', 'duration is Interval: {i} and {n} only make'],
  ])('%s: "%s" is refused', (attribute, text, message) => {
    const [d] = event(attribute, text);
    expect(d!.slice(1, 3)).toEqual([7, attribute.length + 9]);
    expect(String(d![3])).toContain(message);
  });
});

describe('references', () => {
  test('unknown label, with a suggestion', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        u:
          model: User
          values:
            email: a@b.c
            tenant: "@acmee"
      `),
    );
    expect(where(d)).toEqual({ code: 'FG208', line: 10, column: 17 });
    expect(d.hint).toBe('did you mean "acme"?');
  });

  test('a reference to an instance of the wrong model', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        r:
          model: Role
          values: { name: admin }
        u:
          model: User
          values:
            email: a@b.c
            tenant: "@r"
      `),
    );
    expect(where(d)).toEqual({ code: 'FG209', line: 13, column: 17 });
    expect(d.message).toBe('@r is a Role, but tenant needs a Tenant');
  });

  test('a list label where one instance is needed', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        users:
          model: User
          count: 2
          values: { email: "u{n}@x" }
        g:
          model: PermissionGrant
          values:
            permission: p
            user: "@users"
            role: "@r"
        r:
          model: Role
          values: { name: admin }
      `),
    );
    expect(where(d)).toEqual({ code: 'FG210', line: 14, column: 15 });
    expect(d.hint).toContain('"@users[0]"');
  });

  test('an index on a single instance', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        u:
          model: User
          values:
            email: a@b.c
            tenant: "@acme[0]"
      `),
    );
    expect(where(d)).toEqual({ code: 'FG212', line: 10, column: 21 });
  });

  test('a constant index out of range', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        users:
          model: User
          count: 3
          values: { email: "u{n}@x" }
        boss:
          model: User
          values:
            email: b@x
            manager: "@users[3]"
      `),
    );
    expect(where(d)).toEqual({ code: 'FG211', line: 14, column: 24 });
    expect(d.message).toBe('index 3, but users has 3 instances (0..2)');
  });

  test.each([
    ['i', 4, 'index i reaches 3 (for i = 3)'],
    ['i % 4', 10, 'index i % 4 reaches 3 (for i = 3)'],
    ['i // 3', 10, 'index i // 3 reaches 3 (for i = 9)'],
  ])('index %s over %i instances out of range', (index, count, message) => {
    const d = diagnosticOf(
      withTenant(yaml`
        users:
          model: User
          count: 3
          values: { email: "u{n}@x" }
        roles:
          model: Role
          count: 3
          values: { name: "r{n}" }
        grants:
          model: PermissionGrant
          count: ${count}
          values:
            permission: p
            user: "@users[${index}]"
            role: "@roles[i % 3]"
      `),
    );
    expect(where(d)).toEqual({ code: 'FG211', line: 19, column: 21 });
    expect(d.message).toBe(`${message}, but users has 3 instances (0..2)`);
  });

  test('indexes inside a cycle only count the instances the item applies to', () => {
    const r = compileOne(
      withTenant(yaml`
        users:
          model: User
          count: 2
          values: { email: "u{n}@x" }
        boss:
          model: User
          count: 4
          values:
            email: "b{n}@x"
            manager: { cycle: ["@users[i // 2]", null] }
      `),
    );
    // i = 0, 2 use the first item: indexes 0 and 1 (fits 2); i // 2 over all four would too.
    expect(r.diagnostics).toEqual([]);
  });

  test.each([
    // The column of the index, of K, of the unclosed [, or of the string for a whole bad reference.
    ['@users[i+1]', 24, 'invalid index "i+1"'],
    ['@users[i % 0]', 28, 'K in "i % K" must be a positive integer, not 0'],
    ['@users[-1]', 24, 'invalid index "-1"'],
    ['@users[0', 23, 'the index must be closed with ]'],
    ['@ users', 16, 'invalid reference "@ users"'],
  ])('invalid reference %s', (ref, column, message) => {
    const d = diagnosticOf(
      withTenant(yaml`
        users:
          model: User
          count: 2
          values: { email: "u{n}@x" }
        boss:
          model: User
          values:
            email: b@x
            manager: "${ref}"
      `),
    );
    expect(where(d)).toEqual({ code: 'FG212', line: 14, column });
    expect(d.message).toContain(message);
  });

  test('a reference on a column that is neither a relationship nor a foreign key', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        u:
          model: User
          values:
            email: "@acme"
      `),
    );
    expect(where(d)).toEqual({ code: 'FG213', line: 9, column: 14 });
    expect(d.hint).toBe('write "@@acme" for the literal text @acme');
  });

  test('a reference cycle names its path', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        a:
          model: User
          values: { email: a@x, manager: "@b" }
        b:
          model: User
          values: { email: b@x, manager: "@a" }
      `),
    );
    expect(where(d)).toEqual({ code: 'FG216', line: 8, column: 38 });
    expect(d.message).toBe('reference cycle: a → b → a');
  });

  test('a single instance referencing itself is a cycle', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        a:
          model: User
          values: { email: a@x, manager: "@a" }
      `),
    );
    expect(where(d)).toEqual({ code: 'FG216', line: 8, column: 38 });
  });

  test('a list may reference its own earlier instances only', () => {
    const ok = compileOne(
      withTenant(yaml`
        users:
          model: User
          count: 4
          values:
            email: "u{n}@x"
            manager: { cycle: [null, "@users[0]"] }
      `),
    );
    expect(ok.diagnostics).toEqual([]);
    const d = diagnosticOf(
      withTenant(yaml`
        users:
          model: User
          count: 4
          values:
            email: "u{n}@x"
            manager: "@users[i // 2]"
      `),
    );
    expect(where(d)).toEqual({ code: 'FG227', line: 11, column: 24 });
    expect(d.message).toBe('users[0] would reference itself');
  });
});

describe('values nobody wrote', () => {
  test('auto-link with no candidate', () => {
    const d = diagnosticOf('entities:\n  u:\n    model: User\n    values: { email: a@x }\n');
    expect(where(d)).toEqual({ code: 'FG214', line: 2, column: 3 });
    expect(d.message).toContain('no Tenant');
  });

  test('auto-link with several candidates lists them', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        globex:
          model: Tenant
          values: { name: Globex }
        u:
          model: User
          values: { email: a@x }
      `),
    );
    expect(where(d)).toEqual({ code: 'FG215', line: 9, column: 3 });
    expect(d.message).toContain('acme (Tenant), globex (Tenant)');
  });

  test('a type that cannot be synthesized', () => {
    const cat = catalog([
      model('m.Thing', {
        columns: [
          column('id', { type: 'Integer', primaryKey: true, autoincrement: true, nullable: false }),
          column('blob', { type: 'PickleType', nullable: false }),
        ],
      }),
    ]);
    const d = diagnosticOf('entities:\n  t:\n    model: Thing\n', { catalog: cat, models: ['m'] });
    expect(where(d)).toEqual({ code: 'FG220', line: 2, column: 3 });
  });
});

describe('scenario keys', () => {
  test('count outside 1..100000', () => {
    for (const count of [0, 100001]) {
      const d = diagnosticOf(`entities:\n  t:\n    model: Tenant\n    count: ${count}\n`);
      expect(where(d)).toEqual({ code: 'FG114', line: 4, column: 12 });
    }
  });

  test('unknown top-level and entity keys, with suggestions', () => {
    const top = diagnosticOf('entites:\n  t:\n    model: Tenant\n');
    expect(where(top)).toEqual({ code: 'FG111', line: 1, column: 1 });
    expect(top.hint).toBe('did you mean "entities"?');
    const inner = diagnosticOf('entities:\n  t:\n    model: Tenant\n    vaules: {}\n');
    expect(where(inner)).toEqual({ code: 'FG111', line: 4, column: 5 });
    expect(inner.hint).toBe('did you mean "values"?');
    const attr = diagnosticOf('entities:\n  t:\n    model: Tenant\n    name: Acme\n');
    expect(attr.hint).toContain('attributes go under values:');
  });
});

describe('more reference rules', () => {
  test('in a list of references each item is one instance', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        users:
          model: User
          count: 2
          values: { email: "u{n}@x" }
        team:
          model: Team
          values: { name: T, budget: 1, members: ["@users"] }
      `),
    );
    expect(where(d)).toEqual({ code: 'FG210', line: 12, column: 47 });
    expect(d.hint).toContain('write "@users" alone to set the whole list');
  });

  test('a foreign key to a table no class maps takes no reference and cannot be auto-linked', () => {
    const cat = catalog([
      model('m.Thing', {
        columns: [
          column('id', { type: 'Integer', primaryKey: true, autoincrement: true, nullable: false }),
          column('owner_id', {
            type: 'Integer',
            nullable: false,
            foreignKeys: [
              { table: 'owner', column: 'id', model: null, attribute: null, ondelete: null },
            ],
          }),
        ],
      }),
    ]);
    const auto = diagnosticOf('entities:\n  t:\n    model: Thing\n', {
      catalog: cat,
      models: ['m'],
    });
    expect(where(auto)).toEqual({ code: 'FG214', line: 2, column: 3 });
    const ref = diagnosticOf(
      'entities:\n  t:\n    model: Thing\n    values: { owner_id: "@t" }\n',
      {
        catalog: cat,
        models: ['m'],
      },
    );
    expect(where(ref)).toEqual({ code: 'FG213', line: 4, column: 25 });
  });

  test('an instance of a subclass fits where its parent class is expected', () => {
    const cat = catalog([
      model('m.Person', {
        columns: [
          column('id', { type: 'Integer', primaryKey: true, autoincrement: true, nullable: false }),
        ],
      }),
      model('m.Customer', {
        inherits: 'm.Person',
        columns: [
          column('id', {
            type: 'Integer',
            primaryKey: true,
            nullable: false,
            foreignKeys: [
              { table: 'person', column: 'id', model: 'm.Person', attribute: 'id', ondelete: null },
            ],
          }),
        ],
      }),
      model('m.Note', {
        columns: [
          column('id', { type: 'Integer', primaryKey: true, autoincrement: true, nullable: false }),
          column('person_id', {
            type: 'Integer',
            nullable: false,
            foreignKeys: [
              { table: 'person', column: 'id', model: 'm.Person', attribute: 'id', ondelete: null },
            ],
          }),
        ],
      }),
    ]);
    const r = compileOne('entities:\n  c: { model: Customer }\n  n: { model: Note }\n', {
      catalog: cat,
      models: ['m'],
    });
    expect(r.diagnostics).toEqual([]);
    expect(
      r.plan!.entities.map((e) => [e.label, e.values.map((v) => [v.attribute, v.origin])]),
    ).toEqual([
      ['c', []],
      ['n', [['person_id', 'autolink']]],
    ]);
    expect(r.plan!.expectCounts).toEqual({ 'm.Customer': 1, 'm.Note': 1, 'm.Person': 1 });
  });
});

describe('uniqueness clashes the plan can see (FG228)', () => {
  test('a constant on a unique column of a list label, at the value, with a per-instance hint', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        users:
          model: User
          count: 3
          values:
            email: same@acme.test
      `),
    );
    expect(where(d)).toEqual({ code: 'FG228', line: 10, column: 14 });
    expect(d.message).toBe(
      'users: its 3 instances would all have email = "same@acme.test", but email is unique in user_account',
    );
    expect(d.hint).toContain('email: "same{n}@acme.test"');
  });

  test('a cycle shorter than the count on a composite unique key', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        roles:
          model: Role
          count: 3
          values:
            name: { cycle: [admin, viewer] }
      `),
    );
    expect(d.code).toBe('FG228');
    expect(d.message).toBe(
      'roles[0] and roles[2] would both have (tenant_id, name) = (@acme, "admin"), but (tenant_id, name) is unique together in role',
    );
    expect(d.line).toBe(10);
    expect(d.hint).toContain('give it at least 3 distinct items');
  });

  test('two labels writing the same literal; the other one is named with its position', () => {
    const d = diagnosticOf(yaml`
      entities:
        acme: { model: Tenant, values: { name: Acme } }
        globex: { model: Tenant, values: { name: Acme } }
    `);
    expect(where(d)).toEqual({ code: 'FG228', line: 3, column: 44 });
    expect(d.message).toBe(
      'globex would have name = "Acme", like acme (scenarios/test_scenario.yaml:2:42), but name is unique in tenant',
    );
  });

  test('an interpolation equal to another label’s literal clashes; NULL and per-instance values do not', () => {
    const d = diagnosticOf(
      withTenant(yaml`
        users:
          model: User
          count: 3
          values: { email: "u{n}@x.test" }
        third:
          model: User
          values: { email: u3@x.test }
      `),
    );
    expect(d.message).toContain('third would have email = "u3@x.test", like users[2]');
    planOf(
      withTenant(yaml`
        roles:
          model: Role
          count: 4
          values:
            name: { cycle: [a, b, c, d] }
        users:
          model: User
          count: 3
          values: { email: "u{n}@x.test" }
      `),
    );
  });
});
