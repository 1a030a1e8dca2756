/**
 * Drives a real `fixturegen watch --json` child process: its NDJSON events are recorded as they
 * arrive and awaited with deadlines; nothing here sleeps.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Recorder, withDeadline } from '../watch/helpers.js';
import { VENV_ENV } from '../support/project.js';
import { CLI } from '../support/python.js';

export interface Outcome {
  readonly name: string;
  readonly file: string;
  readonly output: string | null;
  readonly status: 'built' | 'unchanged' | 'up-to-date' | 'failed';
  readonly diagnostics: readonly { code: string; message: string; file?: string }[];
}

export interface RunEvent {
  readonly event: 'run';
  readonly run: number;
  readonly ok: boolean;
  readonly changes: readonly string[];
  readonly changeCount: number;
  readonly changesTruncated: boolean;
  readonly startedAt: string;
  readonly selected: readonly string[];
  readonly scenarios: readonly Outcome[];
  readonly orphans: readonly { scenario: string; output: string }[];
  readonly errors: readonly { name: string; file: string; diagnostics: readonly unknown[] }[];
  readonly config: { reloaded: boolean; errors: readonly { code: string }[] | null };
  readonly models: { error: unknown; helperRestarted: boolean; sliceChanged: readonly string[] };
  readonly pid: number;
  readonly helperPid: number;
}

export type WatchEvent =
  RunEvent | { readonly event: 'ready' | 'exit' | 'error'; readonly [key: string]: unknown };

/** Names whose outcome in a run was an actual rebuild (not "up to date"). */
export function rebuilt(run: RunEvent): string[] {
  return run.scenarios
    .filter((o) => o.status !== 'up-to-date')
    .map((o) => o.name)
    .sort();
}

export class WatchProcess {
  readonly child: ChildProcess;
  readonly events = new Recorder<WatchEvent>();
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `group`: in a process group of its own, so a test can signal it the way a terminal does. */
  constructor(cwd: string, args: string[] = [], options: { group?: boolean } = {}) {
    this.child = spawn(process.execPath, [CLI, 'watch', '--json', ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...VENV_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: Boolean(options.group),
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => (this.stderr += chunk));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      // Anything but one JSON object per line on stdout is a bug worth failing on.
      this.events.push(JSON.parse(line) as WatchEvent);
    });
  }

  get runs(): RunEvent[] {
    return this.events.items.filter((e): e is RunEvent => e.event === 'run');
  }

  /** Number of the last run reported so far (-1 before the initial build). */
  get lastRun(): number {
    return this.runs.at(-1)?.run ?? -1;
  }

  /** The first event (seen or future) matching; a timeout says what the watcher printed. */
  async next(match: (e: WatchEvent) => boolean, ms: number, what: string): Promise<WatchEvent> {
    try {
      return await this.events.next(match, ms, what);
    } catch (err) {
      const runs = this.runs
        .slice(-3)
        .map((r) => `run ${r.run}: ${r.changeCount} changes, selected ${r.selected.join(',')}`);
      throw new Error(
        `${(err as Error).message}\nlast runs: ${runs.join('; ')}\nstderr:\n${this.stderr.slice(-3000)}`,
      );
    }
  }

  async run(n: number, ms = 30_000): Promise<RunEvent> {
    return (await this.next((x) => x.event === 'run' && x.run === n, ms, `run ${n}`)) as RunEvent;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', ms = 15_000) {
    this.child.kill(signal);
    return withDeadline(this.exited, ms, `exit after ${signal}`);
  }

  /** Ctrl-C at a terminal: SIGINT to the whole foreground process group (the helper too). */
  async interrupt(ms = 15_000) {
    process.kill(-this.child.pid!, 'SIGINT');
    return withDeadline(this.exited, ms, 'exit after Ctrl-C');
  }
}

/** pid → parent pid for every process visible in /proc. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(Number(name), ppid);
    } catch {
      // exited while listing
    }
  }
  return out;
}

/** Every descendant of `pid` (children, grandchildren, …). */
export function descendants(pid: number): number[] {
  const map = parents();
  const out: number[] = [];
  const queue = [pid];
  for (let p = queue.pop(); p !== undefined; p = queue.pop()) {
    for (const [child, parent] of map) {
      if (parent === p) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

/** Running (not gone and not a zombie waiting to be reaped). */
export function alive(pid: number): boolean {
  const path = `/proc/${pid}/stat`;
  if (!existsSync(path)) return false;
  try {
    const stat = readFileSync(path, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
