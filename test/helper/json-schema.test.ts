import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { protocolJsonSchema } from '../../src/helper/json-schema.js';
import { REPO } from '../support/python.js';

const FILE = join(REPO, 'schemas/helper-protocol.schema.json');

describe('schemas/helper-protocol.schema.json', () => {
  it('is generated from the zod schemas (UPDATE_SCHEMA=1 rewrites it)', () => {
    const text = `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(FILE, text);
    expect(readFileSync(FILE, 'utf8')).toBe(text);
  });
});
