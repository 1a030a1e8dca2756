/**
 * The watch core's transition on plain data: no files, processes or clocks. Each test feeds the
 * facts a runner would and checks the actions the core asks for.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/types.js';
import type { Config } from '../../src/config/schema.js';
import { error } from '../../src/diagnostics/types.js';
import type { Analysis } from '../../src/pipeline/analyze.js';
import type { ScenarioOutcome } from '../../src/pipeline/build.js';
import { SETTLE_LIMIT_MS, SETTLE_MS } from '../../src/watch/core-end.js';
import { transition } from '../../src/watch/core.js';
import type { Action, Fact, Step, WatchState } from '../../src/watch/core-types.js';
import type { DiskFile, InputFile } from '../../src/watch/disk.js';
import { graphOf } from '../../src/watch/select.js';

const root = '/project';
const config = {
  root,
  file: join(root, 'fixturegen.yaml'),
  scenarios: 'scenarios',
  output: 'generated',
  models: ['app.models'],
  python: 'python3',
} as unknown as Config;
const catalog = {
  models: [],
  modules: [],
  files: [join(root, 'app/models.py')],
} as unknown as Catalog;
const abs = (name: string) => join(root, 'scenarios', `${name}.yaml`);
const NOW = 1_000_000;

function input(name: string, text: string, mtimeMs = NOW - 10_000): InputFile {
  return { path: abs(name), text, hash: `h:${text}`, mtimeMs };
}
const disk = (f: InputFile | null): DiskFile | null => f && { hash: f.hash, mtimeMs: f.mtimeMs };

function analysis(names: Record<string, string[]>, failing: string[] = []): Analysis {
  const plans = Object.entries(names).map(([name, ext]) => ({
    name,
    source: `scenarios/${name}.yaml`,
    extends: ext,
    models: [],
  }));
  const failures = failing.map((name) => ({
    file: `scenarios/${name}.yaml`,
    name,
    diagnostics: [],
  }));
  return { catalog, plans, failures } as unknown as Analysis;
}

function outcome(name: string, status: ScenarioOutcome['status']): ScenarioOutcome {
  return {
    name,
    file: `scenarios/${name}.yaml`,
    output: `generated/${name}.py`,
    status,
    diagnostics: [],
    notes: [],
    durationMs: 1,
  };
}

/** A session after its initial build: scenarios a and b (b extends a), as read. */
function idle(files = [input('a', 'a1'), input('b', 'b1')]): WatchState {
  const a = analysis({ a: [], b: ['a'] });
  return {
    config,
    catalog,
    modules: ['app.models'],
    analysis: a,
    slices: new Map(),
    graph: graphOf(config, a, new Map()),
    configErrors: null,
    modelsError: null,
    helperDied: false,
    retry: new Set(),
    deferred: new Map(),
    runs: 1,
    board: new Map(),
    read: {
      scenarios: new Map(files.map((f) => [f.path, f])),
      config: new Map([[config.file!, 'h:config']]),
      models: new Map([[catalog.files[0]!, 'h:models']]),
      templates: new Map(),
    },
    run: null,
  };
}

const types = (step: Step) => step.actions.map((a) => a.type);
function action<T extends Action['type']>(step: Step, type: T): Extract<Action, { type: T }> {
  const found = step.actions.find((a) => a.type === type);
  if (!found) throw new Error(`no ${type} in ${types(step).join(', ')}`);
  return found as Extract<Action, { type: T }>;
}

/** Feeds facts in order; returns every step. */
function drive(state: WatchState, ...facts: Fact[]): Step[] {
  const steps: Step[] = [];
  for (const fact of facts) {
    const step = transition(steps.at(-1)?.state ?? state, fact);
    steps.push(step);
  }
  return steps;
}

const edit = (f: InputFile): Fact => ({
  type: 'changes',
  changes: new Map([[f.path, 'change']]),
  initial: false,
  disk: new Map([[f.path, disk(f)]]),
});
const checked = (files: [string, DiskFile | null][], now = NOW): Fact => ({
  type: 'checked',
  disk: new Map(files),
  now,
});

