/**
 * `fixturegen watch --json` as a user runs it, on a temporary copy of the sample CRM extended with
 * a model no other scenario touches (`Note`) and a scenario that extends another. One watcher
 * serves the whole file, in order; each step waits for the run events it causes, and proves that
 * nothing else ran by a sentinel change whose run must come next.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_WAIT_MS } from '../../src/watch/scheduler.js';
import { sampleProject } from '../support/project.js';
import type { RunEvent } from './support.js';
import { WatchProcess, alive, descendants, rebuilt } from './support.js';

const NOTE_MODEL = `

class Note(Base):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
`;

const noteScenario = (title: string) => `entities:
  first:
    model: Note
    values:
      title: ${title}
`;

const EXTRA = `extends: tenant_with_team
entities:
  auditor:
    model: Role
    values:
      name: auditor
      tenant: "@acme"
`;

describe('fixturegen watch', () => {
  let dir: string;
  let w: WatchProcess;
  let sentinels = 0;
  const path = (rel: string) => join(dir, rel);
  const read = (rel: string) => readFileSync(path(rel), 'utf8');

  /** Writes a file the watcher sees but that affects no scenario; its run must be the next one. */
  async function expectNoOtherRun(): Promise<RunEvent> {
    const before = w.lastRun;
    const name = `scenarios/sentinel-${++sentinels}.txt`;
    writeFileSync(path(name), 'x');
    const run = await w.run(before + 1);
    expect(run.changes).toEqual([name]);
    expect(run.selected).toEqual([]);
    return run;
  }

  /** Makes a change and returns the run it causes. */
  /**
   * Makes a change to `rel` and returns the run that reports it. A run the watcher makes in
   * between (a late event for an earlier save, whose content it had already built) must build
   * nothing.
   */
  async function change(rel: string, edit: () => void): Promise<RunEvent> {
    const before = w.lastRun;
    edit();
    const run = (await w.next(
      (e) => e.event === 'run' && e.run > before && e.changes.includes(rel),
      30_000,
      `the run for ${rel}`,
    )) as RunEvent;
    const between = w.runs.filter((r) => r.run > before && r.run < run.run);
    expect(between.flatMap(rebuilt)).toEqual([]);
    return run;
  }

  beforeAll(async () => {
    dir = sampleProject('fixturegen-watch-');
    appendFileSync(path('crm/models.py'), NOTE_MODEL);
    writeFileSync(path('scenarios/note_only.yaml'), noteScenario('first note'));
    writeFileSync(path('scenarios/acme_extra.yaml'), EXTRA);
    w = new WatchProcess(dir);
    await w.run(0, 60_000);
  });

  afterAll(async () => {
    if (w.child.exitCode === null && w.child.signalCode === null) await w.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds everything first, then says it is ready', async () => {
    const initial = w.runs[0]!;
    expect(rebuilt(initial)).toEqual([
      'acme_extra',
      'note_only',
      'team_budget',
      'tenant_with_team',
    ]);
    expect(initial.scenarios.every((o) => o.status === 'built')).toBe(true);
    expect(initial.ok).toBe(true);
    await w.next((e) => e.event === 'ready', 10_000, 'ready');
    expect(existsSync(path('generated/note_only.py'))).toBe(true);
  });

  it('an edit rebuilds exactly that scenario, once', async () => {
    const run = await change('scenarios/note_only.yaml', () =>
      writeFileSync(path('scenarios/note_only.yaml'), noteScenario('second note')),
    );
    expect(run.changes).toEqual(['scenarios/note_only.yaml']);
    expect(rebuilt(run)).toEqual(['note_only']);
    expect(run.scenarios.find((o) => o.name === 'note_only')!.status).toBe('built');
    expect(read('generated/note_only.py')).toContain('second note');
    await expectNoOtherRun();
  });

  it('an edit of a scenario others extend rebuilds it and its extenders only', async () => {
    const run = await change('scenarios/tenant_with_team.yaml', () =>
      writeFileSync(
        path('scenarios/tenant_with_team.yaml'),
        read('scenarios/tenant_with_team.yaml').replace('Acme Corp', 'Acme Corporation'),
      ),
    );
    expect(rebuilt(run)).toEqual(['acme_extra', 'tenant_with_team']);
    expect(read('generated/tenant_with_team.py')).toContain('Acme Corporation');
    await expectNoOtherRun();
  });

  it('writing into the output folder never triggers a run', async () => {
    const before = read('generated/team_budget.py');
    writeFileSync(path('generated/scratch.txt'), 'not a trigger');
    writeFileSync(path('generated/team_budget.py'), before); // same bytes, new mtime
    await expectNoOtherRun();
    for (const run of w.runs) for (const c of run.changes) expect(c).not.toMatch(/^generated\//);
  });

  it('a bad edit keeps the last good file and its error stays until the next good edit', async () => {
    const good = read('generated/note_only.py');
    const bad = await change('scenarios/note_only.yaml', () =>
      writeFileSync(
        path('scenarios/note_only.yaml'),
        noteScenario('x').replace('model: Note', 'model: Nope'),
      ),
    );
    const failed = bad.scenarios.find((o) => o.name === 'note_only')!;
    expect(failed.status).toBe('failed');
    expect(failed.diagnostics[0]!.message).toMatch(/Nope/);
    expect(bad.ok).toBe(false);
    expect(read('generated/note_only.py')).toBe(good);

    // Another scenario's run still reports the failing one.
    const other = await change('scenarios/team_budget.yaml', () =>
      writeFileSync(
        path('scenarios/team_budget.yaml'),
        read('scenarios/team_budget.yaml').replace('Globex', 'Globex Inc'),
      ),
    );
    expect(rebuilt(other)).toEqual(['team_budget']);
    expect(other.errors.map((e) => e.name)).toEqual(['note_only']);

    const fixed = await change('scenarios/note_only.yaml', () =>
      writeFileSync(path('scenarios/note_only.yaml'), noteScenario('third note')),
    );
    expect(rebuilt(fixed)).toEqual(['note_only']);
    expect(fixed.scenarios[0]!.status).toBe('built');
    expect(fixed.errors).toEqual([]);
    expect(fixed.ok).toBe(true);
    expect(read('generated/note_only.py')).toContain('third note');
  });

  it('a models change restarts the helper and rebuilds only the scenarios whose slice changed', async () => {
    const helperBefore = w.runs.at(-1)!.helperPid;
    const run = await change('crm/models.py', () =>
      writeFileSync(
        path('crm/models.py'),
        read('crm/models.py').replace(
          '    title: Mapped[str] = mapped_column(String(100))\n',
          '    title: Mapped[str] = mapped_column(String(100))\n' +
            '    body: Mapped[Optional[str]] = mapped_column(String(500))\n',
        ),
      ),
    );
    expect(run.changes).toEqual(['crm/models.py']);
    expect(run.models.helperRestarted).toBe(true);
    expect(run.helperPid).not.toBe(helperBefore);
    expect(alive(helperBefore)).toBe(false);
    expect(run.models.sliceChanged).toEqual(['note_only']);
    expect(rebuilt(run)).toEqual(['note_only']);
    expect(run.ok).toBe(true);

    // Team is in the slice of every CRM scenario, and not in note_only's.
    const team = await change('crm/models.py', () =>
      writeFileSync(
        path('crm/models.py'),
        read('crm/models.py').replace(
          '    settings: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)\n',
          '    settings: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)\n' +
            '    motto: Mapped[Optional[str]] = mapped_column(String(200))\n',
        ),
      ),
    );
    expect(team.models.sliceChanged).toEqual(['acme_extra', 'team_budget', 'tenant_with_team']);
    expect(rebuilt(team)).toEqual(['acme_extra', 'team_budget', 'tenant_with_team']);
    await expectNoOtherRun();
  });

  it('a burst of 500 file events within a second gives one or two runs', async () => {
    const before = w.lastRun;
    mkdirSync(path('scenarios/notes'));
    const burstStartedAt = Date.now();
    for (let i = 0; i < 500; i++) {
      writeFileSync(path(`scenarios/notes/n${i}.txt`), String(i));
      if (i === 250)
        writeFileSync(
          path('scenarios/team_budget.yaml'),
          read('scenarios/team_budget.yaml').replace(/name: Globex.*/, 'name: Globex Ltd'),
        );
    }
    // 500 writes take a few tens of milliseconds; a starved machine can stretch them past the
    // scheduler's one-second max wait, which then starts a run mid-burst. Not asserted here (a
    // test does not time itself): the bound on runs below grows with the time the burst took.
    const built = await w.next(
      (e) => e.event === 'run' && e.run > before && rebuilt(e).includes('team_budget'),
      30_000,
      'the burst run',
    );
    // The burst's last events may still be pending. Sentinels are written until one runs with
    // nothing else: then no run of the burst can follow. A sentinel that joins a burst's batch
    // may be left out of its list (a report lists the first 50 paths and says it is truncated).
    let last: RunEvent | undefined;
    for (let k = 0; k < 5 && last === undefined; k++) {
      const name = `scenarios/sentinel-${++sentinels}.txt`;
      writeFileSync(path(name), 'x');
      const run = await w.run(w.lastRun + 1);
      const alone = !run.changesTruncated && run.changes.every((c) => c.includes('sentinel-'));
      if (alone && run.changes.includes(name)) last = run;
    }
    expect(last).toBeDefined();
    const runs = w.runs.filter((r) => r.run > before && r.run <= last!.run);
    const burst = runs.filter(
      (r) => r.changesTruncated || r.changes.some((c) => !c.includes('sentinel-')),
    );
    expect(built.run).toBeGreaterThan(before);
    const what = runs
      .map((r) => `run ${r.run}: ${r.changeCount} changes, ${r.changes.slice(-3).join(' ')}`)
      .join('; ');
    expect(burst.length, what).toBeGreaterThanOrEqual(1);
    // One or two runs; on a machine so busy that the watcher takes longer than the scheduler's
    // one-second max wait to deliver the burst's events, one more per second they took.
    const span = Date.parse(burst.at(-1)!.startedAt) - burstStartedAt;
    expect(burst.length, what).toBeLessThanOrEqual(2 + Math.floor(span / DEFAULT_MAX_WAIT_MS));
    expect(burst.some((r) => r.changesTruncated && r.changes.length === 50)).toBe(true);
    expect(burst.reduce((n, r) => n + r.changeCount, 0)).toBeGreaterThanOrEqual(501);
    expect(runs.flatMap(rebuilt)).toEqual(['team_budget']);
  });

  it('bursts of 300 saves of a scenario always end with the last content built and verified', async () => {
    for (let round = 0; round < 10; round++) {
      const last = `burst ${round} last`;
      const from = w.lastRun;
      for (let i = 0; i < 300; i++) {
        writeFileSync(
          path('scenarios/note_only.yaml'),
          noteScenario(i === 299 ? last : `burst ${round} save ${i}`),
        );
        // Thirty saves, then a pause: 300 saves over about a second, as an editor would.
        if (i % 30 === 29) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The file is read when the event is matched, which on a loaded machine can be after a
      // later run wrote it: this only says the last save got built by now, not by which run.
      await w.next(
        (e) =>
          e.event === 'run' &&
          e.run > from &&
          e.scenarios.some((o) => o.name === 'note_only' && o.status === 'built') &&
          read('generated/note_only.py').includes(last),
        60_000,
        `round ${round}: the last save built`,
      );
      // Then a sentinel's run with nothing else in it: every run of the burst came before it, and
      // the last of them that built note_only built the last save, with nothing failing. (A late
      // event of the burst may join a sentinel's batch: then the next sentinel decides.)
      let settled: RunEvent | undefined;
      for (let k = 0; k < 5 && settled === undefined; k++) {
        const name = `scenarios/sentinel-${++sentinels}.txt`;
        writeFileSync(path(name), 'x');
        const run = (await w.next(
          (e) => e.event === 'run' && e.run > from && e.changes.includes(name),
          30_000,
          `round ${round}: the sentinel's run`,
        )) as RunEvent;
        if (run.changes.length === 1) settled = run;
      }
      if (settled === undefined) throw new Error(`round ${round}: no sentinel ran alone`);
      expect(settled.selected).toEqual([]);
      expect(settled.errors).toEqual([]);
      expect(settled.ok).toBe(true);
      const builds = w.runs.filter(
        (r) =>
          r.run > from &&
          r.run < settled.run &&
          r.scenarios.some((o) => o.name === 'note_only' && o.status !== 'up-to-date'),
      );
      expect(builds.at(-1)!.scenarios.find((o) => o.name === 'note_only')!.status).toBe('built');
      expect(read('generated/note_only.py')).toContain(last);
    }
    expect(read('generated/note_only.py')).toContain('burst 9 last');
  });

  it('a bad configuration keeps the last good one running, and a good one rebuilds everything', async () => {
    const original = read('fixturegen.yaml');
    const bad = await change('fixturegen.yaml', () =>
      writeFileSync(path('fixturegen.yaml'), original.replace('verify: run', 'verify: sometimes')),
    );
    expect(bad.config.reloaded).toBe(false);
    expect(bad.config.errors!.map((d) => d.code)).toEqual(['FG603']);
    expect(bad.selected).toEqual([]);
    expect(bad.ok).toBe(false);

    const still = await change('scenarios/note_only.yaml', () =>
      writeFileSync(path('scenarios/note_only.yaml'), noteScenario('fourth note')),
    );
    expect(rebuilt(still)).toEqual(['note_only']);
    expect(still.scenarios[0]!.status).toBe('built');
    expect(still.config.errors).not.toBeNull(); // shown until fixed

    const good = await change('fixturegen.yaml', () =>
      writeFileSync(path('fixturegen.yaml'), original.replace('verify: run', 'verify: collect')),
    );
    expect(good.config.reloaded).toBe(true);
    expect(good.config.errors).toBeNull();
    expect(rebuilt(good)).toEqual(['acme_extra', 'note_only', 'team_budget', 'tenant_with_team']);
    expect(good.ok).toBe(true);
  });

  it('a deleted scenario is reported as orphaned and its file is left alone', async () => {
    const run = await change('scenarios/acme_extra.yaml', () =>
      rmSync(path('scenarios/acme_extra.yaml')),
    );
    expect(run.orphans).toEqual([
      { scenario: 'scenarios/acme_extra.yaml', output: 'generated/acme_extra.py' },
    ]);
    expect(rebuilt(run)).toEqual([]);
    expect(existsSync(path('generated/acme_extra.py'))).toBe(true);
  });

  it('a helper killed from outside is restarted by the change that finds it dead, and that change is built', async () => {
    const helper = w.runs.at(-1)!.helperPid;
    process.kill(helper, 'SIGKILL');
    const run = await change('scenarios/note_only.yaml', () =>
      writeFileSync(path('scenarios/note_only.yaml'), noteScenario('fifth note')),
    );
    expect(run.models.helperRestarted).toBe(true);
    expect(run.models.error).toBeNull();
    expect(run.helperPid).not.toBe(helper);
    expect(rebuilt(run)).toEqual(['note_only']);
    expect(run.ok).toBe(true);
    expect(read('generated/note_only.py')).toContain('fifth note');
    await expectNoOtherRun();
  });

  it('SIGTERM ends the helper and every child process, and exits 0', async () => {
    const helper = w.runs.at(-1)!.helperPid;
    const family = descendants(w.child.pid!);
    expect(family).toContain(helper);
    expect(descendants(helper).length).toBeGreaterThan(0); // the verifier's warm spare child
    const { code, signal } = await w.stop('SIGTERM');
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(w.events.items.at(-1)).toEqual({ event: 'exit', code: 0 });
    expect(family.filter(alive)).toEqual([]);
  });
});

describe('fixturegen watch and Ctrl-C', () => {
  it('ends the helper and its children and exits 0 when the terminal interrupts the group', async () => {
    const dir = sampleProject('fixturegen-watch-int-');
    const w = new WatchProcess(dir, [], { group: true });
    try {
      await w.run(0, 60_000);
      writeFileSync(
        join(dir, 'scenarios/team_budget.yaml'),
        readFileSync(join(dir, 'scenarios/team_budget.yaml'), 'utf8').replace('Globex', 'Initech'),
      );
      const run = await w.run(1);
      expect(rebuilt(run)).toEqual(['team_budget']);
      const family = descendants(w.child.pid!);
      expect(family).toContain(run.helperPid);
      const { code, signal } = await w.interrupt();
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(family.filter(alive)).toEqual([]);
    } finally {
      if (w.child.exitCode === null && w.child.signalCode === null) await w.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
