import { parseArgs } from 'node:util';
import { PythonEnvironmentError } from '../catalog/python.js';
import { renderDiagnostic } from '../diagnostics/render.js';
import { ModelsError } from '../pipeline/analyze.js';
import { VERSION } from '../version.js';
import { buildCommand } from './build.js';
import { catalogCommand } from './catalog.js';
import { checkCommand } from './check.js';
import { initCommand } from './init.js';
import { createIo } from './io.js';
import { EXIT, UsageError } from './project.js';
import { validateCommand } from './validate.js';

const HELP = `fixturegen ${VERSION} — compile YAML test scenarios into verified pytest fixtures

Usage: fixturegen <command> [options]

Commands:
  init                  write fixturegen.yaml, scenarios/example.yaml and the conftest.py line
  validate [SCENARIO…]  check scenarios against the schema and the models; generate nothing
  build [SCENARIO…]     generate, verify (pytest) and write what is out of date
  check                 fail if generated/ is stale, missing, orphaned or edited by hand
  catalog               print the models the Python helper sees
  help [COMMAND]        this text, or a command's

Options:
  --config PATH         fixturegen.yaml or pyproject.toml (default: searched upwards)
  --generator NAME      builtin | llm (overrides the config)
  --verify LEVEL        none | collect | run (overrides the config)
  --force               build: regenerate every scenario, even up-to-date ones
  --json                machine-readable result on stdout; human text goes to stderr
  --quiet               only errors
  --no-color            no colours (also NO_COLOR=1)
  --version             print the version

Exit codes: 0 success; 1 a scenario failed or check found a difference;
2 usage or configuration error; 3 the Python environment or model server could not be used.

Examples:
  fixturegen build                     build every scenario that changed
  fixturegen build tenant_with_team    build one scenario (and what it extends)
  fixturegen validate --json           diagnostics as JSON, for editors and CI
  FIXTUREGEN_DATABASE_URL=postgresql+psycopg://localhost/test fixturegen build --force
`;

const COMMAND_HELP: Record<string, string> = {
  init: `fixturegen init [--models IMPORT.PATH]

Writes fixturegen.yaml, scenarios/example.yaml (with the yaml-language-server schema line that
gives editors completion and hover help) and adds pytest_plugins = ["generated"] to the root
conftest.py. Never overwrites a file; asks for the models path only on a terminal.`,
  validate: `fixturegen validate [SCENARIO…] [--json]

Runs every check up to the plan — YAML syntax, the scenario schema, models, attributes, values,
references — and writes nothing. Diagnostics are printed sorted by file and position as
file:line:col: CODE message; --json prints them as a JSON array on stdout. Exit 1 on any error.`,
  build: `fixturegen build [SCENARIO…] [--force] [--verify none|collect|run]

Generates each out-of-date scenario's fixture module, verifies it with pytest in a child process
(collect: it imports; run: the fixture creates exactly the declared rows, and rolls back), and
only then writes it atomically. A failing scenario keeps its previous file; the others still
build. SCENARIO is a scenario name or its file path.`,
  check: `fixturegen check

Recomputes each scenario's input hash and compares it with the header of its generated file;
builtin output is also regenerated in memory and compared byte for byte. Reports stale, missing,
orphaned and hand-edited files with the command that fixes each. Writes nothing; exit 1 if any.`,
  catalog: `fixturegen catalog [--json]

Imports the configured models in the project's Python and prints each mapped class: columns with
types, nullability, keys and defaults, and relationships.`,
};

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        generator: { type: 'string' },
        verify: { type: 'string' },
        models: { type: 'string' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    process.stderr.write(
      `fixturegen: ${(err as Error).message}\nRun \`fixturegen help\` for usage.\n`,
    );
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (!command || command === 'help' || values.help) {
    const topic = command === 'help' ? rest[0] : command;
    process.stdout.write(`${(topic && COMMAND_HELP[topic]) || HELP}\n`);
    return EXIT.ok;
  }
  const io = createIo(
    {
      json: Boolean(values.json),
      quiet: Boolean(values.quiet),
      noColor: Boolean(values['no-color']),
    },
    process.env,
  );
  const common = { config: values.config, generator: values.generator, verify: values.verify };
  try {
    switch (command) {
      case 'init':
        return await initCommand({ models: values.models }, io);
      case 'validate':
        return await validateCommand(rest, common, io);
      case 'build':
        return await buildCommand(rest, { ...common, force: values.force }, io);
      case 'check':
        return await checkCommand(common, io);
      case 'catalog':
        return await catalogCommand(common, io);
      default:
        io.warn(
          `fixturegen: unknown command ${JSON.stringify(command)}. Run \`fixturegen help\` for the list.`,
        );
        return EXIT.usage;
    }
  } catch (err) {
    if (err instanceof UsageError) return EXIT.usage;
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
    if (err instanceof PythonEnvironmentError) {
      io.warn(`fixturegen: ${err.message}`);
      io.warn(
        'hint: set `python:` in fixturegen.yaml, or activate the virtual environment that has SQLAlchemy and pytest',
      );
      return EXIT.environment;
    }
    throw err;
  }
}
