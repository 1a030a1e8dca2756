import { parseArgs } from 'node:util';
import { PythonEnvironmentError } from '../catalog/python.js';
import { renderDiagnostic } from '../diagnostics/render.js';
import { ModelsError } from '../pipeline/analyze.js';
import { VERSION } from '../version.js';
import { buildCommand } from './build.js';
import { catalogCommand } from './catalog.js';
import { checkCommand } from './check.js';
import { initCommand } from './init.js';
import { promptCommand } from './prompt.js';
import { createIo, redactOutput } from './io.js';
import { rememberEnvironmentSecrets } from '../config/secrets.js';
import { EXIT, UsageError } from './project.js';
import { validateCommand } from './validate.js';
import { watchCommand } from './watch.js';

const HELP = `fixturegen ${VERSION} — compile YAML test scenarios into verified pytest fixtures

Usage: fixturegen <command> [options]

Commands:
  init                  write fixturegen.yaml, scenarios/example.yaml and the conftest.py line
  validate [SCENARIO…]  check scenarios against the schema and the models; generate nothing
  build [SCENARIO…]     generate, verify (pytest) and write what is out of date
  watch                 build, then rebuild what each saved change affects, until Ctrl-C
  check                 fail if generated/ is stale, missing, orphaned or edited by hand
  catalog               print the models the Python helper sees
  prompt SCENARIO       print what the LLM generator would send for a scenario (sends nothing)
  help [COMMAND]        this text, or a command's

Options:
  --config PATH         fixturegen.yaml or pyproject.toml (default: searched upwards)
  --generator NAME      builtin | llm (overrides the config)
  --verify LEVEL        none | collect | run (overrides the config)
  --force               build: regenerate every scenario, even up-to-date ones
  --fallback builtin    build with llm: when the model's answers fail for a scenario, write the
                        builtin output instead (an unusable server still stops the build: exit 3)
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
  fixturegen watch                     rebuild on every save while writing tests
  fixturegen build --generator llm     let the configured model write the fixtures (llm: in the config)
  fixturegen prompt tenant_with_team   the prompt the model would get, with its size
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
build. SCENARIO is a scenario name or its file path.

With --generator llm (or generator: llm), each scenario's prompt goes to the configured
OpenAI-compatible server (llm: in the config), the answer's module is guarded and verified, and a
failure is sent back for a corrected module up to llm.max_repairs times. Accepted answers are
cached in .fixturegen/cache/ (a rebuild with unchanged inputs sends nothing). --fallback builtin
writes the builtin output for a scenario whose answers still fail. A server that cannot be used
(connection refused, errors after retries, bad credentials) stops the build with exit code 3.`,
  watch: `fixturegen watch [--json] [--verify none|collect|run]

Builds what is out of date, then watches the scenarios folder, the models' Python files, the
templates and the configuration file, and rebuilds what each change affects: an edited scenario
and the scenarios that extend it; the scenarios whose catalog slice changed when a models file
changes (the Python helper restarts to import the models afresh); everything when the templates
or the configuration change. The output folder, .git, .venv, node_modules and .fixturegen/ are
never watched, so writing the output never triggers a run. A burst of changes (a checkout, a
formatter) collects into one run; changes during a run make one more run after it.

Prints one line per rebuilt scenario and a summary per run. A failing scenario keeps its last good
file and its errors are shown again after every run until fixed. A configuration that no longer
loads keeps the last good one running. Deleted scenarios are reported as orphaned; their files are
left alone. --json writes one JSON object per line on stdout: {"event":"run", ...} per run (what
was rebuilt, the current errors, where the time went), "ready" after the initial build, and "exit".
Ctrl-C or SIGTERM stops the helper and its children and exits 0.`,
  check: `fixturegen check

Recomputes each scenario's input hash and compares it with the header of its generated file;
builtin output is also regenerated in memory and compared byte for byte. Reports stale, missing,
orphaned and hand-edited files with the command that fixes each. Writes nothing; exit 1 if any.`,
  prompt: `fixturegen prompt SCENARIO [--json]

Prints the messages the LLM generator would send first for SCENARIO (a name or file path): the
system message (the generated-code contract and rules, the same for every scenario, so servers
with prefix caching reuse it), then the scenario's own message (the catalog slice it touches, the
scenario, its description, and what the plan says must be created). The size goes to stderr:
characters and an estimate of the tokens at 3.5 characters per token (the server's tokenizer
decides the real count). Sends nothing. Templates: templates/prompt/*.hbs, overridable per project
by files of the same name in <project>/templates/prompt/.`,
  catalog: `fixturegen catalog [--json]

Imports the configured models in the project's Python and prints each mapped class: columns with
types, nullability, keys and defaults, and relationships.`,
};

export async function main(argv: string[]): Promise<number> {
  rememberEnvironmentSecrets(process.env);
  redactOutput();
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
        fallback: { type: 'string' },
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
        return await buildCommand(
          rest,
          { ...common, force: values.force, fallback: values.fallback },
          io,
        );
      case 'watch':
        return await watchCommand(common, io);
      case 'check':
        return await checkCommand(common, io);
      case 'catalog':
        return await catalogCommand(common, io);
      case 'prompt':
        return await promptCommand(rest, common, io);
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
}
