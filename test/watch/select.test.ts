/** selectRebuild: what one watch run rebuilds, from plain graphs (no processes involved). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import type { Analysis } from '../../src/pipeline/analyze.js';
import { selectRebuild } from '../../src/watch/select.js';
import { affectedByChanges, buildGraph } from '../../src/watch/index.js';
import type { ChangeKind, ScenarioNode } from '../../src/watch/index.js';

const root = mkdtempSync(join(tmpdir(), 'fixturegen-select-'));
mkdirSync(join(root, 'generated'));
writeFileSync(join(root, 'generated', 'gone.py'), '# generated\n');
const config = { root, output: 'generated', scenarios: 'scenarios' } as unknown as Config;
const file = (name: string) => join(root, 'scenarios', `${name}.yaml`);
const node = (name: string, ext: string[] = [], f = file(name)): ScenarioNode => ({
  name,
  file: f,
  extends: ext,
  sliceHash: '',
});
const analysis = (failures: Analysis['failures'] = []) =>
  ({ catalog: { models: [], modules: [], files: [] }, plans: [], failures }) as unknown as Analysis;
const inputs = {
  scenarioDirs: [join(root, 'scenarios')],
  templates: [join(root, 'templates')],
  configFile: join(root, 'fixturegen.yaml'),
  modelFiles: new Set([join(root, 'app', 'models.py')]),
};

function select(
  before: ScenarioNode[],
  after: ScenarioNode[],
  changed: [string, ChangeKind][],
  extra: Partial<Parameters<typeof selectRebuild>[0]> = {},
) {
  const graph = buildGraph(before);
  const changes = new Map(changed);
  return selectRebuild({
    config,
    changes,
    impact: affectedByChanges(graph, inputs, changes),
    everything: false,
    retry: new Set(),
    reintrospected: false,
    before: { graph, slices: new Map() },
    after: { analysis: analysis(), graph: buildGraph(after), slices: new Map() },
    ...extra,
  });
}

describe('selectRebuild', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const base = [node('a'), node('b', ['a']), node('c', ['b']), node('d')];

  it('an edit selects the scenario and its extenders, transitively, sorted', () => {
    expect(select(base, base, [[file('a'), 'change']]).selected).toEqual(['a', 'b', 'c']);
    expect(select(base, base, [[file('d'), 'change']]).selected).toEqual(['d']);
  });

  it('a scenario renamed in its file is built under its new name', () => {
    const after = [node('a'), node('b', ['a']), node('c', ['b']), node('e', [], file('d'))];
    expect(select(base, after, [[file('d'), 'change']]).selected).toEqual(['e']);
  });

  it('a new file that provides a missing parent builds the scenarios waiting for it', () => {
    const before = [node('x', ['p'])];
    const after = [node('x', ['p']), node('p')];
    expect(select(before, after, [[file('p'), 'add']]).selected).toEqual(['p', 'x']);
  });

  it('a file that does not parse is selected by its path', () => {
    const sel = select(base, base, [[file('broken'), 'add']], {
      after: {
        analysis: analysis([{ file: 'scenarios/broken.yaml', name: null, diagnostics: [] }]),
        graph: buildGraph(base),
        slices: new Map(),
      },
    });
    expect(sel.selected).toEqual([]);
    expect(sel.unnamed).toEqual(['scenarios/broken.yaml']);
  });

  it('a deleted scenario is an orphan when its file is still there, and its extenders rebuild', () => {
    const before = [node('gone'), node('child', ['gone'])];
    const after = [node('child', ['gone'])];
    const sel = select(before, after, [[file('gone'), 'unlink']]);
    expect(sel.orphans).toEqual([{ scenario: 'scenarios/gone.yaml', output: 'generated/gone.py' }]);
    expect(sel.selected).toEqual(['child']);
  });

  it('after a re-introspection only changed slices are selected, with their extenders', () => {
    const sel = select(base, base, [[join(root, 'app', 'models.py'), 'change']], {
      reintrospected: true,
      before: {
        graph: buildGraph(base),
        slices: new Map([
          ['a', '1'],
          ['b', '1'],
          ['c', '1'],
          ['d', '1'],
        ]),
      },
      after: {
        analysis: analysis(),
        graph: buildGraph(base),
        slices: new Map([
          ['a', '1'],
          ['b', '2'],
          ['c', '1'],
          ['d', '1'],
        ]),
      },
    });
    expect(sel.sliceChanged).toEqual(['b', 'c']);
    expect(sel.selected).toEqual(['b', 'c']);
  });

  it('everything, and retries of a run the helper could not finish', () => {
    expect(select(base, base, [], { everything: true }).selected).toEqual(['a', 'b', 'c', 'd']);
    expect(select(base, base, [], { retry: new Set(['b']) }).selected).toEqual(['b', 'c']);
  });
});
