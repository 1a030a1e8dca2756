import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { checkSchema, loadScenario, scenarioValidator } from '../../src/scenario/index.js';

const schema = JSON.parse(readFileSync('schemas/scenario.schema.json', 'utf8')) as Record<
  string,
  unknown
>;

function check(text: string) {
  const r = loadScenario('scenarios/s.yaml', text);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return checkSchema(r.value).map((d) => ({
    code: d.code,
    line: d.line,
    column: d.column,
    message: d.message,
    hint: d.hint,
  }));
}

describe('the schema file', () => {
  test('is JSON Schema 2020-12 and compiles once', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(scenarioValidator()).toBe(scenarioValidator());
  });

  test('documents every key with a title, a description and examples', () => {
    const missing: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      for (const section of ['properties', '$defs']) {
        const props = n[section] as Record<string, Record<string, unknown>> | undefined;
        for (const [key, sub] of Object.entries(props ?? {})) {
          for (const field of ['title', 'description', 'examples']) {
            if (!(field in sub)) missing.push(`${where}/${section}/${key}: ${field}`);
          }
        }
      }
      for (const [k, v] of Object.entries(n)) visit(v, `${where}/${k}`);
    };
    visit(schema, '#');
    expect(missing).toEqual([]);
  });

  test('accepts the format example', () => {
    const text = readFileSync('scenarios/tenant_with_team.yaml', 'utf8');
    expect(check(text)).toEqual([]);
  });
});

describe('schema diagnostics point at the YAML node', () => {
  test('unknown top-level key with a suggestion', () => {
    expect(check('descripton: x\n')).toEqual([
      {
        code: 'FG111',
        line: 1,
        column: 1,
        message: 'unknown key "descripton" in scenario',
        hint: 'did you mean "description"?',
      },
    ]);
  });

  test('wrong type', () => {
    expect(check('entities:\n  a:\n    model: T\n    count: "3"\n')).toMatchObject([
      { code: 'FG110', line: 4, column: 12, message: 'entities.a.count must be an integer' },
    ]);
  });

  test('missing model points at the label', () => {
    expect(check('entities:\n  a:\n    count: 3\n')).toMatchObject([
      { code: 'FG112', line: 2, column: 3, message: 'entities.a has no "model"' },
    ]);
  });

  test('names and labels', () => {
    expect(check('name: Bad-Name\n')).toMatchObject([{ code: 'FG113', line: 1, column: 7 }]);
    expect(check('name: class\n')).toMatchObject([
      { code: 'FG113', message: '"class" is a Python keyword and cannot be a scenario name' },
    ]);
    expect(check('entities:\n  bad-label:\n    model: T\n')).toMatchObject([
      { code: 'FG113', line: 2, column: 3, message: '"bad-label" is not a valid label' },
    ]);
    expect(check('entities:\n  for:\n    model: T\n')).toMatchObject([
      { code: 'FG113', line: 2, column: 3 },
    ]);
    expect(check('models: crm/models\n')).toMatchObject([
      {
        code: 'FG113',
        line: 1,
        column: 9,
        message: '"crm/models" is not a valid Python import path',
      },
    ]);
  });

  test('anyOf: one message saying what the value may be', () => {
    expect(check('edge_cases: sometimes\n')).toMatchObject([
      {
        code: 'FG110',
        line: 1,
        column: 13,
        message: 'edge_cases must be "auto" or a mapping or a list of strings',
      },
    ]);
    expect(check('models: 3\n')).toMatchObject([
      { code: 'FG110', message: 'models must be a string or a list of import paths' },
    ]);
    // Inside the matching branch, the inner problem is reported.
    expect(check('models: [crm.models, 3]\n')).toMatchObject([
      { code: 'FG110', line: 1, column: 22, message: 'models[1] must be a string' },
    ]);
    expect(check('extends: [a, a]\n')).toMatchObject([{ code: 'FG115', line: 1, column: 10 }]);
  });

  test('expect.counts', () => {
    expect(check('expect:\n  counts:\n    User: -1\n')).toMatchObject([
      { code: 'FG115', line: 3, column: 11 },
    ]);
    expect(check('expect:\n  count: {}\n')).toMatchObject([
      { code: 'FG111', line: 2, column: 3, hint: 'did you mean "counts"?' },
    ]);
  });

  test('count range', () => {
    expect(check('entities:\n  a:\n    model: T\n    count: 0\n')).toMatchObject([
      { code: 'FG114', line: 4, column: 12, message: 'count must be between 1 and 100000, not 0' },
    ]);
  });

  test('all problems at once, in document order', () => {
    const ds = check('entities:\n  a:\n    modle: T\n  b:\n    model: T\n    count: -1\nfoo: 1\n');
    expect(ds.map((d) => [d.code, d.line])).toEqual([
      ['FG112', 2],
      ['FG111', 3],
      ['FG114', 6],
      ['FG111', 7],
    ]);
  });
});
