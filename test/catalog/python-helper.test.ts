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

  it('close() keeps the process alive until a slow helper has exited (no exit 13 from an empty event loop)', () => {
    // A helper that answers, then takes longer than close()'s 2 s grace to exit after its stdin
    // closes (as a loaded machine can make the real one): close() kills it and must still see
    // the exit. Before the fix the unref'd child let the event loop empty first: exit code 13,
    // "unsettled top-level await", on builds under load.
    const dir = mkdtempSync(join(tmpdir(), 'fixturegen-slow-helper-'));
    try {
      const fake = join(dir, 'python');
      writeFileSync(
        fake,
        [
          '#!/bin/bash',
          "trap '' TERM",
          'while IFS= read -r line; do',
          '  id=$(printf %s "$line" | sed -E \'s/.*"id": ?([0-9]+).*/\\1/\')',
          '  printf \'{"id": %s, "result": true}\\n\' "$id"',
          'done',
          'exec sleep 5',
        ].join('\n'),
      );
      chmodSync(fake, 0o755);
      const client = pathToFileURL(join(REPO, 'dist', 'catalog', 'python.js')).href;
      const driver = [
        `const { startPythonHelper } = await import(${JSON.stringify(client)});`,
        `const h = startPythonHelper({ python: ${JSON.stringify(fake)}, root: ${JSON.stringify(dir)} });`,
        `await h.request('ping');`,
        `await h.close();`,
        `console.log('closed');`,
      ].join('\n');
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', driver], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect({ status: r.status, stdout: r.stdout.trim() }, r.stderr).toEqual({
        status: 0,
        stdout: 'closed',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