describe('the watch core', () => {
  it('an edit reads the file, builds it and its extenders, reports, then checks the disk', () => {
    const a2 = input('a', 'a2');
    const b1 = input('b', 'b1');
    const [start, read, analyzed, built, done] = drive(
      idle(),
      edit(a2),
      { type: 'inputs-read', files: [a2, b1] },
      { type: 'analyzed', analysis: analysis({ a: [], b: ['a'] }), now: NOW },
      {
        type: 'built',
        outcomes: [outcome('a', 'built'), outcome('b', 'built')],
        diagnostics: [],
      },
      checked([
        [a2.path, disk(a2)],
        [b1.path, disk(b1)],
      ]),
    );
    expect(types(start!)).toEqual(['started', 'read-inputs']);
    expect(action(start!, 'started')).toMatchObject({ run: 1, changes: ['scenarios/a.yaml'] });
    expect([...(action(start!, 'read-inputs').reread as Set<string>)]).toEqual([a2.path]);
    expect(types(read!)).toEqual(['analyze']);
    expect(action(analyzed!, 'build').only).toEqual(['a', 'b']);
    expect(types(built!)).toEqual(['report', 'check-inputs']);
    expect(action(built!, 'report').summary).toMatchObject({ run: 1, selected: ['a', 'b'] });
    expect(action(built!, 'check-inputs').paths).toContain(a2.path);
    expect(done!.actions).toEqual([]);
    expect(done!.state.run).toBeNull();
    expect(done!.state.runs).toBe(2);
  });

  it('a run-level diagnostic of the build (FG630) reaches the report once, beside the failed outcomes', () => {
    const a2 = input('a', 'a2');
    const b1 = input('b', 'b1');
    const fg630 = error(
      'FG630',
      'the default database (an in-memory SQLite) cannot hold the models',
      {
        file: 'fixturegen.yaml',
        line: 1,
        column: 1,
      },
    );
    const [, , , built, done] = drive(
      idle(),
      edit(a2),
      { type: 'inputs-read', files: [a2, b1] },
      { type: 'analyzed', analysis: analysis({ a: [], b: ['a'] }), now: NOW },
      {
        type: 'built',
        outcomes: [outcome('a', 'failed'), outcome('b', 'failed')],
        diagnostics: [fg630],
      },
      checked([
        [a2.path, disk(a2)],
        [b1.path, disk(b1)],
      ]),
    );
    expect(action(built!, 'report').summary).toMatchObject({ runErrors: [fg630] });
    const a3 = input('a', 'a3');
    const [, , , clean] = drive(
      done!.state,
      edit(a3),
      { type: 'inputs-read', files: [a3, b1] },
      { type: 'analyzed', analysis: analysis({ a: [], b: ['a'] }), now: NOW },
      { type: 'built', outcomes: [outcome('a', 'built'), outcome('b', 'built')], diagnostics: [] },
    );
    expect(action(clean!, 'report').summary).toMatchObject({ runErrors: [] });
  });

  it('events for content already read, or for files never read and gone, start no run', () => {
    const a1 = input('a', 'a1');
    const gone = join(root, 'scenarios/never-read.txt');
    const batch: Fact = {
      type: 'changes',
      changes: new Map([
        [a1.path, 'change'],
        [gone, 'unlink'],
      ]),
      initial: false,
      disk: new Map([
        [a1.path, disk(a1)],
        [gone, null],
      ]),
    };
    const [probe, done] = drive(idle(), batch, checked([[a1.path, disk(a1)]]));
    expect(types(probe!)).toEqual(['check-inputs']);
    expect(probe!.state.runs).toBe(1);
    expect(done!.actions).toEqual([]);
  });

  it('the end-of-run check reruns what changed since it was read, was added or deleted', () => {
    const state = { ...idle(), run: transition(idle(), edit(input('a', 'a1'))).state.run };
    const step = transition(
      state,
      checked([
        [abs('a'), disk(input('a', 'a9'))],
        [abs('b'), null],
        [abs('c'), disk(input('c', 'c1'))],
        [config.file!, { hash: 'h:config', mtimeMs: 0 }],
      ]),
    );
    expect(step.actions).toEqual([
      {
        type: 'rerun',
        changes: new Map([
          [abs('a'), 'change'],
          [abs('b'), 'unlink'],
          [abs('c'), 'add'],
        ]),
      },
    ]);
  });

  it('an input written moments ago is looked at again once it has settled', () => {
    const fresh = input('a', 'a1', NOW - 5);
    const state = { ...idle([fresh]), run: transition(idle(), edit(input('a', 'a1'))).state.run };
    const step = transition(state, checked([[fresh.path, disk(fresh)]]));
    expect(step.actions).toEqual([{ type: 'recheck', at: NOW - 5 + SETTLE_MS }]);
    const future = input('a', 'a1', NOW + 3_600_000); // a skewed clock: it would never settle
    const later = transition(
      { ...idle([future]), run: state.run },
      checked([[future.path, disk(future)]]),
    );
    expect(later.actions).toEqual([]);
  });

  it('a file read half-written is read again, and built once it is whole, without a report', () => {
    const empty = input('a', '', NOW - 3);
    const whole = input('a', 'a2', NOW + 20);
    const [, , analyzed, settled, rebuilt, again] = drive(
      idle(),
      edit(empty),
      { type: 'inputs-read', files: [empty, input('b', 'b1')] },
      { type: 'analyzed', analysis: analysis({ b: ['a'] }, ['a']), now: NOW },
      { type: 'settled', files: new Map([[empty.path, whole]]) },
      { type: 'analyzed', analysis: analysis({ a: [], b: ['a'] }), now: NOW + 60 },
      {
        type: 'built',
        outcomes: [outcome('a', 'built'), outcome('b', 'built')],
        diagnostics: [],
      },
    );
    expect(analyzed!.actions).toEqual([
      { type: 'settle', paths: [empty.path], until: NOW - 3 + SETTLE_MS },
    ]);
    expect(types(settled!)).toEqual(['analyze']);
    expect(action(settled!, 'analyze').inputs.map((f) => f.text)).toEqual(['a2', 'b1']);
    expect(action(rebuilt!, 'build').only).toEqual(['a', 'b']);
    expect(action(again!, 'report').summary.outcomes.map((o) => o.status)).toEqual([
      'built',
      'built',
    ]);
    expect(again!.state.read.scenarios.get(empty.path)?.text).toBe('a2');
  });

  it('a failing file is read again even when the analysis ended long after its write (a loaded machine)', () => {
    // Read between an editor's truncate and its write; the analysis then took 400 ms.
    const empty = input('a', '', NOW - 400);
    const [, , analyzed] = drive(
      idle(),
      edit(empty),
      { type: 'inputs-read', files: [empty, input('b', 'b1')] },
      { type: 'analyzed', analysis: analysis({ b: ['a'] }, ['a']), now: NOW },
    );
    expect(analyzed!.actions).toEqual([
      { type: 'settle', paths: [empty.path], until: NOW - 400 + SETTLE_MS },
    ]);
  });

  it('a failure that stays the same after settling is built (and reported) as it is', () => {
    const bad = input('a', 'nope', NOW - 3);
    const steps = drive(
      idle(),
      edit(bad),
      { type: 'inputs-read', files: [bad, input('b', 'b1')] },
      { type: 'analyzed', analysis: analysis({ b: ['a'] }, ['a']), now: NOW },
      { type: 'settled', files: new Map([[bad.path, bad]]) },
    );
    expect(action(steps.at(-1)!, 'build').only).toEqual(['a', 'b']);
  });

  it('a file that keeps changing is settled for at most SETTLE_LIMIT_MS', () => {
    const state = transition(idle(), edit(input('a', 'x', NOW))).state;
    const late = NOW + SETTLE_LIMIT_MS;
    const withRun = { ...state, run: { ...state.run!, settlingSince: NOW } };
    const step = transition(
      transition(withRun, { type: 'inputs-read', files: [input('a', 'x', late - 1)] }).state,
      { type: 'analyzed', analysis: analysis({}, ['a']), now: late },
    );
    expect(types(step)).toEqual(['build']);
  });

  it('a helper that died under the build is restarted and the build done again, once', () => {
    const a2 = input('a', 'a2');
    const steps = drive(
      idle(),
      edit(a2),
      { type: 'inputs-read', files: [a2, input('b', 'b1')] },
      { type: 'analyzed', analysis: analysis({ a: [], b: ['a'] }), now: NOW },
      { type: 'helper-died', message: 'the Python helper exited (SIGKILL)' },
      { type: 'introspected', catalog, models: new Map() },
      { type: 'analyzed', analysis: analysis({ a: [], b: ['a'] }), now: NOW },
      { type: 'helper-died', message: 'the Python helper exited (SIGKILL)' },
    );
    expect(types(steps[3]!)).toEqual(['restart-helper', 'introspect']);
    expect(action(steps[5]!, 'build').only).toEqual(['a', 'b']);
    const report = action(steps[6]!, 'report').summary;
    expect(report.helperRestarted).toBe(true);
    expect(report.modelsError).toMatchObject({ code: 'FG610' });
    expect(steps[6]!.state).toMatchObject({ helperDied: true, retry: new Set(['a', 'b']) });
  });

  it('a configuration that does not load is reported with its change, and the last one kept', () => {
    const configEdit: Fact = {
      type: 'changes',
      changes: new Map([[config.file!, 'change']]),
      initial: false,
      disk: new Map([[config.file!, { hash: 'h:bad', mtimeMs: NOW }]]),
    };
    const errors = [{ code: 'FG603', severity: 'error', message: 'bad' }] as never;
    const [start, loaded, read, analyzed] = drive(
      idle(),
      configEdit,
      {
        type: 'config-loaded',
        result: { ok: false, diagnostics: errors },
        hashes: new Map(),
        mtimeMs: NOW - 10_000,
        now: NOW,
      },
      { type: 'inputs-read', files: [input('a', 'a1'), input('b', 'b1')] },
      { type: 'analyzed', analysis: analysis({ a: [], b: ['a'] }), now: NOW },
    );
    expect(types(start!)).toEqual(['started', 'load-config']);
    expect(types(loaded!)).toEqual(['read-inputs']);
    expect(types(read!)).toEqual(['analyze']);
    const summary = action(analyzed!, 'report').summary;
    expect(summary).toMatchObject({
      changes: ['fixturegen.yaml'],
      selected: [],
      configReloaded: false,
    });
    expect(summary.configErrors).toBe(errors);
  });

  it('a configuration that fails to load moments after it was written is read again first', () => {
    const configEdit: Fact = {
      type: 'changes',
      changes: new Map([[config.file!, 'change']]),
      initial: false,
      disk: new Map([[config.file!, { hash: 'h:half', mtimeMs: NOW - 2 }]]),
    };
    const errors = [{ code: 'FG603', severity: 'error', message: 'half' }] as never;
    const [, half, whole] = drive(
      idle(),
      configEdit,
      {
        type: 'config-loaded',
        result: { ok: false, diagnostics: errors },
        hashes: new Map([[config.file!, 'h:half']]),
        mtimeMs: NOW - 2,
        now: NOW,
      },
      {
        type: 'config-loaded',
        result: { ok: true, value: { ...config, verify: 'collect' }, warnings: [] },
        hashes: new Map([[config.file!, 'h:whole']]),
        mtimeMs: NOW + 10,
        now: NOW + 100,
      },
    );
    expect(half!.actions).toEqual([{ type: 'load-config', after: NOW - 2 + SETTLE_MS }]);
    expect(whole!.state.configErrors).toBeNull();
    expect(whole!.state.run!.configReloaded).toBe(true);
  });

  it('scenario edits while the models do not import are built once they do', () => {
    const paused = { ...idle(), modelsError: { code: 'FG610' } as never };
    const a2 = input('a', 'a2');
    const [, stopped] = drive(paused, edit(a2), { type: 'inputs-read', files: [a2] });
    expect(types(stopped!)).toEqual(['report', 'check-inputs']);
    expect([...stopped!.state.deferred.keys()]).toEqual([a2.path]);
    const models: Fact = {
      type: 'changes',
      changes: new Map([[catalog.files[0]!, 'change']]),
      initial: false,
      disk: new Map([[catalog.files[0]!, { hash: 'h:fixed', mtimeMs: NOW }]]),
    };
    const after = { ...stopped!.state, run: null };
    const [start] = drive(after, models);
    expect(start!.state.run!.changes.has(a2.path)).toBe(true);
    expect(start!.state.run!.restart).toBe(true);
  });
});
