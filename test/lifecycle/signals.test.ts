/**
 * Signals and kills: whatever ends fixturegen, no process it started (the Python helper, its
 * verification children) outlives it. `watch` exits 0 on SIGTERM or SIGINT, sent to it or to its
 * whole process group (Ctrl-C at a terminal), idle or while a verification runs.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { VENV_ENV } from '../support/project.js';
import { CLI } from '../support/python.js';
import { until, withDeadline } from '../watch/helpers.js';
import { makeSlow, slowProject, untilVerifying } from './slow.js';
import { WatchProcess, alive, descendants } from '../watch-e2e/support.js';

const dirs: string[] = [];
/** Processes a failed test may have left behind: killed, so the next tests start clean. */
let family: number[] = [];

afterEach(() => {
  for (const pid of family.filter(alive)) process.kill(pid, 'SIGKILL');
  family = [];
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(prefix: string) {
  const p = slowProject(prefix);
  dirs.push(p.dir);
  return p;
}

/** Starts watch in a group of its own; `verifying`: returns once a verification blocks. */
async function watching(verifying: boolean): Promise<WatchProcess> {
  const { dir, marker } = project('fixturegen-signal-');
  const w = new WatchProcess(dir, [], { group: true });
  await w.run(0, 60_000);
  await w.next((e) => e.event === 'ready', 10_000, 'ready');
  if (verifying) {
    makeSlow(dir);
    await untilVerifying(marker);
  }
  family = [w.child.pid!, ...descendants(w.child.pid!)];
  return w;
}

describe.each(['SIGTERM', 'SIGINT'] as const)('watch and %s', (signal) => {
  describe.each(['process', 'group'] as const)('sent to the %s', (target) => {
    it.each(['idle', 'verifying'] as const)('%s: exits 0 and leaves no process', async (when) => {
      const w = await watching(when === 'verifying');
      const helper = w.runs.at(-1)!.helperPid;
      expect(family).toContain(helper);
      expect(descendants(helper).length).toBeGreaterThan(0); // the warm spare, a verification
      process.kill(target === 'group' ? -w.child.pid! : w.child.pid!, signal);
      const exit = await withDeadline(w.exited, 15_000, `exit after ${signal}`);
      expect({ exit, stderr: w.stderr.slice(-2000) }).toMatchObject({
        exit: { code: 0, signal: null },
      });
      expect(w.events.items.at(-1)).toEqual({ event: 'exit', code: 0 });
      expect(family.filter(alive)).toEqual([]);
    });
  });
});

describe('kill -9 of the CLI', () => {
  it.each(['idle', 'verifying'] as const)(
    'watch, %s: the helper and its children notice and exit',
    async (when) => {
      const w = await watching(when === 'verifying');
      process.kill(w.child.pid!, 'SIGKILL');
      await withDeadline(w.exited, 15_000, 'the CLI to die');
      await until(() => family.filter(alive).length === 0, 15_000, 'no process left');
    },
  );

  it('build, while verifying: the helper and its children notice and exit', async () => {
    const { dir, marker } = project('fixturegen-kill-build-');
    makeSlow(dir);
    const child = spawn(process.execPath, [CLI, 'build', '--force'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', ...VENV_ENV },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await untilVerifying(marker);
    family = [child.pid!, ...descendants(child.pid!)];
    expect(family.length).toBeGreaterThanOrEqual(3); // the CLI, the helper, a verification
    child.kill('SIGKILL');
    await withDeadline(exited, 15_000, 'the CLI to die');
    await until(() => family.filter(alive).length === 0, 15_000, 'no process left');
  });
});
