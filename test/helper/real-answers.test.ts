import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPythonHelper, type PythonHelper } from '../../src/helper/client.js';
import { PYTHON, REPO } from '../support/python.js';

/**
 * The real helper's answers against the generated JSON Schema (the client has parsed them with
 * the zod schemas already, and they are strict objects, so what it returns is what was sent):
 * the file other tools read describes what the Python side really says.
 */
const schema = JSON.parse(
  readFileSync(join(REPO, 'schemas/helper-protocol.schema.json'), 'utf8'),
) as { $defs: Record<string, object> };
const ajv = new Ajv2020({ strict: false, allErrors: true });
for (const def of Object.values(schema.$defs)) ajv.addSchema(def);

function conforms(key: string, value: unknown): string {
  const validate = ajv.getSchema(`https://fixturegen.dev/schemas/helper-protocol/${key}`);
  if (!validate) throw new Error(`no schema ${key}`);
  return validate(value) ? 'ok' : ajv.errorsText(validate.errors);
}

describe('the real helper answers as the protocol schema says', () => {
  let helper: PythonHelper;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fixturegen-protocol-'));
    cpSync(join(REPO, 'crm'), join(dir, 'crm'), { recursive: true });
    helper = startPythonHelper({ python: PYTHON, root: dir });
  });
  afterAll(async () => {
    await helper?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ping and introspect of the sample crm models', async () => {
    expect(conforms('pingResult', await helper.request('ping'))).toBe('ok');
    const params = { models: ['crm.models'] };
    expect(conforms('introspectParams', params)).toBe('ok');
    const catalog = await helper.request('introspect', params);
    expect(catalog.models.length).toBeGreaterThan(3);
    expect(conforms('introspectResult', catalog)).toBe('ok');
    // The schema is not vacuous: a wrong family is refused.
    const [first] = catalog.models;
    const broken = { ...catalog, models: [{ ...first, columns: [{ family: 'text' }] }] };
    expect(conforms('introspectResult', broken)).not.toBe('ok');
  });

  it('a guard answer with diagnostics', async () => {
    const params = {
      source: 'import os\n',
      allowedModules: ['crm.models'],
      package: 'generated',
      models: {},
      enums: [],
      parents: [],
      contract: {
        className: 'Example',
        createName: 'create_example',
        fixtureName: 'example',
        sessionFixture: 'session',
      },
    };
    expect(conforms('guardParams', params)).toBe('ok');
    const answer = await helper.request('guard', params);
    expect(answer.diagnostics.length).toBeGreaterThan(0);
    expect(conforms('guardResult', answer)).toBe('ok');
  });

  it('a verify answer', async () => {
    const params = {
      level: 'collect' as const,
      package: 'generated',
      files: { 'generated/__init__.py': '' },
      databaseUrl: 'sqlite+pysqlite:///:memory:',
      sessionFixture: null,
      timeoutS: 60,
      expectations: [],
      models: ['crm.models'],
    };
    expect(conforms('verifyParams', params)).toBe('ok');
    const answer = await helper.request('verify', params);
    expect(answer.tests.length).toBeGreaterThan(0);
    expect(conforms('verifyResult', answer)).toBe('ok');
  });
});
