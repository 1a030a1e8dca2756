import { z } from 'zod';
import type { Catalog } from '../catalog/types.js';

/**
 * The catalog as `introspect` answers it. The TypeScript types in catalog/types.ts stay the
 * documented shape; `satisfies` below makes the compiler hold the two together.
 */
const family = z.enum([
  'integer',
  'float',
  'numeric',
  'boolean',
  'string',
  'date',
  'datetime',
  'time',
  'interval',
  'enum',
  'uuid',
  'json',
  'binary',
  'array',
  'other',
]);

const foreignKey = z.strictObject({
  table: z.string(),
  column: z.string(),
  model: z.string().nullable(),
  attribute: z.string().nullable(),
  ondelete: z.string().nullable(),
});

const enumInfo = z.strictObject({
  stored: z.array(z.string()),
  pythonEnum: z
    .strictObject({
      module: z.string(),
      name: z.string(),
      members: z.array(z.strictObject({ name: z.string(), value: z.json() })),
      asValue: z.boolean().optional(),
    })
    .nullable(),
});

const column = z.strictObject({
  key: z.string(),
  name: z.string(),
  table: z.string(),
  type: z.string(),
  family,
  pythonType: z.string().nullable(),
  nullable: z.boolean(),
  primaryKey: z.boolean(),
  autoincrement: z.boolean(),
  hasDefault: z.boolean(),
  hasServerDefault: z.boolean(),
  foreignKeys: z.array(foreignKey),
  length: z.number().int().nullable(),
  precision: z.number().int().nullable(),
  scale: z.number().int().nullable(),
  timezone: z.boolean(),
  enum: enumInfo.nullable(),
  itemFamily: family.nullable(),
  isDiscriminator: z.boolean(),
  storedAs: z.string().optional(),
  familyFrom: z.enum(['library', 'annotation', 'python_type', 'probe', 'none']).optional(),
  unplaced: z.boolean().optional(),
});

const relationship = z.strictObject({
  key: z.string(),
  target: z.string(),
  direction: z.enum(['ONETOMANY', 'MANYTOONE', 'MANYTOMANY']),
  uselist: z.boolean(),
  secondary: z.string().nullable(),
  localColumns: z.array(z.string()),
  backPopulates: z.string().nullable(),
  viewonly: z.boolean(),
  remoteColumns: z.array(z.string()).optional(),
  cascade: z.array(z.string()).optional(),
  passiveDeletes: z.union([z.boolean(), z.literal('all')]).optional(),
  secondaryForeignKeys: z
    .array(
      z.strictObject({ column: z.string(), table: z.string(), ondelete: z.string().nullable() }),
    )
    .optional(),
});

const checkConstraint = z.strictObject({
  name: z.string().nullable(),
  table: z.string(),
  sql: z.string(),
  columns: z.array(z.string()),
});

export const modelAccessSchema = z.discriminatedUnion('via', [
  z.strictObject({ via: z.literal('attribute'), module: z.string(), name: z.string() }),
  z.strictObject({
    via: z.enum(['declarative', 'registry']),
    module: z.string(),
    name: z.string(),
    key: z.string(),
  }),
]);

const model = z.strictObject({
  name: z.string(),
  module: z.string(),
  qualname: z.string(),
  table: z.string(),
  columns: z.array(column),
  relationships: z.array(relationship),
  primaryKey: z.array(z.string()),
  uniques: z.array(z.array(z.string())),
  partialUniques: z.array(z.array(z.string())).optional(),
  inherits: z.string().nullable(),
  polymorphicOn: z.string().nullable(),
  polymorphicIdentity: z.string().nullable(),
  single: z.boolean(),
  abstract: z.boolean(),
  checkConstraints: z.array(checkConstraint).optional(),
  dataclassFields: z
    .array(z.strictObject({ key: z.string(), init: z.boolean(), required: z.boolean() }))
    .optional(),
  access: modelAccessSchema.optional(),
});

export const catalogSchema = z.strictObject({
  modules: z.array(z.string()),
  models: z.array(model),
  files: z.array(z.string()),
  sqlalchemyVersion: z.string(),
}) satisfies z.ZodType<Catalog>;
