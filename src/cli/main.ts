import { parseArgs } from 'node:util';
import { didYouMean } from '../diagnostics/suggest.js';
import { VERSION } from '../version.js';
import { rememberEnvironmentSecrets } from '../config/secrets.js';
import { EXIT, UsageError } from './exit.js';
import type { CommandName, OptionName } from './help.js';
import { COMMAND_NAMES, COMMANDS, COMMON_OPTIONS, commandHelp, mainHelp, OPTIONS } from './help.js';
import type { Io } from './io.js';
import { createIo, redactOutput } from './io.js';

type Values = Partial<Record<OptionName, string | boolean>> & {
  config?: string;
  generator?: string;
  verify?: string;
  models?: string;
  fallback?: string;
  force?: boolean;
  'dry-run'?: boolean;
  record?: string;
  replay?: string;
};

/**
 * Each command's module is imported only when the command runs: `--version` and `--help` load
 * none of them, and so none of their dependencies (chokidar, handlebars, ajv, zod, yaml).
 */
const RUN: Record<CommandName, (args: string[], v: Values, io: Io) => Promise<number>> = {
  init: async (_args, v, io) => (await import('./init.js')).initCommand({ models: v.models }, io),
  validate: async (args, v, io) =>
    (await import('./validate.js')).validateCommand(args, common(v), io),
  build: async (args, v, io) =>
    (await import('./build.js')).buildCommand(
      args,
      { ...common(v), force: v.force, fallback: v.fallback },
      io,
    ),
  watch: async (_args, v, io) => (await import('./watch.js')).watchCommand(common(v), io),
  check: async (_args, v, io) => (await import('./check.js')).checkCommand(common(v), io),
  catalog: async (_args, v, io) => (await import('./catalog.js')).catalogCommand(common(v), io),
  prompt: async (args, v, io) => (await import('./prompt.js')).promptCommand(args, common(v), io),
  draft: async (args, v, io) =>
    (await import('./draft.js')).draftCommand(
      args,
      { ...common(v), dryRun: Boolean(v['dry-run']) },
      io,
    ),
  doctor: async (_args, v, io) => (await import('./doctor.js')).doctorCommand(common(v), io),
  eval: async (args, v, io) =>
    (await import('./eval.js')).evalCommand(
      args,
      { ...common(v), record: v.record, replay: v.replay },
      io,
    ),
};

const common = (v: Values) => ({ config: v.config, generator: v.generator, verify: v.verify });

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

function usageError(lines: string[]): number {
  process.stderr.write(`${lines.join('\n')}\n`);
  return EXIT.usage;
}

function unknownCommand(name: string): number {
  const hint = didYouMean(name, [...COMMAND_NAMES, 'help']);
  return usageError([
    `fixturegen: unknown command ${JSON.stringify(name)}`,
    `hint: ${hint ? `${hint} ` : ''}Run \`fixturegen help\` for the list of commands.`,
  ]);
}

/** The option a parseArgs error is about, with the options it could have meant. */
function badOption(err: Error & { code?: string }, command: string | undefined): number {
  const option = /'(-{1,2}[^'\s]+)'/.exec(err.message)?.[1];
  if (err.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || !option) {
    return usageError([`fixturegen: ${err.message}`, 'hint: run `fixturegen help` for usage.']);
  }
  const bare = option.replace(/^-+/, '').split('=')[0]!;
  const own = command && isCommand(command) ? COMMANDS[command].options : [];
  const candidates = [...COMMON_OPTIONS, ...(command && isCommand(command) ? own : [])];
  const near = didYouMean(bare, candidates)?.replace(/"([^"]+)"/, '"--$1"');
  const where = command && isCommand(command) ? `fixturegen help ${command}` : 'fixturegen help';
  return usageError([
    `fixturegen: unknown option ${option}`,
    `hint: ${near ? `${near} ` : ''}Run \`${where}\` for the options.`,
  ]);
}

export async function main(argv: string[]): Promise<number> {
  rememberEnvironmentSecrets(process.env);
  redactOutput();
  const options = Object.fromEntries(
    (Object.keys(OPTIONS) as OptionName[]).map((name) => [
      name,
      {
        type: OPTIONS[name].value ? ('string' as const) : ('boolean' as const),
        ...(name === 'quiet' ? { short: 'q' } : name === 'help' ? { short: 'h' } : {}),
        ...(name === 'version' ? { short: 'v' } : {}),
      },
    ]),
  );
  const first = argv.find((a) => !a.startsWith('-'));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options });
  } catch (err) {
    return badOption(err as Error, first);
  }
  const values = parsed.values as Values;
  const [command, ...rest] = parsed.positionals;
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (!command || command === 'help' || values.help) {
    const topic = command === 'help' ? rest[0] : command;
    if (topic === undefined || topic === 'help') {
      process.stdout.write(`${mainHelp()}\n`);
      return EXIT.ok;
    }
    if (!isCommand(topic)) return unknownCommand(topic);
    process.stdout.write(`${commandHelp(topic)}\n`);
    return EXIT.ok;
  }
  if (!isCommand(command)) return unknownCommand(command);
  // An option of another command is a mistake worth naming (`check --force` would do nothing).
  for (const name of Object.keys(values) as OptionName[]) {
    if (COMMON_OPTIONS.includes(name) || COMMANDS[command].options.includes(name)) continue;
    const owners = COMMAND_NAMES.filter((c) => COMMANDS[c].options.includes(name));
    return usageError([
      `fixturegen: --${name} is an option of ${owners.map((c) => `\`fixturegen ${c}\``).join(', ')}, not of \`fixturegen ${command}\``,
      `hint: run \`fixturegen help ${command}\` for its options.`,
    ]);
  }
  const io = createIo(
    {
      json: Boolean(values.json),
      quiet: Boolean(values.quiet),
      noColor: Boolean(values['no-color']),
    },
    process.env,
  );
  try {
    return await RUN[command](rest, values, io);
  } catch (err) {
    return await reportFailure(err, io);
  }
}

/** The errors every command may end with; their modules are loaded by then, so importing is free. */
async function reportFailure(err: unknown, io: Io): Promise<number> {
  if (err instanceof UsageError) return EXIT.usage;
  const [{ ModelsError }, { PythonEnvironmentError }, { renderDiagnostic }] = await Promise.all([
    import('../pipeline/introspect.js'),
    import('../helper/errors.js'),
    import('../diagnostics/render.js'),
  ]);
  if (err instanceof ModelsError) {
    io.warn(
      renderDiagnostic(err.diagnostic, {
        root: process.cwd(),
        color: io.color,
        codeFrame: false,
      }),
    );
    return EXIT.environment;
  }
  // By name: the LLM modules (and the openai SDK) are loaded only when the llm generator is used.
  if (err instanceof Error && err.name === 'LlmUnavailableError') {
    io.warn(`fixturegen: ${err.message}`);
    io.warn('hint: start the model server, or fix llm.base_url in fixturegen.yaml');
    return EXIT.environment;
  }
  if (err instanceof PythonEnvironmentError) {
    io.warn(`fixturegen: ${err.message}`);
    io.warn(
      'hint: set `python:` in fixturegen.yaml, or activate the virtual environment that has SQLAlchemy and pytest',
    );
    return EXIT.environment;
  }
  throw err;
}
