import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import type { Plan, ValueExpr } from '../../src/plan/types.js';
import { compileScenarios } from '../../src/scenario/index.js';
import { CRM } from './helpers.js';
import { FORMAT_EXAMPLE } from './fixtures.js';

const OPTS = { defaultModels: ['crm.models', 'crm.audit'] };

function wellFormed(d: Diagnostic, file: string): void {
  expect(d.code).toMatch(/^FG[12][0-9]{2}$/);
  expect(d.severity).toBe('error');
  expect(d.message.length).toBeGreaterThan(0);
  expect(d.file).toBe(file);
  expect(Number.isInteger(d.line) && d.line! >= 1).toBe(true);
  expect(Number.isInteger(d.column) && d.column! >= 1).toBe(true);
}

function refsOf(e: ValueExpr): string[] {
  switch (e.kind) {
    case 'ref':
      return [e.label];
    case 'refList':
    case 'cycle':
      return e.items.flatMap(refsOf);
    case 'synth':
      return refsOf(e.expr);
    case 'literal':
    case 'interpolate':
      return [];
  }
}

/** Invariants of every plan: references resolve, dependencies come first, values sorted. */
function planInvariants(plan: Plan): void {
  const seen = new Set(plan.inherited.map((l) => l.label));
  for (const e of plan.entities) {
    for (const d of e.dependsOn) expect(seen.has(d), `${e.label} after ${d}`).toBe(true);
    const attrs = e.values.map((v) => v.attribute);
    expect(attrs).toEqual([...attrs].sort());
    seen.add(e.label);
  }
  for (const e of plan.entities) {
    for (const v of e.values) for (const l of refsOf(v.value)) expect(seen.has(l)).toBe(true);
  }
  expect(plan.models).toEqual([...plan.models].sort());
}

function compileChecked(file: string, text: string) {
  const r = compileScenarios([{ file, text }], CRM, OPTS);
  for (const f of r.failures) {
    expect(f.diagnostics.length).toBeGreaterThan(0);
    for (const d of f.diagnostics) wellFormed(d, file);
  }
  for (const p of r.plans) planInvariants(p);
  expect(r.plans.length + r.failures.length).toBe(1);
  return r;
}

const SOURCES = [FORMAT_EXAMPLE, readFileSync('scenarios/team_budget.yaml', 'utf8')];
const NOISE = [
  '\t',
  '{',
  '}',
  '[',
  ']',
  '@',
  '@@',
  ':',
  '- ',
  '"',
  "'",
  '\n',
  '  ',
  '#',
  '&a',
  '*a',
  '!!',
  '{i}',
  '{n}',
  '[i % 0]',
  '[9]',
  'null',
  '-1',
  '100001',
  '?',
];

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...NOISE), fc.string({ maxLength: 4 })),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 12 }),
  }),
  fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('dupLine' as const), a: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(text: string, m: Mutation): string {
  const lines = text.split('\n');
  switch (m.kind) {
    case 'insert': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case 'delete': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + m.length);
    }
    case 'swapLines': {
      const [a, b] = [m.a % lines.length, m.b % lines.length];
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join('\n');
    }
    case 'dupLine': {
      const a = m.a % lines.length;
      lines.splice(a, 0, lines[a]!);
      return lines.join('\n');
    }
  }
}

