/**
 * What `fixturegen help`, `fixturegen help COMMAND` and `fixturegen COMMAND --help` print. Kept
 * apart from the commands so that help loads none of them.
 */
import { VERSION } from '../version.js';

export type CommandName =
  | 'init'
  | 'validate'
  | 'build'
  | 'watch'
  | 'check'
  | 'catalog'
  | 'prompt'
  | 'draft'
  | 'doctor'
  | 'eval';

export interface CommandSpec {
  /** Arguments after the command name, e.g. `[SCENARIO…]`. */
  readonly args: string;
  readonly summary: string;
  readonly text: string;
  /** Options only this command takes (the common ones apply to every command). */
  readonly options: readonly OptionName[];
  readonly examples: readonly (readonly [string, string])[];
  readonly seeAlso: readonly CommandName[];
}

export type OptionName =
  | 'config'
  | 'generator'
  | 'verify'
  | 'models'
  | 'force'
  | 'fallback'
  | 'dry-run'
  | 'record'
  | 'replay'
  | 'json'
  | 'quiet'
  | 'no-color'
  | 'help'
  | 'version';

export const OPTIONS: Record<OptionName, { readonly value: string; readonly text: string }> = {
  config: { value: 'PATH', text: 'fixturegen.yaml or pyproject.toml (default: searched upwards)' },
  generator: { value: 'NAME', text: 'builtin | llm (overrides the config)' },
  verify: { value: 'LEVEL', text: 'none | collect | run (overrides the config)' },
  models: { value: 'IMPORT.PATH', text: 'the models module to write into fixturegen.yaml' },
  force: { value: '', text: 'regenerate every scenario, even up-to-date ones' },
  fallback: {
    value: 'builtin',
    text:
      "with llm: when the model's answers fail for a scenario, write the builtin\n" +
      'output instead (an unusable server still stops the build: exit 3)',
  },
  'dry-run': { value: '', text: 'print the diff, write nothing' },
  record: { value: 'FILE', text: "keep the model's answers in FILE, to replay them later" },
  replay: { value: 'FILE', text: 'play back the answers recorded in FILE; no server is asked' },
  json: { value: '', text: 'machine-readable result on stdout; human text goes to stderr' },
  quiet: { value: '', text: 'only errors' },
  'no-color': { value: '', text: 'no colours (also NO_COLOR=1)' },
  help: { value: '', text: 'this text; `fixturegen COMMAND --help` for one command' },
  version: { value: '', text: 'print the version' },
};

/** Options every command takes. */
export const COMMON_OPTIONS: readonly OptionName[] = [
  'config',
  'generator',
  'verify',
  'json',
  'quiet',
  'no-color',
  'help',
  'version',
];

