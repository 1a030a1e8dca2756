/**
 * The builtin renderer on compiled plans (the CRM catalog as the helper reports it): the Python it
 * writes for each value form, for flush placement, for extends, and for imports. Running that
 * Python is the golden cases' job (test/cases/*); here the text itself is the subject.
 */
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/types.js';
import { renderScenarioModule } from '../../src/generate/builtin/index.js';
import type { Plan } from '../../src/plan/types.js';
import { compileScenarios } from '../../src/scenario/index.js';
import { convertLiteral } from '../../src/scenario/convert.js';
import { renderLiteral } from '../../src/generate/builtin/pyexpr.js';
import type { ExprContext } from '../../src/generate/builtin/pyexpr.js';
import { CRM, compileOne, diagnosticOf, yaml } from '../scenario/helpers.js';
import { column } from '../support/catalog-builders.js';

function compileAll(
  files: Record<string, string>,
  catalog: Catalog = CRM,
  models: readonly string[] = ['crm.models'],
): Map<string, Plan> {
  const inputs = Object.entries(files).map(([name, text]) => ({
    file: `scenarios/${name}.yaml`,
    text,
  }));
  const result = compileScenarios(inputs, catalog, { defaultModels: models });
  expect(result.failures, JSON.stringify(result.failures, null, 1)).toEqual([]);
  return new Map(result.plans.map((p) => [p.name, p]));
}

function render(plans: Map<string, Plan>, name: string, catalog: Catalog = CRM): string {
  return renderScenarioModule(plans.get(name)!, {
    catalog,
    packageName: 'generated',
    sessionFixture: 'db_session',
    plans,
  });
}

/** The body of `create_<name>` (from its docstring to the return). */
/**
 * The statements of `create_<name>` that create rows: after its signature (which may span lines),
 * without the variant and override checks and hooks (test/cases/variants covers those).
 */
function createBody(module: string): string {
  const start = module.indexOf('\n', module.indexOf(') -> ', module.indexOf('def create_')));
  return module
    .slice(start + 1, module.indexOf('\n    return '))
    .split('\n')
    .filter((line) => !/^\s*(check_scenario_call|apply_overrides)\(/.test(line))
    .join('\n');
}

const one = (text: string, models?: readonly string[]) =>
  render(compileAll({ s: text }, CRM, models), 's');

describe('cycles', () => {
  it('index a tuple when every item is a value, and choose lazily when one is a reference', () => {
    const body = one(yaml`
      entities:
        acme: { model: Tenant, values: { name: Acme, created_on: 2025-01-31 } }
        leads: { model: User, count: 2, values: { email: "lead{n}@x.test" } }
        users:
          model: User
          count: 5
          values:
            email: { cycle: ["a{n}@x.test", "b{n}@x.test"] }
            full_name: { cycle: [Ann, null, { cycle: [Bo, Cy] }] }
            manager: { cycle: [null, "@leads[i // 2]"] }
            is_active: { cycle: [true] }
    `);
    expect(body).toContain('email=(f"a{i + 1}@x.test", f"b{i + 1}@x.test")[i % 2],');
    expect(body).toContain('full_name=("Ann", None, ("Bo", "Cy")[i % 2])[i % 3],');
    // leads[i // 2] reaches leads[2] for i = 4, where the cycle takes null: never evaluated.
    expect(body).toContain('manager=None if i % 2 == 0 else leads[i // 2],');
    expect(body).toContain('is_active=True,'); // a cycle of one is its item
  });

  it('parenthesizes a nested lazy cycle, and picks the item of a single instance', () => {
    const body = one(yaml`
      entities:
        acme: { model: Tenant, values: { name: Acme, created_on: 2025-01-31 } }
        leads: { model: User, count: 2, values: { email: "lead{n}@x.test" } }
        boss: { model: User, values: { email: boss@x.test, manager: { cycle: ["@leads[1]", null] } } }
        users:
          model: User
          count: 4
          values:
            email: "u{n}@x.test"
            manager: { cycle: [{ cycle: ["@leads[0]", "@leads[1]"] }, null] }
    `);
    expect(body).toContain('manager=leads[1],');
    expect(body).toContain(
      'manager=(leads[0] if i % 2 == 0 else leads[1]) if i % 2 == 0 else None,',
    );
  });
});

describe('lists that refer to their own earlier instances', () => {
  it('are built by a loop (a comprehension cannot see itself); other lists stay comprehensions', () => {
    const module = one(yaml`
      entities:
        acme: { model: Tenant, values: { name: Acme, created_on: 2025-01-31 } }
        users:
          model: User
          count: 7
          values:
            email: "u{n}@x.test"
            manager: { cycle: [null, "@users[i // 2]"] }
    `);
    expect(createBody(module)).toContain(
      [
        '    users: list[User] = []',
        '    for i in range(7):',
        '        users.append(',
        '            User(',
        '                email=f"u{i + 1}@x.test",',
        '                manager=None if i % 2 == 0 else users[i // 2],',
        '                tenant=acme,',
        '            )',
        '        )',
        '    session.add_all(users)',
        '    session.flush()',
      ].join('\n'),
    );
  });

  it('flush each instance when a later one reads its key', () => {
    const module = one(yaml`
      entities:
        acme: { model: Tenant, values: { name: Acme, created_on: 2025-01-31 } }
        users:
          model: User
          count: 3
          values: { email: "u{n}@x.test", manager_id: { cycle: [null, "@users[0]"] } }
    `);
    expect(createBody(module)).toMatch(
      /manager_id=None if i % 2 == 0 else users\[0\]\.id,\n {16}tenant=acme,\n {12}\)\n {8}\)\n {8}session\.add\(users\[i\]\)\n {8}session\.flush\(\)$/,
    );
  });
});

