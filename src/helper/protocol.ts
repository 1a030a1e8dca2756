import { z } from 'zod';
import { catalogSchema, modelAccessSchema } from './catalog-schema.js';

/**
 * The helper's methods: what each takes and what it answers. The client parses every request
 * and every answer with these, and schemas/helper-protocol.schema.json is generated from them.
 */

const indexExpr = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('const'), value: z.number().int() }),
  z.strictObject({ kind: z.literal('i') }),
  z.strictObject({ kind: z.literal('mod'), k: z.number().int() }),
  z.strictObject({ kind: z.literal('div'), k: z.number().int() }),
]);

type RefSpecShape =
  | { kind: 'ref'; label: string; index: z.infer<typeof indexExpr> | null }
  | { kind: 'list' | 'cycle'; items: RefSpecShape[] };

const refSpec: z.ZodType<RefSpecShape> = z.lazy(() =>
  z.union([
    z.strictObject({ kind: z.literal('ref'), label: z.string(), index: indexExpr.nullable() }),
    z.strictObject({ kind: z.enum(['list', 'cycle']), items: z.array(refSpec) }),
  ]),
);

type ValueSpecShape =
  | { kind: 'literal'; value: Record<string, unknown> }
  | {
      kind: 'interpolate';
      parts: (string | { var: 'i' | 'n' })[];
      convert: string;
      enumModule: string | null;
      enumClass: string | null;
      enumAsValue: boolean;
    }
  | { kind: 'cycle'; items: ValueSpecShape[] }
  | { kind: 'skip' };

/** A written value (see src/verify/expectations.ts); `literal.value` is a plan PyLiteral. */
const valueSpec: z.ZodType<ValueSpecShape> = z.lazy(() =>
  z.union([
    z.strictObject({
      kind: z.literal('literal'),
      value: z.looseObject({ kind: z.string() }),
    }),
    z.strictObject({
      kind: z.literal('interpolate'),
      parts: z.array(z.union([z.string(), z.strictObject({ var: z.enum(['i', 'n']) })])),
      convert: z.string(),
      enumModule: z.string().nullable(),
      enumClass: z.string().nullable(),
      enumAsValue: z.boolean(),
    }),
    z.strictObject({ kind: z.literal('cycle'), items: z.array(valueSpec) }),
    z.strictObject({ kind: z.literal('skip') }),
  ]),
);

const expectation = z.strictObject({
  fixture: z.string(),
  labels: z.array(
    z.strictObject({ label: z.string(), model: z.string(), count: z.number().int().nullable() }),
  ),
  refs: z.array(
    z.strictObject({
      label: z.string(),
      attribute: z.string(),
      column: z.string().nullable(),
      expect: refSpec,
      exact: z.boolean(),
    }),
  ),
  counts: z.record(z.string(), z.number().int()),
  values: z.array(z.strictObject({ label: z.string(), attribute: z.string(), expect: valueSpec })),
  /** The factory call besides the fixture (python/fixturegen_helper/verify/calls.py). */
  call: z
    .strictObject({
      module: z.string(),
      factory: z.string(),
      entry: z.string(),
      variant: z.string().nullable(),
      create: z.string().nullable(),
      labels: z.array(z.string()),
    })
    .optional(),
  /** Created once per module or session: its rows stay for the tests after it. */
  scoped: z.literal(true).optional(),
});

const guardModel = z.strictObject({
  className: z.string(),
  module: z.string(),
  attributes: z.array(z.string()),
  collections: z.array(z.string()),
  access: modelAccessSchema.optional(),
});

const guardDiagnostic = z.strictObject({
  code: z.string().regex(/^FG\d{3}$/),
  message: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  hint: z.string().optional(),
});

const verifyTest = z.strictObject({
  nodeid: z.string(),
  outcome: z.string(),
  message: z.string().nullable(),
  /**
   * Which check of the smoke test failed, when not the scenario's own (`call`: the factory call,
   * python/fixturegen_helper/verify/failure.py); a test with two failed checks has two entries.
   */
  check: z.literal('call').optional(),
  /** The test's own time in pytest (set-up, call, teardown), when it reported. */
  durationMs: z.number().optional(),
});

