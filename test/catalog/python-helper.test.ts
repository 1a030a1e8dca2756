import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('close() waits for a helper slow to exit, even when nothing was pending (no exit 13)', () => {
    // A "helper" that answers one request, then ignores the end of its input until killed.
    const dir = mkdtempSync(join(tmpdir(), 'fixturegen-slow-helper-'));
    const fake = join(dir, 'python');
    writeFileSync(fake, '#!/bin/sh\nread line\necho \'{"id": 1, "result": {}}\'\nexec sleep 30\n');
    chmodSync(fake, 0o755);
    const module = join(REPO, 'dist', 'catalog', 'python.js');
    // In a process of its own: vitest's event loop would hide a loop that drains.
    const script =
      `const { startPythonHelper } = await import(${JSON.stringify(module)});\n` +
      `const helper = startPythonHelper({ python: ${JSON.stringify(fake)}, root: ${JSON.stringify(dir)} });\n` +
      `await helper.request('ping');\nawait helper.close();\nconsole.log('closed');\n`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('closed\n');
    expect(r.status).toBe(0);
  });
});