describe('one-to-many collections set on the parent', () => {
  const scenario = yaml`
    entities:
      crew: { model: User, count: 3, values: { email: "crew{n}@x.test" } }
      alice: { model: User, values: { email: alice@x.test } }
      acme:
        model: Tenant
        values: { name: Acme, created_on: 2025-01-31, users: "@crew" }
      globex:
        model: Tenant
        values: { name: Globex, created_on: 2025-01-31, users: ["@alice"] }
      a_team: { model: Team, values: { name: A, budget: 1, tenant_id: "@acme", members: "@crew" } }
  `;

  it('come before what else refers to the children, which join the session with their parent', () => {
    const plans = compileAll({ s: scenario });
    // a_team sorts first, but it refers to crew, which acme completes.
    expect(plans.get('s')!.entities.map((e) => e.label)).toEqual([
      'alice',
      'crew',
      'acme',
      'a_team',
      'globex',
    ]);
    const body = createBody(render(plans, 's'));
    const statements = body
      .split('\n')
      .filter((l) => /^ {4}(session\.|[a-z_]+ = )/.test(l))
      .map((l) => l.trim().replace(/ = .*/, ' ='));
    expect(statements).toEqual([
      'alice =',
      'crew =',
      'acme =',
      'session.add(acme)',
      'session.add_all(crew)',
      'session.flush()',
      'a_team =',
      'session.add(a_team)',
      'globex =',
      'session.add(globex)',
      'session.add(alice)',
      'session.flush()',
    ]);
  });

  it('that hold only some instances of a NOT NULL child list are an error naming the rest', () => {
    const d = diagnosticOf(yaml`
      entities:
        crew: { model: User, count: 5, values: { email: "crew{n}@x.test" } }
        acme:
          model: Tenant
          values: { name: Acme, created_on: 2025-01-31, users: ["@crew[0]"] }
    `);
    expect(d).toMatchObject({
      code: 'FG214',
      line: 5,
      column: 58,
      message:
        'crew[1], crew[2], crew[3] and 1 more would have no tenant_id: acme.users holds only some of crew and sets it for those',
      hint: 'list every instance (e.g. "@crew"), or set tenant on crew',
    });
  });

  it('may share the instances out between parents, or be a list of parents', () => {
    for (const text of [
      yaml`
        entities:
          crew: { model: User, count: 3, values: { email: "crew{n}@x.test" } }
          acme: { model: Tenant, values: { name: Acme, created_on: 2025-01-31, users: ["@crew[0]"] } }
          globex:
            model: Tenant
            values: { name: Globex, created_on: 2025-01-31, users: ["@crew[2]", "@crew[1]"] }
      `,
      yaml`
        entities:
          crew: { model: User, count: 3, values: { email: "crew{n}@x.test" } }
          tenants:
            model: Tenant
            count: 3
            values: { name: "T{n}", created_on: 2025-01-31, users: ["@crew[i]"] }
      `,
    ]) {
      expect(compileOne(text).diagnostics).toEqual([]);
    }
  });
});

