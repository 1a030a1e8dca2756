import { describe, expect, it } from 'vitest';
import {
  affectedByChanges,
  affectedBySliceChange,
  buildGraph,
  collapseEvents,
  type ChangeKind,
  type ScenarioNode,
  type WatchInputs,
} from '../../src/watch/graph.js';

const R = '/proj';
const scen = (name: string, ext: string[] = [], file = `${R}/scenarios/${name}.yaml`) =>
  ({ name, file, extends: ext, sliceHash: `h-${name}` }) satisfies ScenarioNode;

// base ← team ← team_with_grants ; base ← billing ; lonely ; orphan_child extends "missing"
const scenarios: ScenarioNode[] = [
  scen('base'),
  scen('team', ['base']),
  scen('team_with_grants', ['team'], `${R}/scenarios/nested/twg.yml`),
  scen('billing', ['base']),
  scen('lonely'),
  scen('orphan_child', ['missing']),
];
const graph = buildGraph(scenarios);
const inputs: WatchInputs = {
  scenarioDirs: [`${R}/scenarios`],
  templates: [`${R}/templates`, `${R}/extra/fixture.hbs`],
  configFile: `${R}/fixturegen.yaml`,
  modelFiles: new Set([`${R}/crm/models/__init__.py`, `${R}/crm/models/user.py`]),
};
const ALL = ['base', 'billing', 'lonely', 'orphan_child', 'team', 'team_with_grants'];

function impact(changes: Record<string, ChangeKind>) {
  const r = affectedByChanges(graph, inputs, new Map(Object.entries(changes)));
  return { ...r, rebuild: [...r.rebuild].sort(), added: [...r.added], deleted: [...r.deleted] };
}

describe('affectedByChanges', () => {
  it('a changed scenario rebuilds it and everything that extends it, transitively', () => {
    expect(impact({ [`${R}/scenarios/base.yaml`]: 'change' })).toEqual({
      rebuild: ['base', 'billing', 'orphan_child', 'team', 'team_with_grants'],
      added: [],
      deleted: [],
      reloadConfig: false,
      restartHelper: false,
      reintrospect: false,
    });
  });

  it('a leaf scenario rebuilds only itself (plus scenarios waiting for a missing base)', () => {
    expect(impact({ [`${R}/scenarios/nested/twg.yml`]: 'change' }).rebuild).toEqual([
      'orphan_child',
      'team_with_grants',
    ]);
    expect(impact({ [`${R}/scenarios/team.yaml`]: 'change' }).rebuild).toEqual([
      'orphan_child',
      'team',
      'team_with_grants',
    ]);
  });

  it('without a dangling extends, a change rebuilds exactly the scenario and its extenders', () => {
    const g = buildGraph(scenarios.filter((s) => s.name !== 'orphan_child'));
    const r = affectedByChanges(g, inputs, new Map([[`${R}/scenarios/lonely.yaml`, 'change']]));
    expect([...r.rebuild]).toEqual(['lonely']);
  });

  it('a template or the config rebuilds everything; only the config is reloaded', () => {
    const t1 = impact({ [`${R}/templates/builtin/module.hbs`]: 'change' });
    expect(t1.rebuild).toEqual(ALL);
    expect(t1.reloadConfig).toBe(false);
    expect(impact({ [`${R}/templates/new.hbs`]: 'add' }).rebuild).toEqual(ALL);
    expect(impact({ [`${R}/extra/fixture.hbs`]: 'change' }).rebuild).toEqual(ALL);
    const c = impact({ [`${R}/fixturegen.yaml`]: 'change' });
    expect(c.rebuild).toEqual(ALL);
    expect(c.reloadConfig).toBe(true);
    expect(c.restartHelper).toBe(false);
    expect(impact({ [`${R}/fixturegen.yaml`]: 'unlink' }).reloadConfig).toBe(true);
  });

  it('a models file restarts the helper and re-introspects, rebuilding nothing yet', () => {
    expect(impact({ [`${R}/crm/models/user.py`]: 'change' })).toEqual({
      rebuild: [],
      added: [],
      deleted: [],
      reloadConfig: false,
      restartHelper: true,
      reintrospect: true,
    });
  });

  it('a Python file the helper did not import is not a models change', () => {
    const r = impact({ [`${R}/crm/views.py`]: 'change' });
    expect(r.restartHelper).toBe(false);
    expect(r.rebuild).toEqual([]);
  });

  it('a new scenario file is added (to load and build) and wakes dangling extenders', () => {
    const r = impact({ [`${R}/scenarios/missing.yaml`]: 'add' });
    expect(r.added).toEqual([`${R}/scenarios/missing.yaml`]);
    expect(r.rebuild).toEqual(['orphan_child']);
    expect(impact({ [`${R}/scenarios/deep/er/x.yml`]: 'add' }).added).toEqual([
      `${R}/scenarios/deep/er/x.yml`,
    ]);
  });

  it('an unknown scenario file that changed is loaded too (it failed to load before)', () => {
    expect(impact({ [`${R}/scenarios/broken.yaml`]: 'change' }).added).toEqual([
      `${R}/scenarios/broken.yaml`,
    ]);
  });

  it('ignores non-YAML files and YAML outside the scenario folders', () => {
    const r = impact({
      [`${R}/scenarios/notes.txt`]: 'add',
      [`${R}/other/thing.yaml`]: 'add',
      [`${R}/scenarios-old/x.yaml`]: 'add',
    });
    expect(r.added).toEqual([]);
    expect(r.rebuild).toEqual([]);
  });

  it('a deleted scenario is reported, not rebuilt; its extenders are rebuilt to show the error', () => {
    const r = impact({ [`${R}/scenarios/team.yaml`]: 'unlink' });
    expect(r.deleted).toEqual([`${R}/scenarios/team.yaml`]);
    expect(r.rebuild).toEqual(['team_with_grants']);
    expect(r.added).toEqual([]);
  });

  it('a deleted scenario stays out of a rebuild-everything batch', () => {
    const r = impact({
      [`${R}/scenarios/lonely.yaml`]: 'unlink',
      [`${R}/fixturegen.yaml`]: 'change',
    });
    expect(r.rebuild).toEqual(ALL.filter((n) => n !== 'lonely'));
    expect(r.deleted).toEqual([`${R}/scenarios/lonely.yaml`]);
  });

  it('an unknown file deleted is nothing to do', () => {
    expect(impact({ [`${R}/scenarios/never-loaded.yaml`]: 'unlink' })).toMatchObject({
      rebuild: [],
      added: [],
      deleted: [],
    });
  });

  it('combines several changes in one batch', () => {
    const r = impact({
      [`${R}/scenarios/billing.yaml`]: 'change',
      [`${R}/scenarios/lonely.yaml`]: 'change',
      [`${R}/crm/models/__init__.py`]: 'add',
      [`${R}/scenarios/fresh.yaml`]: 'add',
    });
    expect(r.rebuild).toEqual(['billing', 'lonely', 'orphan_child']);
    expect(r.added).toEqual([`${R}/scenarios/fresh.yaml`]);
    expect(r.restartHelper).toBe(true);
  });

  it('survives an extends cycle', () => {
    const g = buildGraph([scen('a', ['b']), scen('b', ['a']), scen('c')]);
    const r = affectedByChanges(g, inputs, new Map([[`${R}/scenarios/a.yaml`, 'change']]));
    expect([...r.rebuild].sort()).toEqual(['a', 'b']);
  });

  it('normalizes paths and rejects relative ones', () => {
    expect(impact({ [`${R}/scenarios/./sub/../base.yaml`]: 'change' }).rebuild).toContain('base');
    expect(() => impact({ 'scenarios/base.yaml': 'change' })).toThrow(/absolute/);
    expect(() => buildGraph([scen('x', [], 'x.yaml')])).toThrow(/absolute/);
  });

  it('keys the graph by normalized file paths, whether or not a node needed normalizing', () => {
    const g = buildGraph([
      scen('a', [], `${R}/scenarios/./sub/../a.yaml`),
      scen('b', [], `${R}//scenarios/b.yaml`),
      scen('c', [], `${R}/scenarios/..c/c.yaml`),
      scen('d', [], `${R}/scenarios/.d/d.yaml/`),
    ]);
    expect([...g.byFile.keys()].sort()).toEqual([
      `${R}/scenarios/..c/c.yaml`,
      `${R}/scenarios/.d/d.yaml/`,
      `${R}/scenarios/a.yaml`,
      `${R}/scenarios/b.yaml`,
    ]);
  });
});

