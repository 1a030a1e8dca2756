import {
  existsSync,
  readFileSync,
  writeFileSync,
  mkdirSync,
  appendFileSync,
  realpathSync,
} from 'node:fs';
import { dirname, join, parse, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline/promises';
import { startPythonHelper } from '../helper/client.js';
import type { Catalog } from '../catalog/types.js';
import { resolvePython } from '../config/load.js';
import type { Io } from './io.js';
import { EXIT } from './exit.js';

const SCHEMA = fileURLToPath(new URL('../../schemas/scenario.schema.json', import.meta.url));

/**
 * The schema as this project reaches it: through `node_modules/fixturegen` in the project or a
 * folder above it when that is this very package. Node runs a symlinked install (`npm install -D
 * ../fixturegen`) from its target, whose path would not exist on another clone.
 */
export function projectSchemaPath(root: string, schema = SCHEMA): string {
  const real = realpathSync(schema);
  const tail = relative(join(dirname(schema), '..'), schema);
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', 'fixturegen', tail);
    if (existsSync(candidate) && realpathSync(candidate) === real) return candidate;
    if (dir === parse(dir).root) return schema;
  }
}

export interface InitFlags {
  models?: string;
}

/** A model every other row can hang from: no NOT NULL foreign key without a default. */
function rootModel(catalog: Catalog): string | null {
  const roots = catalog.models.filter(
    (m) =>
      !m.abstract &&
      !m.inherits &&
      m.columns.every((c) => c.foreignKeys.length === 0 || c.nullable),
  );
  return roots[0]?.name ?? null;
}

export async function initCommand(flags: InitFlags, io: Io): Promise<number> {
  const root = process.cwd();
  let models = flags.models;
  if (!models && process.stdin.isTTY && !io.json) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    models = (
      await rl.question('Import path of your SQLAlchemy models (e.g. myapp.models): ')
    ).trim();
    rl.close();
  }
  models ||= 'app.models';
  const created: string[] = [];
  const kept: string[] = [];
  const write = (rel: string, text: string) => {
    const abs = join(root, rel);
    if (existsSync(abs)) {
      kept.push(rel);
      return;
    }
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    created.push(rel);
  };

  write(
    'fixturegen.yaml',
    [
      '# fixturegen configuration: https://github.com/fixturegen/fixturegen#configuration',
      `models: ${models}              # import path(s) of the SQLAlchemy models`,
      'scenarios: scenarios          # where scenario YAML files live',
      'output: generated             # the generated pytest plugin package',
      'database_url: "sqlite+pysqlite:///:memory:"   # quoted: a trailing colon ends a YAML key',
      'generator: builtin            # or llm',
      'verify: run                   # none | collect | run',
      '',
    ].join('\n'),
  );

  let model: string | null = null;
  const helper = startPythonHelper({ python: resolvePython(root, undefined, process.env), root });
  try {
    model = rootModel(await helper.request('introspect', { models: [models] }));
  } catch (err) {
    io.warn(
      `note: could not introspect ${models} yet (${(err as Error).message.split('\n')[0]}); edit scenarios/example.yaml by hand`,
    );
  } finally {
    await helper.close();
  }
  // The YAML language server resolves the modeline against the scenario file, with forward slashes.
  const schema = projectSchemaPath(root);
  const schemaRel = relative(join(root, 'scenarios'), schema).split(sep).join('/');
  if (schema === SCHEMA && relative(root, schema).startsWith('..')) {
    io.warn(
      `note: the schema line in scenarios/example.yaml points outside this project (${schema}); ` +
        'for a path that works on every clone, install fixturegen as a dev dependency ' +
        '(npm install -D <git URL of fixturegen or a tarball from npm pack>; README: Install), ' +
        'delete scenarios/example.yaml and run `npx fixturegen init` again',
    );
  }
  write(
    'scenarios/example.yaml',
    [
      `# yaml-language-server: $schema=${schemaRel}`,
      'description: One row of a model with no required parent; a starting point for your own scenarios.',
      'entities:',
      '  first:',
      `    model: ${model ?? 'YourModel'}   # \`fixturegen catalog\` lists the models`,
      '',
    ].join('\n'),
  );

  const conftest = join(root, 'conftest.py');
  const line = 'pytest_plugins = ["generated"]\n';
  if (!existsSync(conftest)) {
    writeFileSync(conftest, line);
    created.push('conftest.py');
  } else {
    const text = readFileSync(conftest, 'utf8');
    if (/["']generated["']/.test(text)) kept.push('conftest.py');
    else if (/^pytest_plugins\s*=/m.test(text)) {
      io.warn('conftest.py already sets pytest_plugins: add "generated" to it by hand');
    } else {
      appendFileSync(conftest, `${text.endsWith('\n') ? '' : '\n'}\n${line}`);
      created.push('conftest.py (pytest_plugins added)');
    }
  }
  for (const c of created) io.say(`created  ${c}`);
  for (const k of kept) io.say(`kept     ${k} (exists; not overwritten)`);
  io.say('next: edit scenarios/example.yaml, then run `fixturegen build`');
  io.result({ command: 'init', created, kept });
  return EXIT.ok;
}
