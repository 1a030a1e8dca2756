// A `fixturegen watch --json` child for the watch benchmarks: its events, read line by line, can
// be awaited with `next(match)`, which resolves with the first later event `match` accepts and the
// wall time it was read at.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { clearTimeout, setTimeout } from 'node:timers';

export function startWatcher({ cli, dir, env = { ...process.env, NO_COLOR: '1' }, nodeArgs = [] }) {
  const child = spawn(process.execPath, [...nodeArgs, cli, 'watch', '--json'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => (stderr += c));
  const waiting = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line);
    const at = performance.timeOrigin + performance.now();
    for (const w of [...waiting]) {
      if (!w.match(event)) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve({ event, at });
    }
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    next(match, ms = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no watch event in ${ms} ms in ${dir}:\n${stderr}`)),
          ms,
        );
        waiting.push({
          match,
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
        });
      });
    },
    /** Stops the watcher; resolves with its exit code. */
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A run event that built `name`. */
export const builtRun = (name) => (e) =>
  e.event === 'run' && e.scenarios.some((o) => o.name === name && o.status === 'built');

export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
