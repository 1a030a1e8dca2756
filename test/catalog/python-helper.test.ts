import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PythonEnvironmentError, startPythonHelper } from '../../src/catalog/python.js';
import { PYTHON, REPO } from '../support/python.js';

/** The process state letter from /proc/<pid>/stat (`Z`: dead, not yet reaped by Node). */
function state(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '';
}

describe('the Python helper client', () => {
  it('answers requests over JSON lines', async () => {
    const helper = startPythonHelper({ python: PYTHON, root: REPO });
    try {
      await expect(helper.request('ping')).resolves.toBeTruthy();
    } finally {
      await helper.close();
    }
  });

  it('rejects a request written after the helper died but before its exit was seen, and does not crash', async () => {
    const helper = startPythonHelper({ python: PYTHON, root: REPO });
    await helper.request('ping');
    const pid = helper.pid!;
    process.kill(pid, 'SIGKILL');
    // Hold the event loop until the process is dead, so Node has not handled its exit yet: the
    // write below then meets a closed pipe (EPIPE), as in a watch run right after a kill.
    const deadline = Date.now() + 5000;
    while (state(pid) !== 'Z' && Date.now() < deadline) {
      /* busy wait: no await, no exit event */
    }
    expect(state(pid)).toBe('Z');
    const answer = helper.request('ping');
    await expect(answer).rejects.toBeInstanceOf(PythonEnvironmentError);
    await expect(answer).rejects.toThrow(/exited \(SIGKILL\)/);
    await expect(helper.request('ping')).rejects.toBeInstanceOf(PythonEnvironmentError);
    await helper.close();
  });

  it('close() holds the process until a helper slow to exit has exited (built CLI code)', () => {
    // A helper that answers, then ignores the end of its input, as a loaded machine's helper can
    // for longer than close() waits before SIGKILL. Run in a process of its own: only there does
    // an event loop with nothing left to wait on show (Node exits 13 mid-await).
    const dir = mkdtempSync(join(tmpdir(), 'fixturegen-slow-helper-'));
    try {
      const fake = join(dir, 'python');
      writeFileSync(fake, '#!/bin/sh\nread line\necho \'{"id":1,"result":true}\'\nexec sleep 30\n');
      chmodSync(fake, 0o755);
      const client = pathToFileURL(join(REPO, 'dist', 'catalog', 'python.js')).href;
      const script = [
        `import { startPythonHelper } from ${JSON.stringify(client)};`,
        `const helper = startPythonHelper({ python: ${JSON.stringify(fake)}, root: ${JSON.stringify(dir)} });`,
        `await helper.request('ping');`,
        `await helper.close();`,
        `console.log('closed');`,
      ].join('\n');
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('closed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
