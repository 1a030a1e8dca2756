/**
 * Compiling again after a change (what watch does on each save) checks again only what the change
 * can affect: the changed file, the scenarios that extend it when what they inherit changed, and
 * everything when the catalog changed. Reused plans are the same objects; the results equal a
 * compile from scratch.
 */
import { describe, expect, test } from 'vitest';
import type { Catalog } from '../../src/catalog/types.js';
import { compileScenarios } from '../../src/scenario/index.js';
import { CRM } from './helpers.js';

const OPTS = { defaultModels: ['crm.models'] };

const files = (parentEntities: string, other = 'Other') => ({
  'scenarios/parent.yaml': `entities:\n${parentEntities}`,
  'scenarios/child.yaml':
    'extends: parent\nentities:\n  ops:\n    model: Team\n    values: { name: Ops, tenant: "@acme" }\n',
  'scenarios/other.yaml': `entities:\n  solo:\n    model: Tenant\n    values: { name: ${other} }\n`,
});
const ACME = '  acme:\n    model: Tenant\n    values: { name: Acme }\n';
const ROLE = '  admin:\n    model: Role\n    values: { name: admin, tenant: "@acme" }\n';

function compile(input: Record<string, string>, catalog: Catalog = CRM) {
  const r = compileScenarios(
    Object.entries(input).map(([file, text]) => ({ file, text })),
    catalog,
    OPTS,
  );
  expect(r.failures).toEqual([]);
  return new Map(r.plans.map((p) => [p.name, p]));
}

describe('compiling again', () => {
  test('an unchanged project reuses every plan', () => {
    const first = compile(files(ACME));
    const again = compile(files(ACME));
    for (const name of ['parent', 'child', 'other'])
      expect(again.get(name), name).toBe(first.get(name));
  });

  test('a changed file is compiled again; the others are reused', () => {
    const first = compile(files(ACME));
    const again = compile(files(ACME, 'Renamed'));
    expect(again.get('other')).not.toBe(first.get('other'));
    expect(again.get('other')!.canonical).toContain('Renamed');
    expect(again.get('parent')).toBe(first.get('parent'));
    expect(again.get('child')).toBe(first.get('child'));
  });

  test('a parent whose labels change compiles its children again', () => {
    const first = compile(files(ACME));
    const again = compile(files(ACME + ROLE));
    expect(again.get('parent')).not.toBe(first.get('parent'));
    expect(again.get('child')).not.toBe(first.get('child'));
    expect(again.get('child')!.inherited.map((l) => l.label)).toEqual(['acme', 'admin']);
    expect(again.get('other')).toBe(first.get('other'));
    // The same plans as a compile that never saw the first version.
    const fresh = compile({ ...files(ACME + ROLE), 'scenarios/unrelated.yaml': 'entities: {}\n' });
    expect(again.get('child')).toEqual(fresh.get('child'));
  });

  test('a new catalog (the models changed) compiles every scenario again', () => {
    const first = compile(files(ACME));
    const changed: Catalog = { ...CRM };
    const again = compile(files(ACME), changed);
    for (const name of ['parent', 'child', 'other'])
      expect(again.get(name), name).not.toBe(first.get(name));
    for (const name of ['parent', 'child', 'other'])
      expect(again.get(name), name).toEqual(first.get(name));
  });
});
