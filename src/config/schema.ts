import { z } from 'zod';

/**
 * One entry of `llm.backends`: a server and the model it serves, tried in order when the ones
 * before it are unusable. What an entry leaves out comes from the `llm:` block.
 */
export const backendSchema = z
  .object({
    base_url: z.string().url(),
    model: z.string().min(1),
    api_key_env: z.string().min(1).optional(),
    /** Merged over the block's `extra_body` (a null removes a field). */
    extra_body: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** `llm:` block of fixturegen.yaml. Defaults follow Qwen3-Coder-30B-A3B-Instruct's model card. */
export const llmSchema = z
  .object({
    base_url: z.string().url().default('http://localhost:8000/v1'),
    model: z.string().min(1).default('Qwen/Qwen3-Coder-30B-A3B-Instruct'),
    api_key_env: z.string().min(1).default('FIXTUREGEN_API_KEY'),
    temperature: z.number().min(0).max(2).default(0.7),
    top_p: z.number().gt(0).max(1).default(0.8),
    top_k: z.number().int().min(-1).default(20),
    repetition_penalty: z.number().gt(0).default(1.05),
    max_tokens: z.number().int().positive().default(8192),
    concurrency: z.number().int().positive().max(64).default(4),
    timeout_s: z.number().positive().default(300),
    max_repairs: z.number().int().min(0).max(10).default(2),
    /** Extra body fields sent as they are (e.g. `chat_template_kwargs`); top_k and repetition_penalty are added unless null. */
    extra_body: z.record(z.string(), z.unknown()).default({}),
    /** Servers/models tried in order; when set, it replaces `base_url` and `model`. */
    backends: z.array(backendSchema).min(1).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    models: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    scenarios: z.string().min(1).default('scenarios'),
    output: z.string().min(1).default('generated'),
    python: z.string().min(1).optional(),
    database_url: z.string().min(1).default('sqlite+pysqlite:///:memory:'),
    session_fixture: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a Python identifier')
      .optional(),
    /** Async output: `async def create_<name>`, pytest-asyncio fixtures on an AsyncSession. */
    async: z.boolean().default(false),
    /** How often scenarios without `scope` create their rows (docs/scenarios.md#scope). */
    scope: z.enum(['function', 'module', 'session']).optional(),
    generator: z.enum(['builtin', 'llm']).default('builtin'),
    verify: z.enum(['none', 'collect', 'run']).default('run'),
    /** Seconds a verification child may run before it is killed. */
    verify_timeout_s: z.number().positive().default(60),
    /** With `edge_cases: auto`, also write and verify the scenario's constraint tests. */
    constraint_tests: z.boolean().default(true),
    llm: llmSchema.default(llmSchema.parse({})),
  })
  .strict();

export type LlmConfig = z.infer<typeof llmSchema>;
export type BackendConfig = z.infer<typeof backendSchema>;
export type RawConfig = z.infer<typeof configSchema>;

/** The configuration after loading: paths resolved, lists normalized. */
export interface Config extends Omit<
  RawConfig,
  'models' | 'python' | 'constraint_tests' | 'async'
> {
  /** `edge_cases: auto` also writes constraint tests (absent: true). */
  readonly constraint_tests?: boolean;
  readonly models: readonly string[];
  /** `async: true` (absent means false). */
  readonly async?: boolean;
  /** Absolute project root (the folder of the config file). */
  readonly root: string;
  /** Absolute path of the config file, or null when defaults were used. */
  readonly file: string | null;
  /** Python interpreter: config, $VIRTUAL_ENV, ./.venv, then python3 on PATH. */
  readonly python: string;
  /**
   * The database verification runs against: FIXTUREGEN_DATABASE_URL, else `database_url`. Generated
   * code keeps the configured `database_url` as its default, so the environment never changes the
   * code; only its dialect is recorded in the headers (pipeline/outputs.ts, `database`).
   */
  readonly verifyDatabaseUrl: string;
}
