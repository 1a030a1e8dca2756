import { describe, expect, test } from 'vitest';
import { editDistance, suggest } from '../../src/diagnostics/suggest.js';
import { scenarioModelPaths } from '../../src/scenario/index.js';

describe('scenarioModelPaths', () => {
  test.each([
    ['models: crm.models\n', ['crm.models']],
    ['models: [b.m, a.m]\n', ['a.m', 'b.m']],
    ['models:\n  - crm.models\n  - billing\n', ['billing', 'crm.models']],
    ['entities: {}\n', []],
    ['models: 3\n', []],
    ['models: "not a path!"\n', []],
    // Broken YAML elsewhere in the file still gives the models.
    ['models: crm.models\nentities:\n\tbad: [\n', ['crm.models']],
    ['models: [crm.models, billing\n', ['billing', 'crm.models']],
    ['- just\n- a list\n', []],
    ['', []],
  ])('%j', (text, expected) => {
    expect(scenarioModelPaths(text)).toEqual(expected);
  });
});

describe('suggest', () => {
  test('edit distance counts a swap of neighbours as one edit', () => {
    expect(editDistance('entities', 'entites')).toBe(1);
    expect(editDistance('tenant', 'tenatn')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  test('closest candidate within a third of the length, ties alphabetical, case-insensitive', () => {
    expect(suggest('entites', ['entities', 'extends'])).toBe('entities');
    expect(suggest('Tenent', ['Tenant', 'Team'])).toBe('Tenant');
    expect(suggest('user', ['users', 'uses'])).toBe('users');
    expect(suggest('xyz', ['entities'])).toBeNull();
    expect(suggest('EMAIL', ['email'])).toBe('email');
    expect(suggest('same', ['same'])).toBeNull();
  });
});