describe('flushes', () => {
  it('happen only where a value reads a column of a row not flushed yet', () => {
    const body = createBody(
      one(yaml`
        entities:
          acme: { model: Tenant, values: { name: Acme, created_on: 2025-01-31 } }
          lead: { model: User, values: { email: lead@x.test, tenant_id: "@acme" } }
          other: { model: User, values: { email: other@x.test, tenant_id: "@acme" } }
          team: { model: Team, values: { name: T, budget: 1, tenant_id: "@acme" } }
      `),
    );
    expect(body.match(/session\.flush\(\)/g)).toHaveLength(2);
    expect(body).toMatch(/session\.add\(acme\)\n {4}session\.flush\(\)\n {4}lead = User\(/);
  });
});

describe('literals', () => {
  const ctx = (): ExprContext => ({
    i: 0,
    imports: new Set<string>(),
    enumName: (_module, cls) => cls,
    labelVar: (l) => l,
    isList: () => false,
  });
  const array = (itemFamily: 'date' | 'integer' | 'string' | 'numeric') =>
    column('tags', { type: 'ARRAY', itemFamily });

  it('render ARRAY items converted by the item type (SQLite has no ARRAY: text only)', () => {
    const cases: [ReturnType<typeof array>, unknown[], string][] = [
      // A text with more double quotes than single ones takes single quotes, as black writes it.
      [array('string'), ['a', 'b"c', null], `["a", 'b"c', None]`],
      [array('integer'), [1, -2, 3], '[1, -2, 3]'],
      [array('date'), ['2025-01-31'], '[datetime.date(2025, 1, 31)]'],
      // A whole number as an int: ruff's FURB157 flags `Decimal("2")`.
      [array('numeric'), ['1.50', 2], '[decimal.Decimal("1.50"), decimal.Decimal(2)]'],
      [array('string'), [], '[]'],
    ];
    for (const [col, value, python] of cases) {
      const c = convertLiteral({ value, source: null }, col);
      expect(c.ok, JSON.stringify(c)).toBe(true);
      if (c.ok) expect(renderLiteral(c.value, ctx())).toBe(python);
    }
  });

  it('ARRAY values of a scenario, one per instance, and long JSON spread over lines', () => {
    const body = one(
      yaml`
        entities:
          events:
            model: AuditEvent
            count: 2
            values: { tags: { cycle: [[a, b], []] } }
          acme: { model: Tenant, values: { name: Acme, created_on: 2025-01-31 } }
          user:
            model: User
            values:
              email: u@x.test
              settings: { theme: dark, channels: [engineering, incidents, on-call], limits: { seats: 10 } }
      `,
      ['crm.models', 'crm.audit'],
    );
    expect(body).toContain('tags=(["a", "b"], [])[i % 2],');
    expect(body).toContain(
      [
        '        settings={',
        '            "theme": "dark",',
        '            "channels": ["engineering", "incidents", "on-call"],',
        '            "limits": {"seats": 10},',
        '        },',
      ].join('\n'),
    );
  });
});

describe('imports', () => {
  it('alias a model named like the module’s own dataclass', () => {
    const module = render(
      compileAll({
        tenant:
          'entities: { acme: { model: Tenant, values: { name: A, created_on: 2025-01-31 } } }',
      }),
      'tenant',
    );
    expect(module).toContain('from crm.models import Tenant as crm_models_Tenant\n');
    expect(module).toContain('class Tenant:');
    expect(module).toContain('    acme: crm_models_Tenant\n');
    expect(module).toContain('    acme = crm_models_Tenant(\n');
  });

  it('alias both classes of one name from two modules, whichever comes first', () => {
    const module = one(
      yaml`
        entities:
          acme: { model: Tenant, values: { name: A, created_on: 2025-01-31 } }
          zed: { model: crm.models.User, values: { email: z@x.test } }
          old: { model: crm.legacy.User }
      `,
      ['crm.models', 'crm.legacy'],
    );
    expect(module).toContain('from crm.legacy import User as crm_legacy_User\n');
    // An aliased name is imported in a statement of its own (isort's and ruff's default).
    expect(module).toContain(
      'from crm.models import Tenant\nfrom crm.models import User as crm_models_User\n',
    );
    expect(module).toContain('    old = crm_legacy_User()\n');
    expect(module).toContain('    zed = crm_models_User(\n');
  });
});

describe('label variables', () => {
  it('never shadow a builtin the module calls, or an imported class', () => {
    const module = one(yaml`
      entities:
        int: { model: Tenant, values: { name: A, created_on: 2025-01-31 } }
        User: { model: User, values: { email: u@x.test } }
        range: { model: Role, count: 2, values: { name: "{n}0" } }
        list: { model: Team, values: { name: T, budget: 1, members: "@range_users" } }
        range_users: { model: User, count: 2, values: { email: "r{n}@x.test" } }
    `);
    expect(module).toContain('    int_ = Tenant(\n');
    expect(module).toContain('    User_ = User(\n');
    expect(module).toContain('    range_ = [\n');
    expect(module).toContain('        for i in range(2)\n');
    expect(module).toContain('    list_ = Team(\n');
    expect(module).toContain('members=list(range_users),');
    // The dataclass keeps the labels as they are.
    expect(module).toMatch(/ {8}int=int_,\n {8}User=User_,/);
  });
});

describe('extends', () => {
  const files = {
    base: 'entities: { acme: { model: Tenant, values: { name: A, created_on: 2025-01-31 } } }',
    left: 'extends: base\nentities: { lefty: { model: User, values: { email: l@x.test } } }',
    right: 'extends: base\nentities: { righty: { model: User, values: { email: r@x.test } } }',
    top: 'extends: [left, right]\nentities: { t: { model: Team, values: { name: T, budget: 1 } } }',
    chain: 'extends: left\nentities: { c: { model: Team, values: { name: C, budget: 1 } } }',
  };

  it('a diamond: the shared scenario is created once, or rebuilt from a parent passed in', () => {
    const plans = compileAll(files);
    const module = render(plans, 'top');
    expect(module).toContain(
      [
        'def create_top(',
        '    session,',
        '    left: Left | None = None,',
        '    right: Right | None = None,',
        '    variant: str | None = None,',
        '    overrides: dict | None = None,',
        ') -> Top:',
      ].join('\n'),
    );
    expect(createBody(module)).toContain(
      [
        '    # base is extended by left and right: created once, or taken from one passed in.',
        '    if left is not None:',
        '        base = Base(acme=left.acme)',
        '    elif right is not None:',
        '        base = Base(acme=right.acme)',
        '    else:',
        '        base = create_base(session, overrides=parent_overrides(overrides, Base))',
        '    if left is None:',
        '        left = create_left(',
        '            session,',
        '            base=base,',
        '            overrides=parent_overrides(overrides, Left),',
        '        )',
        '    if right is None:',
        '        right = create_right(',
        '            session,',
        '            base=base,',
        '            overrides=parent_overrides(overrides, Right),',
        '        )',
        '    acme = left.acme',
        '    lefty = left.lefty',
        '    righty = right.righty',
      ].join('\n'),
    );
    expect(module).toContain('def top(db_session, left, right) -> Top:');
    expect(module).toContain('return create_top(db_session, left=left, right=right)');
  });

  it('a chain leaves the grandparent to the parent', () => {
    const body = createBody(render(compileAll(files), 'chain'));
    expect(body).toContain(
      '    if left is None:\n        left = create_left(session, overrides=parent_overrides(overrides, Left))\n',
    );
    expect(body).not.toContain('base');
  });

  it('renders the same text whatever order the plans are given in', () => {
    const plans = compileAll(files);
    const reversed = new Map([...plans].reverse());
    for (const name of plans.keys()) {
      expect(render(reversed, name)).toBe(render(plans, name));
    }
  });
});
