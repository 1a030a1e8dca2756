/**
 * Property tests against the real CRM catalog (captured in catalog.json from the Python helper).
 * test/scenario/properties.test.ts mutates text at random against a hand-built catalog; these
 * mutate the way people edit: rename a key, swap two values, shift a line's indentation, drop a
 * quote or a bracket, delete or duplicate a line, and generate scenarios from the catalog's own
 * models and attributes. Whatever comes out, the compiler does not throw, and every failure is
 * diagnostics with a code, the file, and a position inside that file.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { compileScenarios } from '../../src/scenario/index.js';
import { FORMAT_EXAMPLE } from '../scenario/fixtures.js';
import { capturedCatalog, DEFAULT_MODELS, loadCorpus, withinFile } from './corpus.js';

const CATALOG = capturedCatalog();
const OPTS = { defaultModels: DEFAULT_MODELS };

/** A valid scenario over corpus_extra: one value of every type family the CRM lacks. */
const EXTRA = `models: [corpus_extra]
entities:
  ann:
    model: corpus_extra.User
    values:
      handle: ann
  widgets:
    model: Gadget
    count: 3
    values:
      display_name: "widget {n}"
      score: 4.5
      big: 9007199254740993
      small: -7
      made_at: 2024-05-01T09:30:00
      shipped_at: "2024-05-01T09:30:00+02:00"
      opens_at: "09:30"
      warranty: 3600
      serial: 123e4567-e89b-12d3-a456-426614174000
      blob: "@@bytes"
      level: { cycle: [low, high] }
      owner: "@ann"
  badges:
    model: Badge
    count: 2
    values:
      code: "b{n}"
`;

/** Valid scenarios to mutate: the sample project's, the format example, corpus helpers, EXTRA. */
const VALID = [
  readFileSync('scenarios/tenant_with_team.yaml', 'utf8'),
  readFileSync('scenarios/team_budget.yaml', 'utf8'),
  FORMAT_EXAMPLE,
  EXTRA,
  ...loadCorpus()
    .flatMap((c) => c.files)
    .filter((f) => f.expect.length === 0)
    .map((f) => f.text),
];

function wellFormed(d: Diagnostic, file: string, text: string): void {
  const where = `${JSON.stringify(d)}\n--- ${file}\n${text}`;
  expect(d.code, where).toMatch(/^FG[12][0-9]{2}$/);
  expect(d.severity).toBe('error');
  expect(d.message.length, where).toBeGreaterThan(0);
  expect(d.file, where).toBe(file);
  expect(d.hint ?? '', `no hint: ${where}`).not.toBe('');
  expect(withinFile(d, text), `outside the file: ${where}`).toBe(true);
  if (d.endLine !== undefined || d.endColumn !== undefined) {
    const end = { ...d, line: d.endLine, column: d.endColumn };
    expect(withinFile(end, text), `end outside the file: ${where}`).toBe(true);
    expect(d.endLine! > d.line! || d.endColumn! >= d.column!, `end before start: ${where}`).toBe(
      true,
    );
  }
}

/** Compiles the files together and checks every failure; returns the result. */
function compileChecked(files: readonly { file: string; text: string }[]) {
  const r = compileScenarios(files, CATALOG, OPTS);
  for (const f of r.failures) {
    expect(f.diagnostics.length, `${f.file} failed without a diagnostic`).toBeGreaterThan(0);
    const text = files.find((x) => x.file === f.file)!.text;
    for (const d of f.diagnostics) wellFormed(d, f.file, text);
  }
  expect(r.plans.length + r.failures.length).toBe(files.length);
  return r;
}

// ---- mutations the way people edit YAML ----------------------------------------------------

const KEY_LINE = /^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_]*)(:(?:\s|$))/;
const VALUE_LINE = /^(\s*(?:-\s+)?[A-Za-z_][A-Za-z0-9_]*:\s+)(\S.*)$/;
const KEYS = [
  'name',
  'description',
  'models',
  'extends',
  'entities',
  'expect',
  'counts',
  'model',
  'count',
  'values',
  'cycle',
  'tenant',
  'tenant_id',
  'email',
  'manager',
  'members',
  'users',
  'plan',
  'budget',
  'settings',
];

type Edit =
  | { kind: 'renameKey'; line: number; how: number; key: number }
  | { kind: 'swapValues'; a: number; b: number }
  | { kind: 'indent'; line: number; by: number }
  | { kind: 'tabIndent'; line: number }
  | { kind: 'dropChar'; at: number; chars: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'deleteLine'; line: number }
  | { kind: 'duplicateLine'; line: number }
  | { kind: 'setValue'; line: number; value: string };

