import { z } from 'zod';
import { methods } from './protocol.js';

const BASE = 'https://fixturegen.dev/schemas/helper-protocol';

/**
 * The protocol as JSON Schema (draft 2020-12), generated from the zod schemas the client parses
 * with: one definition per method's params and result. schemas/helper-protocol.schema.json holds
 * it, and a test keeps that file current, so the Python side can be checked against it.
 */
export function protocolJsonSchema(): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  // Each definition is its own resource (`$id`): the `#/$defs/...` references zod writes for
  // recursive parts resolve inside it, not against this document's root.
  const resource = (key: string, schema: z.ZodType, io: 'input' | 'output') => {
    const { $schema: _, ...rest } = z.toJSONSchema(schema, { io });
    defs[key] = { $id: `${BASE}/${key}`, ...rest };
  };
  for (const [name, method] of Object.entries(methods)) {
    resource(`${name}Params`, method.params, 'input');
    resource(`${name}Result`, method.result, 'output');
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${BASE}.schema.json`,
    title: 'fixturegen Python helper protocol',
    description:
      'One JSON line per request ({id, method, params}) and per answer ({id, result} or {id, error}). Generated from src/helper/protocol.ts: do not edit.',
    $defs: defs,
  };
}
