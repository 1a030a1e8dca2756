import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startPythonHelper } from '../../src/helper/client.js';
import { PYTHON, REPO } from '../support/python.js';

describe('the Python helper environment', () => {
  it('does not receive the model server key', async () => {
    const key = 'sk-helper-env-test-7a3b';
    const helper = startPythonHelper({
      python: PYTHON,
      root: REPO,
      env: { ...process.env, FIXTUREGEN_API_KEY: key, FIXTUREGEN_UNRELATED: 'kept' },
    });
    try {
      await helper.request('ping');
      const environ = readFileSync(`/proc/${helper.pid}/environ`, 'utf8').split('\0');
      expect(environ).toContain('FIXTUREGEN_UNRELATED=kept');
      expect(environ.some((entry) => entry.includes(key))).toBe(false);
    } finally {
      await helper.close();
    }
  });
});