const singleMethods = {
  ping: {
    params: z.strictObject({}),
    result: z.strictObject({ python: z.string(), sqlalchemy: z.string(), pytest: z.string() }),
  },
  introspect: {
    params: z.strictObject({ models: z.array(z.string().min(1)).min(1) }),
    result: catalogSchema,
  },
  guard: {
    params: z.strictObject({
      source: z.string(),
      allowedModules: z.array(z.string()),
      package: z.string(),
      models: z.record(z.string(), guardModel),
      enums: z.array(
        z.strictObject({ module: z.string(), name: z.string(), members: z.array(z.string()) }),
      ),
      parents: z.array(
        z.strictObject({
          name: z.string(),
          className: z.string(),
          labels: z.array(
            z.strictObject({ label: z.string(), model: z.string(), list: z.boolean() }),
          ),
          direct: z.boolean(),
        }),
      ),
      contract: z.strictObject({
        className: z.string(),
        createName: z.string(),
        fixtureName: z.string(),
        sessionFixture: z.string(),
        /** Named variants: `create_<name>__<variant>` and the fixture `<name>__<variant>` each. */
        variants: z.array(z.string()).optional(),
        /** `async: true`: async def create and fixture, awaiting the session's flush. */
        async: z.boolean().optional(),
      }),
    }),
    result: z.strictObject({ diagnostics: z.array(guardDiagnostic) }),
  },
  /**
   * Whether the verification database can create the models' tables: asked once per build before
   * any scenario is verified (DDL compiled for its dialect; run on a throwaway in-memory SQLite).
   */
  holds: {
    params: z.strictObject({ databaseUrl: z.string().nullable(), models: z.array(z.string()) }),
    /** null, or "creating the models' tables failed: <why>" (see FG630). */
    result: z.strictObject({ problem: z.string().nullable() }),
  },
  verify: {
    params: z.strictObject({
      level: z.enum(['collect', 'run']),
      package: z.string(),
      files: z.record(z.string(), z.string()),
      databaseUrl: z.string().nullable(),
      sessionFixture: z.string().nullable(),
      timeoutS: z.number().positive(),
      expectations: z.array(expectation),
      /** The configured model modules: the smoke test's metadata comes from them. */
      models: z.array(z.string()),
      /** Test modules of the candidate run beside the smoke test, and the tests each must pass. */
      tests: z.array(z.strictObject({ path: z.string(), names: z.array(z.string()) })).optional(),
      /** `async: true`: the fixtures are pytest-asyncio ones on an AsyncSession. */
      async: z.boolean().optional(),
    }),
    result: z.strictObject({
      ok: z.boolean(),
      exitCode: z.number().int(),
      timedOut: z.boolean(),
      durationMs: z.number().int(),
      tests: z.array(verifyTest),
      output: z.string(),
      /** What the machine could not confine, in the first response of a helper only. */
      warning: z.string().optional(),
      /** Milliseconds per stage of the verification (for `--timings`). */
      timings: z.record(z.string(), z.number()),
    }),
  },
} as const;

export const methods = {
  ...singleMethods,
  /**
   * Several verifications side by side, each in its own confined child; each answer is exactly
   * what `verify` of that request alone answers (a build verifies two batches at once).
   */
  verifyEach: {
    params: z.strictObject({ requests: z.array(singleMethods.verify.params).min(1).max(4) }),
    result: z.strictObject({ results: z.array(singleMethods.verify.result) }),
  },
  /**
   * A guard, then the verify of the same candidate only when the guard found nothing, in one
   * round trip: each answer exactly what `guard` and `verify` answer (`verify` null when the
   * guard refused the candidate, which is then never written or run). For a lone candidate
   * (a save in `watch`).
   */
  guardVerify: {
    params: z.strictObject({
      guard: singleMethods.guard.params,
      verify: singleMethods.verify.params,
    }),
    result: z.strictObject({
      guard: singleMethods.guard.result,
      /** The helper's own time for the guard, in milliseconds. */
      guardMs: z.number(),
      verify: singleMethods.verify.result.nullable(),
    }),
  },
} as const;

export type Method = keyof typeof methods;
/** Callers may pass their readonly values: the params are only read, then serialized. */
type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
export type Params<M extends Method> = DeepReadonly<z.input<(typeof methods)[M]['params']>>;
export type Result<M extends Method> = z.output<(typeof methods)[M]['result']>;

/** Where in a value zod found it wrong, e.g. `models[0].columns[2].family: Invalid option`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => {
      const path = i.path
        .map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n === 0 ? '' : '.'}${String(p)}`))
        .join('');
      return `${path || '(root)'}: ${i.message}`;
    })
    .join('; ');
}
