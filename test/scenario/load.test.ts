import { describe, expect, test } from 'vitest';
import { compileScenarios, loadScenario } from '../../src/scenario/index.js';
import { crmCatalog } from '../support/catalog-builders.js';
import { spanAt, plainSourceAt } from '../../src/scenario/position.js';

function errorsOf(text: string) {
  const r = loadScenario('scenarios/x.yaml', text);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.diagnostics;
}

describe('loadScenario', () => {
  test('keeps data and positions', () => {
    const r = loadScenario('scenarios/x.yaml', 'entities:\n  acme:\n    model: Tenant\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.data).toEqual({ entities: { acme: { model: 'Tenant' } } });
    expect(r.value.file).toBe('scenarios/x.yaml');
    expect(spanAt(r.value, ['entities', 'acme', 'model'])).toEqual({
      line: 3,
      column: 12,
      endLine: 3,
      endColumn: 18,
    });
    expect(spanAt(r.value, ['entities', 'acme'], 'key')).toMatchObject({ line: 2, column: 3 });
    // A path that does not exist points at its nearest ancestor.
    expect(spanAt(r.value, ['entities', 'acme', 'values', 'x'])).toMatchObject({ line: 3 });
  });

  test('dates stay strings (YAML 1.2 core schema) and numbers keep their source text', () => {
    const r = loadScenario('x.yaml', 'a: 2024-05-01\nb: 1234.50\nc: 09:30\n');
    if (!r.ok) throw new Error('expected ok');
    expect(r.value.data).toEqual({ a: '2024-05-01', b: 1234.5, c: '09:30' });
    expect(plainSourceAt(r.value, ['b'])).toBe('1234.50');
  });

  test('follows aliases when locating nodes', () => {
    const r = loadScenario('x.yaml', 'a: &v\n  k: 1\nb: *v\n');
    if (!r.ok) throw new Error('expected ok');
    expect(spanAt(r.value, ['b', 'k'])).toMatchObject({ line: 2, column: 6 });
  });

  test.each([
    ['tab indentation', 'entities:\n\tacme: {}\n', 'FG103', 2, 1],
    ['duplicate key', 'entities: {}\nentities: {}\n', 'FG102', 2, 1],
    // At the bracket or quote that is never closed, not where the parser noticed.
    ['unclosed bracket', 'models: [a, b\nentities: {}\n', 'FG105', 1, 9],
    ['unclosed quote', 'description: "abc\n', 'FG105', 1, 14],
    // At the key that is misaligned, not at the start of its line.
    ['bad indentation', 'entities:\n    a: 1\n  b: 2\n', 'FG104', 3, 3],
    ['several documents', 'a: 1\n---\nb: 2\n', 'FG106', 2, 1],
    ['unquoted reference', 'a:\n  tenant: @acme\n', 'FG101', 2, 11],
    ['unknown alias', 'a: *nope\n', 'FG107', 1, 4],
    ['recursive alias', 'a: &x [*x]\n', 'FG107', 1, 8],
    ['non-core tag', 'a: !!binary aGVsbG8=\n', 'FG108', 1, 4],
    ['custom tag', 'a: !thing x\n', 'FG108', 1, 4],
    ['complex key', '? [a, b]\n: 1\n', 'FG108', 1, 3],
    ['empty file', '# nothing\n', 'FG109', 1, 1],
    ['not a mapping', '- a\n- b\n', 'FG109', 1, 1],
  ])('%s', (_what, text, code, line, column) => {
    const [d] = errorsOf(text);
    expect({ code: d!.code, line: d!.line, column: d!.column }).toEqual({ code, line, column });
    expect(d!.file).toBe('scenarios/x.yaml');
    expect(d!.severity).toBe('error');
  });

  test('an unquoted reference gets a hint to quote it', () => {
    const [d] = errorsOf('a:\n  tenant: @acme\n');
    expect(d!.hint).toContain('"@acme"');
  });
});

describe('merge keys', () => {
  const text = [
    'entities:',
    '  acme: { model: Tenant, values: { name: Acme } }',
    '  a:',
    '    model: User',
    '    values: &defaults',
    '      email: a@x',
    '      full_name: 123',
    '  b:',
    '    model: User',
    '    values:',
    '      <<: *defaults',
    '      email: b@x',
    '',
  ].join('\n');

  test('merge into mappings, and positions follow them into the anchored mapping', () => {
    const r = loadScenario('x.yaml', text);
    if (!r.ok) throw new Error('expected ok');
    const data = r.value.data as { entities: { b: { values: unknown } } };
    expect(data.entities.b.values).toEqual({ email: 'b@x', full_name: 123 });
    expect(spanAt(r.value, ['entities', 'b', 'values', 'email'])).toMatchObject({ line: 12 });
    expect(spanAt(r.value, ['entities', 'b', 'values', 'full_name'])).toMatchObject({
      line: 7,
      column: 18,
    });
  });

  test('a merged value that does not fit is reported once, where it is written', () => {
    const r = compileScenarios([{ file: 'x.yaml', text }], crmCatalog(), {
      defaultModels: ['crm.models'],
    });
    expect(r.failures[0]!.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([
      ['FG204', 7, 18],
    ]);
    const fixed = text.replace('full_name: 123', 'full_name: Ann');
    const ok = compileScenarios([{ file: 'x.yaml', text: fixed }], crmCatalog(), {
      defaultModels: ['crm.models'],
    });
    expect(ok.plans[0]!.entities.find((e) => e.label === 'b')!.values).toContainEqual({
      attribute: 'full_name',
      value: { kind: 'literal', value: { kind: 'str', value: 'Ann' } },
      origin: 'written',
      collection: false,
    });
  });
});
