import { describe, expect, test } from 'vitest';
import { compileScenarios } from '../../src/scenario/index.js';
import { CRM, where } from './helpers.js';

const OPTS = { defaultModels: ['crm.models'] };

function compile(files: Record<string, string>) {
  return compileScenarios(
    Object.entries(files).map(([file, text]) => ({ file, text })),
    CRM,
    OPTS,
  );
}

const BASE = 'entities:\n  acme:\n    model: Tenant\n    values: { name: Acme }\n';

describe('names', () => {
  test('the file stem, unless name: says otherwise; plans sorted by name', () => {
    const r = compile({
      'scenarios/b/zeta.yaml': BASE,
      'scenarios/a.yml': `name: alpha\n${BASE}`,
    });
    expect(r.failures).toEqual([]);
    expect(r.plans.map((p) => [p.name, p.className, p.source])).toEqual([
      ['alpha', 'Alpha', 'scenarios/a.yml'],
      ['zeta', 'Zeta', 'scenarios/b/zeta.yaml'],
    ]);
  });

  test('a file stem that is not a fixture name needs name:', () => {
    const r = compile({ 'scenarios/my-team.yaml': BASE });
    expect(r.failures[0]!.diagnostics.map(where)).toEqual([{ code: 'FG116', line: 1, column: 1 }]);
    expect(r.failures[0]!.diagnostics[0]!.hint).toContain('name: my_team');
  });

  test('a name used twice fails both scenarios, each naming the other', () => {
    const r = compile({
      'scenarios/one.yaml': `name: shared\n${BASE}`,
      'scenarios/shared.yaml': BASE,
      'scenarios/other.yaml': BASE,
    });
    expect(r.plans.map((p) => p.name)).toEqual(['other']);
    expect(r.failures.map((f) => [f.file, f.name, f.diagnostics.map((d) => d.message)])).toEqual([
      [
        'scenarios/one.yaml',
        'shared',
        ['scenario name "shared" is also used by scenarios/shared.yaml:1:1'],
      ],
      [
        'scenarios/shared.yaml',
        'shared',
        ['scenario name "shared" is also used by scenarios/one.yaml:1:7'],
      ],
    ]);
    expect(where(r.failures[0]!.diagnostics[0]!)).toEqual({ code: 'FG225', line: 1, column: 7 });
  });

  test('a broken scenario does not stop the others; failures sorted by file', () => {
    const r = compile({
      'scenarios/z.yaml': 'entities: [\n',
      'scenarios/ok.yaml': BASE,
      'scenarios/a.yaml': 'entities:\n  x:\n    model: Nope\n',
    });
    expect(r.plans.map((p) => p.name)).toEqual(['ok']);
    expect(r.failures.map((f) => [f.file, f.name, f.diagnostics[0]!.code])).toEqual([
      ['scenarios/a.yaml', 'a', 'FG201'],
      ['scenarios/z.yaml', null, 'FG105'],
    ]);
  });
});