const VALUES = [
  '""',
  'null',
  '0',
  '-1',
  '100001',
  '1.5',
  '.inf',
  'true',
  '"@acme"',
  '"@users[i]"',
  '"@users[99]"',
  '"@nobody"',
  '"@@x"',
  '"{i}"',
  '"{x}"',
  '[]',
  '["@acme"]',
  '{ cycle: [] }',
  '{ cycle: [a, b] }',
  '{a: 1}',
  '2024-02-30',
  'Tenant',
  'User',
  'crm.models.User',
  '&anchor x',
  '*anchor',
  '!tag x',
  '|\n    text',
];

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('renameKey' as const),
    line: fc.nat(),
    how: fc.nat({ max: 4 }),
    key: fc.nat(),
  }),
  fc.record({ kind: fc.constant('swapValues' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({
    kind: fc.constant('indent' as const),
    line: fc.nat(),
    by: fc.integer({ min: -4, max: 4 }),
  }),
  fc.record({ kind: fc.constant('tabIndent' as const), line: fc.nat() }),
  fc.record({
    kind: fc.constant('dropChar' as const),
    at: fc.nat(),
    chars: fc.constantFrom('"', "'", '[', ']', '{', '}', ':', '-', ' ', '@'),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.constantFrom('"', '[', '{', ':', ': ', '- ', '\t', '#', '@', '\n', '\n  ', '---\n'),
      fc.string({ maxLength: 3 }),
    ),
  }),
  fc.record({ kind: fc.constant('deleteLine' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('duplicateLine' as const), line: fc.nat() }),
  fc.record({
    kind: fc.constant('setValue' as const),
    line: fc.nat(),
    value: fc.constantFrom(...VALUES),
  }),
);

function renamed(key: string, how: number, pick: number): string {
  switch (how) {
    case 0:
      return key.slice(0, -1) || 'x'; // a letter short
    case 1:
      return `${key}s`;
    case 2:
      return key[0]!.toUpperCase() + key.slice(1);
    case 3:
      return key.length > 2 ? key[1]! + key[0]! + key.slice(2) : `${key}_`; // transposed
    default:
      return KEYS[pick % KEYS.length]!;
  }
}

/** Lines matching `re`, as indexes; `k`-th of them (modulo), or null. */
function nth(lines: readonly string[], re: RegExp, k: number): number | null {
  const hits = lines.flatMap((l, n) => (re.test(l) ? [n] : []));
  return hits.length === 0 ? null : hits[k % hits.length]!;
}

function applyEdit(text: string, e: Edit): string {
  const lines = text.split('\n');
  const at = (k: number) => k % lines.length;
  switch (e.kind) {
    case 'renameKey': {
      const n = nth(lines, KEY_LINE, e.line);
      if (n === null) return text;
      lines[n] = lines[n]!.replace(KEY_LINE, (_, pre: string, key: string, post: string) => {
        return pre + renamed(key, e.how, e.key) + post;
      });
      return lines.join('\n');
    }
    case 'swapValues': {
      const a = nth(lines, VALUE_LINE, e.a);
      const b = nth(lines, VALUE_LINE, e.b);
      if (a === null || b === null) return text;
      const va = VALUE_LINE.exec(lines[a]!)![2]!;
      const vb = VALUE_LINE.exec(lines[b]!)![2]!;
      lines[a] = lines[a]!.replace(VALUE_LINE, (_, pre: string) => pre + vb);
      lines[b] = lines[b]!.replace(VALUE_LINE, (_, pre: string) => pre + va);
      return lines.join('\n');
    }
    case 'setValue': {
      const n = nth(lines, VALUE_LINE, e.line);
      if (n === null) return text;
      lines[n] = lines[n]!.replace(VALUE_LINE, (_, pre: string) => pre + e.value);
      return lines.join('\n');
    }
    case 'indent': {
      const n = at(e.line);
      const l = lines[n]!;
      lines[n] = e.by >= 0 ? ' '.repeat(e.by) + l : l.replace(new RegExp(`^ {0,${-e.by}}`), '');
      return lines.join('\n');
    }
    case 'tabIndent': {
      const n = at(e.line);
      lines[n] = lines[n]!.replace(/^ {1,2}/, '\t');
      return lines.join('\n');
    }
    case 'dropChar': {
      const hits = [...text].flatMap((ch, k) => (ch === e.chars ? [k] : []));
      if (hits.length === 0) return text;
      const k = hits[e.at % hits.length]!;
      return text.slice(0, k) + text.slice(k + 1);
    }
    case 'insert': {
      const k = e.at % (text.length + 1);
      return text.slice(0, k) + e.text + text.slice(k);
    }
    case 'deleteLine':
      lines.splice(at(e.line), 1);
      return lines.join('\n');
    case 'duplicateLine': {
      const n = at(e.line);
      lines.splice(n, 0, lines[n]!);
      return lines.join('\n');
    }
  }
}

describe('properties with the real CRM catalog', () => {
  test('the scenarios edited below are valid before the edits', () => {
    const r = compileScenarios(
      VALID.map((text, k) => ({ file: `scenarios/valid_${k}.yaml`, text })),
      CATALOG,
      OPTS,
    );
    expect(r.failures).toEqual([]);
  });

  test('property: edited valid scenarios never throw; failures are positioned diagnostics', () => {
    let failed = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...VALID),
        fc.array(edit, { minLength: 1, maxLength: 3 }),
        (source, edits) => {
          const text = edits.reduce(applyEdit, source);
          const file = 'scenarios/edited.yaml';
          const r = compileChecked([{ file, text }]);
          failed += r.failures.length;
          // The same text always gives the same result.
          expect(compileScenarios([{ file, text }], CATALOG, OPTS)).toEqual(r);
        },
      ),
      { numRuns: 600 },
    );
    // The edits must actually break scenarios most of the time for this to test diagnostics.
    expect(failed).toBeGreaterThan(200);
  });

  test('property: an edit in an extended scenario leaves every file with positioned diagnostics', () => {
    const base = 'entities:\n  acme:\n    model: Tenant\n    values:\n      name: Acme\n';
    const child =
      'extends: base\nentities:\n  lead:\n    model: User\n    values:\n      email: lead@acme.test\n      tenant: "@acme"\n';
    fc.assert(
      fc.property(fc.boolean(), fc.array(edit, { minLength: 1, maxLength: 2 }), (which, edits) => {
        const files = [
          { file: 'scenarios/base.yaml', text: which ? edits.reduce(applyEdit, base) : base },
          { file: 'scenarios/child.yaml', text: which ? child : edits.reduce(applyEdit, child) },
        ];
        compileChecked(files);
      }),
      { numRuns: 300 },
    );
  });

  // ---- random scenarios from the catalog's own vocabulary ------------------------------------

  const models = CATALOG.models;
  const MODEL_NAMES = [...models.map((m) => m.name), ...models.map((m) => m.qualname), 'Nope'];
  const ATTRIBUTES = [
    ...new Set(
      models.flatMap((m) => [...m.columns.map((c) => c.key), ...m.relationships.map((r) => r.key)]),
    ),
    'bogus',
  ];
  const LABELS = ['acme', 'users', 'lead', 'roles', 'team', 'widget'];
  const reference = fc
    .tuple(
      fc.constantFrom(...LABELS, 'nobody'),
      fc.constantFrom('', '[0]', '[2]', '[i]', '[i % 2]', '[i // 2]', '[i % 0]', '[x]'),
    )
    .map(([l, i]) => `@${l}${i}`);
  const scalar = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.string({ maxLength: 8 }),
    fc.constantFrom('2024-05-01', '09:30', 'pro', 'low', '12.50', 'u{n}@x', '{i}', '@@x'),
    reference,
  );
  const value = fc.oneof(
    scalar,
    fc.array(reference, { maxLength: 3 }),
    fc.record({ cycle: fc.array(scalar, { maxLength: 3 }) }),
    fc.dictionary(fc.constantFrom('a', 'b'), scalar, { maxKeys: 2 }),
  );
  const scenario = fc.record(
    {
      models: fc.constantFrom('crm.models', 'corpus_extra', ['crm.models', 'corpus_extra']),
      entities: fc.dictionary(
        fc.constantFrom(...LABELS),
        fc.record(
          {
            model: fc.constantFrom(...MODEL_NAMES),
            count: fc.integer({ min: 1, max: 5 }),
            values: fc.dictionary(fc.constantFrom(...ATTRIBUTES), value, { maxKeys: 4 }),
          },
          { requiredKeys: ['model'] },
        ),
        { maxKeys: 4 },
      ),
    },
    { requiredKeys: ['entities'] },
  );

  test('property: random scenarios over the catalog never throw; failures are positioned', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        compileChecked([{ file: 'scenarios/random.yaml', text: stringify(s) }]);
      }),
      { numRuns: 400 },
    );
  });
});
