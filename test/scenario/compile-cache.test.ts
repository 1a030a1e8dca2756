/**
 * Compiling again after a change (what watch does on each save) checks again only what the change
 * can affect: the changed file, the scenarios that extend it when what they inherit changed, and
 * everything when the catalog changed. Reused plans are the same objects; the results equal a
 * compile from scratch.
 */
import { describe, expect, test } from 'vitest';
import type { Catalog } from '../../src/catalog/types.js';
import { CompileCache, compileScenarios } from '../../src/scenario/index.js';
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

/**
 * With a `CompileCache` (what watch keeps), a compile after a change loads and visits only the
 * files the change can affect; the result is always the one a compile from scratch gives.
 */
describe('compiling again with the last compile kept', () => {
  type Steps = Record<'load' | 'visit' | 'memo' | 'analyze', string[]>;
  const session = (catalog: Catalog = CRM) => {
    const cache = new CompileCache();
    return (input: Record<string, string>, cat: Catalog = catalog) => {
      const steps: Steps = { load: [], visit: [], memo: [], analyze: [] };
      const inputs = Object.entries(input).map(([file, text]) => ({ file, text }));
      const result = compileScenarios(inputs, cat, {
        ...OPTS,
        cache,
        trace: (file, step) => steps[step].push(file),
      });
      // Exactly what a compile that never saw an earlier version gives.
      expect(result).toEqual(compileScenarios([...inputs].reverse(), cat, OPTS));
      for (const k of Object.keys(steps) as (keyof Steps)[]) steps[k].sort();
      return { result, steps };
    };
  };
  const many = (n: number): Record<string, string> =>
    Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        `scenarios/s${i}.yaml`,
        `entities:\n  t:\n    model: Tenant\n    values: { name: T${i} }\n`,
      ]),
    );

  test('one saved file among many: only it is loaded and visited', () => {
    const compile = session();
    const project: Record<string, string> = { ...many(50), ...files(ACME) };
    const first = compile(project);
    expect(first.steps.visit).toHaveLength(53);
    const again = compile({
      ...project,
      'scenarios/s7.yaml': project['scenarios/s7.yaml']!.replace('T7', 'Seven'),
    });
    expect(again.steps).toEqual({
      load: ['scenarios/s7.yaml'],
      visit: ['scenarios/s7.yaml'],
      memo: [],
      analyze: ['scenarios/s7.yaml'],
    });
    // Nothing changed: nothing is loaded or visited, every plan is the same object.
    const same = compile({
      ...project,
      'scenarios/s7.yaml': project['scenarios/s7.yaml']!.replace('T7', 'Seven'),
    });
    expect(same.steps).toEqual({ load: [], visit: [], memo: [], analyze: [] });
    same.result.plans.forEach((p, i) => expect(p).toBe(again.result.plans[i]));
  });

  test('a parent: its children are visited, analyzed again only when what they inherit changed', () => {
    const compile = session();
    compile({ ...many(5), ...files(ACME) });
    const values = compile({ ...many(5), ...files(ACME.replace('Acme', 'Acme Ltd')) });
    expect(values.steps.load).toEqual(['scenarios/child.yaml', 'scenarios/parent.yaml']);
    expect(values.steps.analyze).toEqual(['scenarios/parent.yaml']);
    expect(values.steps.memo).toEqual(['scenarios/child.yaml']);
    // (Texts no other test compiles: plans are memoized per parsed file across compiles.)
    const labels = compile({
      ...many(5),
      ...files(ACME + ROLE.replace('name: admin', 'name: lead')),
    });
    expect(labels.steps.visit).toEqual(['scenarios/child.yaml', 'scenarios/parent.yaml']);
    expect(labels.steps.analyze).toEqual(['scenarios/child.yaml', 'scenarios/parent.yaml']);
  });

  test('grandchildren follow their parent', () => {
    const compile = session();
    const grand =
      'extends: child\nentities:\n  more:\n    model: Team\n    values: { name: More, tenant: "@acme" }\n';
    compile({ ...many(3), ...files(ACME), 'scenarios/grand.yaml': grand });
    const again = compile({
      ...many(3),
      ...files(ACME + ROLE.replace('name: admin', 'name: boss')),
      'scenarios/grand.yaml': grand,
    });
    expect(again.steps.analyze).toEqual([
      'scenarios/child.yaml',
      'scenarios/grand.yaml',
      'scenarios/parent.yaml',
    ]);
  });

  test('a new catalog or other options: every file is visited again', () => {
    const compile = session();
    const project = { ...many(4), ...files(ACME) };
    compile(project);
    const again = compile(project, { ...CRM });
    expect(again.steps.visit).toHaveLength(7);
  });

  test('a file taking the name of an untouched one: both report it, and both recover', () => {
    const compile = session();
    const project: Record<string, string> = { ...many(5), ...files(ACME) };
    compile(project);
    const clash = compile({
      ...project,
      'scenarios/s1.yaml': `name: s2\n${project['scenarios/s1.yaml']}`,
    });
    expect(clash.result.failures.map((f) => [f.file, f.diagnostics.map((d) => d.code)])).toEqual([
      ['scenarios/s1.yaml', ['FG225']],
      ['scenarios/s2.yaml', ['FG225']],
    ]);
    expect(clash.steps.load).toEqual(['scenarios/s1.yaml', 'scenarios/s2.yaml']);
    const back = compile(project);
    expect(back.result.failures).toEqual([]);
    expect(back.steps.load).toEqual(['scenarios/s1.yaml', 'scenarios/s2.yaml']);
  });

  test('a failing file untouched by a save keeps its errors, and its extenders theirs', () => {
    const compile = session();
    const broken: Record<string, string> = { ...many(3), ...files('  acme:\n    model: Nope\n') };
    const first = compile(broken);
    expect(first.result.failures.map((f) => f.file)).toEqual([
      'scenarios/child.yaml',
      'scenarios/parent.yaml',
    ]);
    const again = compile({
      ...broken,
      'scenarios/s0.yaml': broken['scenarios/s0.yaml']!.replace('T0', 'Zero'),
    });
    expect(again.result.failures).toEqual(first.result.failures);
    // Files with errors are checked again on every compile; the clean ones that were not saved are not.
    expect(again.steps.visit).toEqual([
      'scenarios/child.yaml',
      'scenarios/parent.yaml',
      'scenarios/s0.yaml',
    ]);
  });

  test('a deleted parent: its children fail; restored, they compile again', () => {
    const compile = session();
    const project = { ...many(3), ...files(ACME) };
    compile(project);
    const { ['scenarios/parent.yaml']: parent, ...rest } = project;
    const gone = compile(rest);
    expect(gone.result.failures.map((f) => [f.file, f.diagnostics.map((d) => d.code)])).toEqual([
      ['scenarios/child.yaml', ['FG221']],
    ]);
    expect(gone.steps.visit).toEqual(['scenarios/child.yaml']);
    const back = compile({ ...rest, 'scenarios/parent.yaml': parent });
    expect(back.result.failures).toEqual([]);
    expect(back.steps.visit).toEqual(['scenarios/child.yaml', 'scenarios/parent.yaml']);
  });

  test('a base that stops loading is still meant by its file stem', () => {
    const compile = session();
    const project = { ...many(3), ...files(ACME) };
    compile(project);
    const torn = compile({ ...project, 'scenarios/parent.yaml': 'entities: [\n' });
    expect(torn.result.failures.map((f) => f.file)).toEqual([
      'scenarios/child.yaml',
      'scenarios/parent.yaml',
    ]);
    expect(torn.steps.load).toEqual(['scenarios/child.yaml', 'scenarios/parent.yaml']);
  });
});
