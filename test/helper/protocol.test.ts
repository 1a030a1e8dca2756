import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPythonHelper } from '../../src/helper/client.js';
import { PythonEnvironmentError } from '../../src/helper/errors.js';
import { PYTHON } from '../support/python.js';

/**
 * A helper that speaks the protocol but answers `introspect` with a model whose columns are not
 * a list: the client must refuse the answer, not hand it to the pipeline as a Catalog.
 */
const FAKE = `
import json, sys
for line in sys.stdin:
    req = json.loads(line)
    if req["method"] == "ping":
        result = {"python": "3", "sqlalchemy": "2", "pytest": "8"}
    else:
        result = {"modules": ["m"], "files": [], "sqlalchemyVersion": "2",
                  "models": [{"name": "User", "columns": "id"}]}
    print(json.dumps({"id": req["id"], "result": result}), flush=True)
`;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** An executable standing in for the interpreter: it ignores `-m fixturegen_helper`. */
function fakePython(): string {
  dir = mkdtempSync(join(tmpdir(), 'fixturegen-fake-helper-'));
  writeFileSync(join(dir, 'fake.py'), FAKE);
  const exe = join(dir, 'python');
  writeFileSync(
    exe,
    `#!/bin/sh\nexec ${JSON.stringify(PYTHON)} ${JSON.stringify(join(dir, 'fake.py'))}\n`,
  );
  chmodSync(exe, 0o755);
  return exe;
}

describe('the helper protocol is checked at the boundary', () => {
  it('a malformed answer is an environment error naming the method and where it is wrong', async () => {
    const helper = startPythonHelper({ python: fakePython(), root: dir! });
    try {
      await expect(helper.request('ping')).resolves.toEqual({
        python: '3',
        sqlalchemy: '2',
        pytest: '8',
      });
      const answer = helper.request('introspect', { models: ['m'] });
      await expect(answer).rejects.toBeInstanceOf(PythonEnvironmentError);
      await expect(answer).rejects.toThrow(/`introspect` with a malformed result: models\[0\]/);
      await expect(answer).rejects.toThrow(/models\[0\]\.module: /);
    } finally {
      await helper.close();
    }
  });

  it('an answer taken unchecked is refused the same way when it is checked, and its hash is its JSON', async () => {
    const helper = startPythonHelper({ python: fakePython(), root: dir! });
    try {
      const answer = await helper.requestUnchecked('introspect', { models: ['m'] });
      expect(answer.hash).toBe(
        createHash('sha256')
          .update(
            JSON.stringify({
              modules: ['m'],
              files: [],
              sqlalchemyVersion: '2',
              models: [{ name: 'User', columns: 'id' }],
            }),
          )
          .digest('hex'),
      );
      await expect(answer.check()).rejects.toBeInstanceOf(PythonEnvironmentError);
      await expect(answer.check()).rejects.toThrow(
        /`introspect` with a malformed result: models\[0\]/,
      );
      // @ts-expect-error: as below
      const bad = await helper.requestUnchecked('introspect', { models: 'crm.models' });
      await expect(bad.check()).rejects.toThrow(/invalid `introspect` request: models: /);
    } finally {
      await helper.close();
    }
  });

  it('a request of the wrong shape is refused before it is sent', async () => {
    const helper = startPythonHelper({ python: fakePython(), root: dir! });
    try {
      // @ts-expect-error: the compiler refuses it too; this is what reaches the helper at runtime.
      const bad = helper.request('introspect', { models: 'crm.models' });
      await expect(bad).rejects.toThrow(/invalid `introspect` request: models: /);
    } finally {
      await helper.close();
    }
  });
});