describe('extends', () => {
  const USERS =
    'extends: base\nentities:\n  users:\n    model: User\n    count: 2\n    values: { email: "u{n}@x" }\n';

  test('labels of the extended scenario are visible, inherited in creation order', () => {
    const r = compile({
      'scenarios/base.yaml': BASE,
      'scenarios/with_users.yaml': USERS,
      'scenarios/with_roles.yaml':
        'extends: [with_users]\nentities:\n  admin:\n    model: Role\n    values: { name: admin, tenant: "@acme" }\n  g:\n    model: PermissionGrant\n    values: { user: "@users[1]", role: "@admin", permission: p }\n',
    });
    expect(r.failures).toEqual([]);
    const roles = r.plans.find((p) => p.name === 'with_roles')!;
    expect(roles.extends).toEqual(['with_users']);
    expect(roles.inherited).toEqual([
      {
        scenario: 'base',
        label: 'acme',
        model: 'crm.models.Tenant',
        className: 'Tenant',
        module: 'crm.models',
        count: null,
      },
      {
        scenario: 'with_users',
        label: 'users',
        model: 'crm.models.User',
        className: 'User',
        module: 'crm.models',
        count: 2,
      },
    ]);
    expect(roles.entities.map((e) => [e.label, e.dependsOn])).toEqual([
      ['admin', ['acme']],
      ['g', ['admin', 'users']],
    ]);
    expect(roles.expectCounts).toEqual({
      'crm.models.PermissionGrant': 1,
      'crm.models.Role': 1,
      'crm.models.Tenant': 1,
      'crm.models.User': 2,
    });
    // Auto-link reaches the inherited tenant.
    const users = r.plans.find((p) => p.name === 'with_users')!;
    expect(users.entities[0]!.values.find((v) => v.attribute === 'tenant')).toMatchObject({
      origin: 'autolink',
      value: { kind: 'ref', label: 'acme' },
    });
  });

  test('a diamond is not a clash; the shared labels appear once', () => {
    const r = compile({
      'scenarios/base.yaml': BASE,
      'scenarios/left.yaml':
        'extends: base\nentities:\n  l:\n    model: Role\n    values: { name: l }\n',
      'scenarios/right.yaml':
        'extends: base\nentities:\n  r:\n    model: Role\n    values: { name: r }\n',
      'scenarios/both.yaml': 'extends: [left, right]\n',
    });
    expect(r.failures).toEqual([]);
    expect(r.plans.find((p) => p.name === 'both')!.inherited.map((l) => l.label)).toEqual([
      'acme',
      'l',
      'r',
    ]);
  });

  test('unknown scenario, with a suggestion', () => {
    const r = compile({ 'scenarios/base.yaml': BASE, 'scenarios/x.yaml': 'extends: [bsae]\n' });
    const d = r.failures[0]!.diagnostics[0]!;
    expect(where(d)).toEqual({ code: 'FG221', line: 1, column: 11 });
    expect(d.hint).toBe('did you mean "base"?');
  });

  test('a cycle fails every scenario on it', () => {
    const r = compile({
      'scenarios/a.yaml': 'extends: b\n',
      'scenarios/b.yaml': 'extends: [c]\n',
      'scenarios/c.yaml': 'extends: a\n',
      'scenarios/d.yaml': 'extends: a\n',
      'scenarios/self.yaml': 'extends: self\n',
    });
    expect(r.plans).toEqual([]);
    expect(
      r.failures.map((f) => [
        f.file,
        ...f.diagnostics.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`),
      ]),
    ).toEqual([
      ['scenarios/a.yaml', 'FG222 1:10 extends cycle: a → b → c → a'],
      ['scenarios/b.yaml', 'FG222 1:11 extends cycle: b → c → a → b'],
      ['scenarios/c.yaml', 'FG222 1:10 extends cycle: c → a → b → c'],
      ['scenarios/d.yaml', 'FG223 1:10 extends "a", which has errors'],
      ['scenarios/self.yaml', 'FG222 1:10 extends cycle: self → self'],
    ]);
  });

  test('extending a failed scenario fails with a diagnostic saying so', () => {
    const r = compile({
      'scenarios/base.yaml': 'entities:\n  acme:\n    model: Tenat\n',
      'scenarios/child.yaml': 'extends: base\n',
    });
    const child = r.failures.find((f) => f.name === 'child')!;
    expect(child.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([
      ['FG223', 'extends "base", which has errors', 'fix scenarios/base.yaml first'],
    ]);
  });

  test('a scenario extending a failed one still reports its own errors', () => {
    const r = compile({
      'scenarios/base.yaml': 'entities:\n  acme:\n    model: Tenant\n    values: {nmae: x}\n',
      'scenarios/child.yaml':
        'extends: base\nentities:\n  bob:\n    model: Usr\n  ann:\n    model: Tenant\n    values: {name: "@acme", plan: "@nobody"}\n',
    });
    const child = r.failures.find((f) => f.name === 'child')!;
    expect(child.diagnostics.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`)).toEqual([
      'FG223 1:10 extends "base", which has errors',
      'FG201 4:12 unknown model "Usr"',
      'FG213 7:20 name is neither a relationship nor a foreign-key column, so it cannot take the reference @acme',
      'FG208 7:37 unknown label "nobody" in @nobody',
    ]);
  });

  test('a parent that does not even parse hides its labels: none is reported unknown', () => {
    const r = compile({
      'scenarios/base.yaml': 'entities:\n  acme: [\n',
      'scenarios/child.yaml':
        'extends: base\nentities:\n  ann:\n    model: Tenant\n    values: {nmae: "@acme"}\n',
    });
    const child = r.failures.find((f) => f.file === 'scenarios/child.yaml')!;
    expect(child.diagnostics.map((d) => d.code)).toEqual(['FG223', 'FG203']);
  });

  test('a label defined again clashes with the inherited one', () => {
    const r = compile({
      'scenarios/base.yaml': BASE,
      'scenarios/child.yaml': 'extends: base\nentities:\n  acme:\n    model: Tenant\n',
    });
    expect(r.failures[0]!.diagnostics.map(where)).toEqual([{ code: 'FG224', line: 3, column: 3 }]);
  });

  test('two extended scenarios defining the same label clash', () => {
    const r = compile({
      'scenarios/one.yaml': BASE,
      'scenarios/two.yaml': BASE,
      'scenarios/both.yaml': 'extends: [one, two]\n',
    });
    const both = r.failures.find((f) => f.name === 'both')!;
    expect(both.diagnostics.map((d) => [d.code, d.line, d.column, d.message])).toEqual([
      [
        'FG224',
        1,
        16,
        'label "acme" is defined by both one (scenarios/one.yaml:2:3) and two (scenarios/two.yaml:2:3)',
      ],
    ]);
  });
});

describe('scope', () => {
  const run = (
    files: Record<string, string>,
    options: Record<string, unknown> = {},
    catalog = CRM,
  ) =>
    compileScenarios(
      Object.entries(files).map(([file, text]) => ({ file, text })),
      catalog,
      { ...OPTS, ...options },
    );
  const scoped = `scope: session\n${BASE}`;

  test('a scope is kept in the plan, and the configured one applies to scenarios without one', () => {
    const r = run(
      { 'scenarios/a.yaml': scoped, 'scenarios/b.yaml': BASE },
      { defaultScope: 'module' },
    );
    expect(r.plans.map((p) => [p.name, p.scope])).toEqual([
      ['a', 'session'],
      ['b', 'module'],
    ]);
  });

  test('FG240: a scope wider than per test with a session_fixture of the project', () => {
    const r = run({ 'scenarios/a.yaml': scoped }, { sessionFixture: 'my_session' });
    expect(r.failures[0]!.diagnostics.map(where)).toEqual([{ code: 'FG240', line: 1, column: 8 }]);
  });

  test('FG241: a scenario that lives longer than one it extends', () => {
    const r = run({
      'scenarios/base.yaml': BASE,
      'scenarios/child.yaml':
        'scope: session\nextends: base\nentities:\n  bob: { model: User, values: { email: b@x.test, tenant: "@acme" } }\n',
    });
    expect(r.failures.map((f) => f.diagnostics.map(where))).toEqual([
      [{ code: 'FG241', line: 2, column: 10 }],
    ]);
  });

  test('FG242: a scope wider than per test with async: true, at the scope line or the first line', () => {
    const own = run({ 'scenarios/a.yaml': `name: a\n${scoped}` }, { async: true });
    expect(own.failures[0]!.diagnostics.map(where)).toEqual([
      { code: 'FG242', line: 2, column: 8 },
    ]);
    expect(own.failures[0]!.diagnostics[0]!.hint).toContain('scope: function');
    const configured = run({ 'scenarios/b.yaml': BASE }, { async: true, defaultScope: 'module' });
    expect(configured.failures[0]!.diagnostics.map(where)).toEqual([
      { code: 'FG242', line: 1, column: 1 },
    ]);
    expect(run({ 'scenarios/c.yaml': BASE }, { async: true }).failures).toEqual([]);
  });

  test('FG243: a scope wider than per test on SQLAlchemy 1.4', () => {
    const r = run({ 'scenarios/a.yaml': scoped }, {}, { ...CRM, sqlalchemyVersion: '1.4.54' });
    expect(r.failures[0]!.diagnostics.map(where)).toEqual([{ code: 'FG243', line: 1, column: 8 }]);
    expect(r.failures[0]!.diagnostics[0]!.message).toContain('1.4.54');
  });
});