export const COMMANDS: Record<CommandName, CommandSpec> = {
  init: {
    args: '',
    summary: 'write fixturegen.yaml, scenarios/example.yaml and the conftest.py line',
    text: `Writes fixturegen.yaml, scenarios/example.yaml (with the yaml-language-server schema line that
gives editors completion and hover help) and adds pytest_plugins = ["generated"] to the root
conftest.py. Never overwrites a file; asks for the models path only on a terminal.`,
    options: ['models'],
    examples: [['fixturegen init --models myapp.models', 'start a project whose models are there']],
    seeAlso: ['validate', 'build'],
  },
  validate: {
    args: '[SCENARIO…]',
    summary: 'check scenarios against the schema and the models; generate nothing',
    text: `Runs every check up to the plan — YAML syntax, the scenario schema, models, attributes, values,
references — and writes nothing but what it remembers in .fixturegen/state/ (see \`fixturegen help
check\`). Diagnostics are printed sorted by file and position as file:line:col: CODE message;
--json prints them as a JSON array on stdout. Exit 1 on any error. SCENARIO is a scenario name or
its file path; all scenarios when none is given.`,
    options: [],
    examples: [
      ['fixturegen validate', 'every scenario'],
      ['fixturegen validate --json', 'diagnostics as JSON, for editors and CI'],
    ],
    seeAlso: ['build'],
  },
  build: {
    args: '[SCENARIO…]',
    summary: 'generate, verify (pytest) and write what is out of date',
    text: `Generates each out-of-date scenario's fixture module, verifies it with pytest in a child process
(collect: it imports; run: the fixture creates exactly the declared rows, and rolls back), and
only then writes it atomically. A failing scenario keeps its previous file; the others still
build. SCENARIO is a scenario name or its file path; a scenario's parents (extends) build with it.
Out of date means what \`fixturegen check\` reports: missing, stale, or edited by hand (a file at a
scenario's output path without a fixturegen header counts as edited by hand, and is replaced).
Generated files whose scenario no longer exists (orphans) are listed with the command that
removes them; build never deletes a file.

A scenario with \`edge_cases: auto\` gets derived edge cases (a NULL, a string at its maximum
length, each enum member, an integer at its type's limit, a parent with no children, ...), each
one change away from the scenario and run on the database at build time, as one parametrized
fixture \`<name>_edge_cases\`; a case the database refuses becomes a constraint test. It also gets
generated/test_<name>_constraints.py: tests of
what the database does with its models' rows (deleting a parent through the ORM and through plain
SQL, unique keys, NOT NULL, CHECK), verified like the module and collected by a bare \`pytest\`.
Where the ORM and the database disagree about a delete, build warns (FG280, FG281) with the model
and relationship. \`constraint_tests: false\` in the config turns them off.

With --generator llm (or generator: llm), each scenario's prompt goes to the configured
OpenAI-compatible server (llm: in the config), the answer's module is guarded and verified, and a
failure is sent back for a corrected module up to llm.max_repairs times. Accepted answers are
cached in .fixturegen/cache/ (a rebuild with unchanged inputs sends nothing). --fallback builtin
writes the builtin output for a scenario whose answers still fail. A server that cannot be used
(connection refused, errors after retries, bad credentials) stops the build with exit code 3.`,
    options: ['force', 'fallback'],
    examples: [
      ['fixturegen build', 'build every scenario that changed'],
      ['fixturegen build tenant_with_team', 'build one scenario (and what it extends)'],
      ['fixturegen build --generator llm', 'let the configured model write the fixtures'],
      [
        'FIXTUREGEN_DATABASE_URL=postgresql+psycopg://localhost/test fixturegen build --force',
        'verify every scenario on PostgreSQL (their headers then record postgresql)',
      ],
    ],
    seeAlso: ['check', 'watch', 'validate'],
  },
  watch: {
    args: '',
    summary: 'build, then rebuild what each saved change affects, until Ctrl-C',
    text: `Builds what is out of date, then watches the scenarios folder, the models' Python files, the
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
    options: [],
    examples: [['fixturegen watch', 'rebuild on every save while writing tests']],
    seeAlso: ['build'],
  },
  check: {
    args: '',
    summary: 'fail if generated/ is stale, missing, orphaned or edited by hand',
    text: `Compares the output folder with what the current inputs give, and writes nothing. Each stale
file says which input changed: its scenario, a parent scenario it extends, the models it touches
(its catalog slice), the generator or its templates, the configuration, the dialect of the
database it was verified on (FIXTUREGEN_DATABASE_URL, else database_url: run check with the same
dialect as build), or fixturegen's version (recorded in each file's header). Builtin output is also regenerated in memory and compared byte
for byte. Missing, orphaned and hand-edited files (a generated file without its header counts as
hand-edited) are reported too, each with the command that fixes it, and the last line is one
command that fixes everything. Exit 1 if anything differs: run it in CI and pre-commit.
What a check found is remembered in .fixturegen/state/ (its only write), keyed by fixturegen's
version, code and templates, the configuration and environment, every scenario file, the models'
catalog and every module in the output folder: the next check of an unchanged project answers
without parsing or rendering, and any change makes it do the full work.`,
    options: [],
    examples: [['fixturegen check', 'in CI: fail when someone forgot `fixturegen build`']],
    seeAlso: ['build'],
  },
  catalog: {
    args: '',
    summary: 'print the models the Python helper sees',
    text: `Imports the configured models in the project's Python and prints each mapped class: columns with
types, nullability, keys and defaults, and relationships. --json prints the catalog as JSON.`,
    options: [],
    examples: [['fixturegen catalog', 'what scenarios can name, and how each column is typed']],
    seeAlso: ['validate'],
  },
  prompt: {
    args: 'SCENARIO',
    summary: 'print what the LLM generator would send for a scenario (sends nothing)',
    text: `Prints the messages the LLM generator would send first for SCENARIO (a name or file path): the
system message (the generated-code contract and rules, the same for every scenario, so servers
with prefix caching reuse it), then the scenario's own message (the catalog slice it touches, the
scenario, its description, and what the plan says must be created). The size goes to stderr:
characters and tokens, counted by the server's tokenizer when it has one (vLLM, llama.cpp: then
prompt + max_tokens is set against the context), else estimated at 3.5 characters per token and
labelled as an estimate. Generates nothing (the tokenizer only counts). Templates: templates/prompt/*.hbs, overridable per project
by files of the same name in <project>/templates/prompt/.`,
    options: [],
    examples: [
      ['fixturegen prompt tenant_with_team', 'the prompt the model would get, with its size'],
    ],
    seeAlso: ['build'],
  },
  draft: {
    args: '[SCENARIO…]',
    summary: 'let the model write the entities of a scenario that has only a description',
    text: `For each scenario with a description and no entities (every such scenario when none is
named), asks the configured model (llm: in the config) for its entities, and expect.counts where
the description states numbers. The model gets the scenario language and the part of the catalog
the description is about. Its answer is checked exactly as a scenario you wrote: YAML, schema,
the models, then the builtin fixture is generated and verified against the database. Errors go
back to the model for a corrected answer, up to llm.max_repairs times.

On success the entities are added to the file, whose description, comments and formatting stay as
they were, and the diff is printed. The scenario is then an ordinary one: \`fixturegen build\`
generates it deterministically, without the model. On failure the file is not touched (FG314,
with the last draft's errors). --dry-run prints the diff and writes nothing. A server that cannot
be used stops with exit code 3. \`build\` and \`check\` report a description-only scenario as
FG250 and write nothing for it.`,
    options: ['dry-run'],
    examples: [
      ['fixturegen draft', 'draft every description-only scenario'],
      ['fixturegen draft scenarios/team.yaml --dry-run', 'show what would be written'],
    ],
    seeAlso: ['build', 'prompt'],
  },
  doctor: {
    args: '',
    summary: 'check each model backend, the Python environment and the database',
    text: `Checks, for each backend of llm.backends (or llm.base_url and llm.model): that the server
answers GET /models, that it lists the model, that a tiny completion comes back (with its latency
and tokens), the context length where the server tells it (vLLM's max_model_len, llama.cpp's
n_ctx per slot) against llm.max_tokens, and whether it has a tokenizer endpoint (then prompt
sizes are exact). Then the Python environment (Python, SQLAlchemy and pytest versions), the
models, and the database verification uses (the tables are created in a transaction that is
rolled back). Prints what it found; --json gives the same as JSON. Exit 1 if anything failed.`,
    options: [],
    examples: [
      ['fixturegen doctor', 'before the first build with a model, or when one stops working'],
    ],
    seeAlso: ['build', 'draft'],
  },
  eval: {
    args: '[SCENARIO…]',
    summary: 'measure how well each model backend does on these scenarios',
    text: `Runs the scenarios (all when none is named) through each backend of llm.backends on its own,
with the answer cache bypassed, and writes nothing: a scenario with entities through the LLM
generator (its module guarded and verified, repaired up to llm.max_repairs times), a
description-only one through draft (the drafted scenario verified, its expect.counts included).
Reports per backend and mode: verified on the first answer, verified within the repairs,
failures by diagnostic code (unusable:<reason> when the server gave up), prompt and completion
tokens, latency p50/p95 per answer, and completion tokens per second. A table on the terminal,
the same as JSON with --json. --record FILE keeps every answer; --replay FILE plays them back
instead of asking a server, so two versions of fixturegen or two prompts are compared on
identical answers.`,
    options: ['record', 'replay'],
    examples: [
      ['fixturegen eval', 'every backend on every scenario'],
      ['fixturegen eval --record answers.json', 'keep the answers'],
      ['fixturegen eval --replay answers.json --json', 'the same answers, this version'],
    ],
    seeAlso: ['doctor', 'draft', 'build'],
  },
};

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

function optionLines(names: readonly OptionName[]): string[] {
  return names.map((name) => {
    const { value, text } = OPTIONS[name];
    const head = `  --${name}${value ? ` ${value}` : ''}`.padEnd(24);
    return `${head}${text.replace(/\n/g, `\n${' '.repeat(24)}`)}`;
  });
}

const EXIT_CODES = `Exit codes: 0 success; 1 a scenario failed or check found a difference;
2 usage or configuration error; 3 the Python environment or model server could not be used.`;

export function mainHelp(): string {
  const width = Math.max(...COMMAND_NAMES.map((n) => `${n} ${COMMANDS[n].args}`.length)) + 2;
  const commands = COMMAND_NAMES.map(
    (n) => `  ${`${n} ${COMMANDS[n].args}`.padEnd(width)}${COMMANDS[n].summary}`,
  );
  return [
    `fixturegen ${VERSION} — compile YAML test scenarios into verified pytest fixtures`,
    '',
    'Usage: fixturegen <command> [options]',
    '',
    'Commands:',
    ...commands,
    `  ${'help [COMMAND]'.padEnd(width)}this text, or a command's (also: fixturegen COMMAND --help)`,
    '',
    'Options for every command:',
    ...optionLines(COMMON_OPTIONS),
    '',
    EXIT_CODES,
    '',
    'Start here:',
    '  fixturegen init        a config, an example scenario and the conftest.py line',
    '  fixturegen build       generate and verify the fixtures',
    '  fixturegen check       what CI runs: is generated/ what the scenarios give?',
    '  fixturegen help build  everything about one command',
  ].join('\n');
}

/** `build [SCENARIO…] [--force] [--fallback builtin]` */
function usage(name: CommandName): string {
  const spec = COMMANDS[name];
  const own = spec.options.map((o) => `[--${o}${OPTIONS[o].value ? ` ${OPTIONS[o].value}` : ''}]`);
  return [name, spec.args, ...own].filter(Boolean).join(' ');
}

export function commandHelp(name: CommandName): string {
  const spec = COMMANDS[name];
  const own = spec.options.length > 0 ? ['', 'Options:', ...optionLines(spec.options)] : [];
  const width = Math.max(0, ...spec.examples.map(([cmd]) => cmd.length).filter((l) => l <= 60)) + 2;
  return [
    `fixturegen ${name}: ${spec.summary}`,
    '',
    `Usage: fixturegen ${usage(name)}`,
    '',
    spec.text,
    ...own,
    '',
    `Common options (fixturegen help): ${COMMON_OPTIONS.slice(0, 4)
      .map((o) => `--${o}`)
      .join(', ')},\n${COMMON_OPTIONS.slice(4)
      .map((o) => `--${o}`)
      .join(', ')}.`,
    '',
    'Examples:',
    ...spec.examples.map(([cmd, what]) =>
      cmd.length > 60 ? `  ${cmd}\n      ${what}` : `  ${cmd.padEnd(width)}${what}`,
    ),
    '',
    `See also: ${spec.seeAlso.map((c) => `fixturegen help ${c}`).join(', ')}.`,
  ].join('\n');
}