describe('robustness', () => {
  test('property: mutated valid scenarios never throw and fail only with positioned diagnostics', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SOURCES),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (source, ms) => {
          const text = ms.reduce(apply, source);
          const one = compileChecked('scenarios/mutant.yaml', text);
          // Deterministic: the same text gives the same result.
          expect(compileScenarios([{ file: 'scenarios/mutant.yaml', text }], CRM, OPTS)).toEqual(
            one,
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  const LABELS = ['acme', 'users', 'roles', 'grants', 'team', 'boss', 'ev'];
  const MODELS = [
    'Tenant',
    'User',
    'Role',
    'PermissionGrant',
    'Team',
    'AuditEvent',
    'Setting',
    'crm.models.User',
    'Nope',
  ];
  const ATTRS = [
    'name',
    'email',
    'tenant',
    'tenant_id',
    'manager',
    'manager_id',
    'members',
    'user',
    'role',
    'permission',
    'budget',
    'settings',
    'created_on',
    'plan',
    'happened_at',
    'token',
    'duration',
    'at_time',
    'payload',
    'score',
    'big',
    'small',
    'level',
    'tags',
    'custom',
    'reports',
    'users',
    'salary',
    'bogus',
  ];
  const index = fc.oneof(
    fc.constant(''),
    fc.nat({ max: 5 }).map((k) => `[${k}]`),
    fc.constantFrom('[i]', '[i % 2]', '[i // 2]', '[i % 0]', '[x]'),
  );
  const reference = fc
    .tuple(fc.constantFrom(...LABELS, 'nobody'), index)
    .map(([l, i]) => `@${l}${i}`);
  const scalar = fc.oneof(
    fc.integer(),
    fc.double({ noNaN: false }),
    fc.boolean(),
    fc.constant(null),
    fc.string({ maxLength: 12 }),
    fc.constantFrom(
      '2024-05-01',
      '2024-05-01T09:30:00+02:00',
      '09:30',
      '123e4567-e89b-12d3-a456-426614174000',
      'free',
      'pro',
      'low',
      '12.50',
      'u{n}@x',
      '{i}',
      '{{x}}',
      '{bad}',
      '@@handle',
    ),
    reference,
  );
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(reference, { maxLength: 3 }),
      fc.record({ cycle: fc.array(tie('v'), { maxLength: 3 }) }),
      fc.dictionary(fc.constantFrom('a', 'b', 'cycle'), scalar, { maxKeys: 2 }),
    ),
  })).v;
  const entity = fc.record(
    {
      model: fc.constantFrom(...MODELS),
      count: fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 30 }), weight: 8 },
        { arbitrary: fc.constantFrom(-1, 0, 100001), weight: 1 },
      ),
      values: fc.dictionary(fc.constantFrom(...ATTRS), value, { maxKeys: 5 }),
    },
    { requiredKeys: ['model'] },
  );
  const scenario = fc.record(
    {
      description: fc.string({ maxLength: 20 }),
      models: fc.constantFrom('crm.models', ['crm.models', 'crm.audit'], 'crm'),
      entities: fc.dictionary(fc.constantFrom(...LABELS), entity, { maxKeys: 5 }),
      expect: fc.record({
        counts: fc.dictionary(
          fc.constantFrom('User', 'Tenant', 'Nope'),
          fc.oneof(
            { arbitrary: fc.nat({ max: 5 }), weight: 8 },
            { arbitrary: fc.constant(-1), weight: 1 },
          ),
        ),
      }),
      edge_cases: fc.oneof(
        fc.constant('auto'),
        fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }),
      ),
    },
    { requiredKeys: [] },
  );

  test('property: random scenario objects never throw; plans keep their invariants', () => {
    let planned = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const r = compileChecked('scenarios/random.yaml', stringify(s));
        planned += r.plans.length;
      }),
      { numRuns: 400 },
    );
    // The generator must reach plan building often enough for the invariants to mean something.
    expect(planned).toBeGreaterThan(0);
  });

  /** Scenarios built from valid pieces: most of them plan, so the plan invariants get exercised. */
  const wired = fc
    .record({
      tenants: fc.array(fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }), {
        minLength: 1,
        maxLength: 2,
      }),
      users: fc.array(
        fc.record({
          count: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
          tenant: fc.nat(),
          manager: fc.option(fc.nat(), { nil: null }),
          index: fc.constantFrom('0', 'mod', 'mod', 'i // 3'),
        }),
        { maxLength: 4 },
      ),
      teams: fc.array(fc.array(fc.nat(), { maxLength: 3 }), { maxLength: 2 }),
    })
    .map(({ tenants, users, teams }) => {
      const entities: Record<string, unknown> = {};
      const tenantLabels = tenants.map((count, k) => {
        entities[`t${k}`] = {
          model: 'Tenant',
          ...(count === null ? {} : { count }),
          values: { name: `t${k}-{n}` },
        };
        return { label: `t${k}`, count };
      });
      const one = (l: { label: string; count: number | null }, index: string) =>
        l.count === null
          ? `@${l.label}`
          : `@${l.label}[${index === 'mod' ? `i % ${l.count}` : index}]`;
      const userLabels = users.map((u, k) => ({ label: `u${k}`, count: u.count }));
      users.forEach((u, k) => {
        const values: Record<string, unknown> = {
          email: `u${k}-{n}@x`,
          tenant: one(tenantLabels[u.tenant % tenantLabels.length]!, u.index),
        };
        if (u.manager !== null && userLabels.length > 0) {
          values.manager = one(userLabels[u.manager % userLabels.length]!, u.index);
        }
        entities[`u${k}`] = {
          model: 'User',
          ...(u.count === null ? {} : { count: u.count }),
          values,
        };
      });
      teams.forEach((members, k) => {
        entities[`team${k}`] = {
          model: 'Team',
          values: {
            name: `team ${k}`,
            budget: '10.00',
            tenant: one(tenantLabels[0]!, '0'),
            members:
              userLabels.length === 0
                ? []
                : members.map((m) => one(userLabels[m % userLabels.length]!, '0')),
          },
        };
      });
      return { entities };
    });

  test('property: wired scenarios plan, or fail only on what the generator may get wrong', () => {
    let planned = 0;
    fc.assert(
      fc.property(wired, (s) => {
        const r = compileChecked('scenarios/wired.yaml', stringify(s));
        planned += r.plans.length;
        for (const f of r.failures) {
          for (const d of f.diagnostics) expect(['FG211', 'FG216', 'FG227']).toContain(d.code);
        }
      }),
      { numRuns: 300 },
    );
    expect(planned).toBeGreaterThan(50);
  });

  test('property: compile is pure: the same inputs in any order give equal results', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(SOURCES, { minLength: 1 }), (texts) => {
        const inputs = texts.map((text, k) => ({ file: `scenarios/s${k}.yaml`, text }));
        const a = compileScenarios(inputs, CRM, OPTS);
        const b = compileScenarios([...inputs].reverse(), CRM, OPTS);
        expect(b).toEqual(a);
      }),
      { numRuns: 20 },
    );
  });
});
