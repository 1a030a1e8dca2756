import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { until, withDeadline } from '../watch/helpers.js';
import { startPythonHelper } from '../../src/helper/client.js';
import { HelperMethodError, PythonEnvironmentError } from '../../src/helper/errors.js';
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

  it("keeps its own compiled modules in the project's .fixturegen/pycache, and no __pycache__ elsewhere", async () => {
    // python/tests/test_bytecode_cache.py proves they are loaded from there (and never stale).
    const root = mkdtempSync(join(tmpdir(), 'fixturegen-helper-'));
    try {
      for (let start = 0; start < 2; start += 1) {
        const helper = startPythonHelper({ python: PYTHON, root });
        try {
          await helper.request('ping');
        } finally {
          await helper.close();
        }
      }
      const cached = readdirSync(join(root, '.fixturegen', 'pycache'));
      expect(cached.some((f) => /^fixturegen_helper\.protocol\..+\.pyc$/.test(f))).toBe(true);
      expect(cached.filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(existsSync(join(root, '__pycache__'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
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

  it('fails a pending request when the helper dies while it is being closed', async () => {
    // A models module that never finishes importing keeps the request pending.
    const root = mkdtempSync(join(tmpdir(), 'fixturegen-helper-'));
    writeFileSync(join(root, 'stuck.py'), 'import select\nselect.select([], [], [])\n');
    const helper = startPythonHelper({ python: PYTHON, root });
    try {
      await helper.request('ping');
      const pending = helper.request('introspect', { models: ['stuck'] });
      const pid = helper.pid!;
      // What SIGTERM to the process group does: the helper is dead before Node sees its exit,
      // and the CLI closes it meanwhile.
      process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + 5000;
      while (state(pid) !== 'Z' && Date.now() < deadline) {
        /* busy wait: no await, no exit event */
      }
      const closed = helper.close();
      await expect(withDeadline(pending, 10_000, 'the pending request')).rejects.toThrow(
        /exited \(SIGKILL\)/,
      );
      await withDeadline(closed, 10_000, 'close');
    } finally {
      await helper.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('close waits for a helper slow to exit, so the CLI does not exit 13 with the close pending', () => {
    // The models register an exit handler that outlasts close's grace period (then SIGKILL).
    const root = mkdtempSync(join(tmpdir(), 'fixturegen-helper-'));
    writeFileSync(
      join(root, 'slow_exit.py'),
      'import atexit, select\natexit.register(lambda: select.select([], [], [], 30))\n',
    );
    const script = `
      import { startPythonHelper } from ${JSON.stringify(join(REPO, 'dist/helper/client.js'))};
      const helper = startPythonHelper({ python: ${JSON.stringify(PYTHON)}, root: ${JSON.stringify(root)} });
      await helper.request('introspect', { models: ['slow_exit'] }).catch(() => undefined);
      await helper.close();
      console.log('closed');
    `;
    try {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect({ status: r.status, stdout: r.stdout.trim(), stderr: r.stderr }).toMatchObject({
        status: 0,
        stdout: 'closed',
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('requests sent before the protocol schemas are loaded', () => {
  it('go at once and are checked when the schemas arrive: a valid one is answered, an invalid one fails', async () => {
    // A fresh module: its first requests are the ones sent before the schemas are loaded.
    vi.resetModules();
    const fresh = await import('../../src/helper/client.js');
    const helper = fresh.startPythonHelper({ python: PYTHON, root: REPO });
    try {
      // @ts-expect-error: the compiler refuses it too; this is what reaches the client at runtime.
      const bad = helper.request('introspect', { models: 'crm.models' });
      const good = helper.request('introspect', { models: ['crm.models'] });
      await expect(bad).rejects.toThrow(/invalid `introspect` request: models: /);
      const catalog = await good;
      expect(catalog.models.map((m) => m.name)).toContain('Tenant');
      // Once loaded, a request is checked before it is sent, as always.
      // @ts-expect-error: as above
      await expect(helper.request('introspect', { models: 1 })).rejects.toThrow(/invalid/);
    } finally {
      await helper.close();
    }
  });
});

describe('answers taken unchecked', () => {
  it('hash the answer, and check into exactly what `request` gives', async () => {
    const helper = startPythonHelper({ python: PYTHON, root: REPO });
    try {
      const unchecked = await helper.requestUnchecked('introspect', { models: ['crm.models'] });
      const checked = await helper.request('introspect', { models: ['crm.models'] });
      expect(await unchecked.check()).toEqual(checked);
      expect(unchecked.check()).toBe(unchecked.check());
      const again = await helper.requestUnchecked('introspect', { models: ['crm.models'] });
      expect(again.hash).toBe(unchecked.hash);
      expect(unchecked.hash).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await helper.close();
    }
  });
});

describe('a helper started without the verifier', () => {
  it('introspects, and refuses the verifying methods', async () => {
    const helper = startPythonHelper({ python: PYTHON, root: REPO, verifier: false });
    try {
      const catalog = await helper.request('introspect', { models: ['crm.models'] });
      expect(catalog.models.map((m) => m.name)).toContain('Tenant');
      const refused = helper.request('holds', {
        models: ['crm.models'],
        databaseUrl: 'sqlite+pysqlite:///:memory:',
      });
      await expect(refused).rejects.toBeInstanceOf(HelperMethodError);
      await expect(refused).rejects.toThrow(/needs the verifier/);
    } finally {
      await helper.close();
    }
  });
});

describe('release', () => {
  it('ends the helper without waiting for its exit, and it exits on its own', async () => {
    const helper = startPythonHelper({ python: PYTHON, root: REPO });
    await helper.request('ping');
    const pid = helper.pid!;
    await helper.release();
    await expect(helper.request('ping')).rejects.toBeInstanceOf(PythonEnvironmentError);
    const gone = () => {
      try {
        return state(pid) === 'Z';
      } catch {
        return true; // reaped: no /proc entry any more
      }
    };
    await until(gone, 10_000, 'the helper to exit');
  });
});