describe('affectedBySliceChange', () => {
  const old = new Map(scenarios.map((s) => [s.name, s.sliceHash]));

  it('returns the scenarios whose slice hash changed, plus their extenders', () => {
    const next = new Map(old);
    next.set('team', 'h-team-2');
    expect([...affectedBySliceChange(old, next, graph)].sort()).toEqual([
      'team',
      'team_with_grants',
    ]);
  });

  it('returns nothing when no slice changed', () => {
    expect(affectedBySliceChange(old, new Map(old), graph).size).toBe(0);
  });

  it('counts a slice that appeared or can no longer be computed as changed', () => {
    const next = new Map(old);
    next.delete('billing');
    const prev = new Map(old);
    prev.delete('lonely');
    expect([...affectedBySliceChange(prev, next, graph)].sort()).toEqual(['billing', 'lonely']);
  });

  it('leaves out names no longer in the graph (deleted scenarios are orphans)', () => {
    const prev = new Map(old).set('gone', 'h-gone');
    expect([...affectedBySliceChange(prev, new Map(old), graph)]).toEqual([]);
  });
});

describe('collapseEvents', () => {
  it('keeps the last state of each path', () => {
    const m = collapseEvents([
      { path: '/p/a', kind: 'add' },
      { path: '/p/a', kind: 'change' },
      { path: '/p/b', kind: 'unlink' },
      { path: '/p/b', kind: 'add' },
      { path: '/p/c', kind: 'add' },
      { path: '/p/c', kind: 'unlink' },
      { path: '/p/d', kind: 'change' },
    ]);
    expect(Object.fromEntries(m)).toEqual({
      '/p/a': 'add',
      '/p/b': 'change',
      '/p/c': 'unlink',
      '/p/d': 'change',
    });
  });
});
