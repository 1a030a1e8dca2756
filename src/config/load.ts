import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { LineCounter, parseDocument, isAlias, isMap, isSeq, isScalar, isPair, visit } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { parse as parseToml } from 'smol-toml';
import type { Diagnostic, Result } from '../diagnostics/types.js';
import { error, fail, ok } from '../diagnostics/types.js';
import { meant, suggest } from '../diagnostics/suggest.js';
import { checkTree, LIMITS, prescan } from '../scenario/limits.js';
import { checkOutput, checkScenarios } from './paths.js';
import { readRegularFile } from './read.js';
import { ASYNC_DEFAULT_DATABASE_URL, checkAsync } from './async.js';
import { backendSchema, configSchema } from './schema.js';
import { rememberConfigSecrets } from './secrets.js';
import type { Config } from './schema.js';

export const CONFIG_FILE = 'fixturegen.yaml';

export interface LoadConfigOptions {
  /** `--config PATH`; otherwise searched upwards from `cwd`. */
  readonly configPath?: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Finds `fixturegen.yaml`, or a `pyproject.toml` with `[tool.fixturegen]`, in cwd or above. */
export function findConfigFile(cwd: string): string | null {
  let dir = resolve(cwd);
  for (;;) {
    const yamlPath = join(dir, CONFIG_FILE);
    if (existsSync(yamlPath)) return yamlPath;
    const pyproject = join(dir, 'pyproject.toml');
    if (existsSync(pyproject)) {
      // A pyproject.toml that cannot be read is not ours to complain about: keep searching.
      const read = readRegularFile(pyproject, LIMITS.configBytes * 16);
      if (read.ok && /^\s*\[tool\.fixturegen\]/m.test(read.text)) return pyproject;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

interface Located {
  readonly data: unknown;
  /** Position of a key path in the source, for diagnostics. */
  readonly position: (path: readonly PropertyKey[]) => { line: number; column: number };
}

function loadYamlConfig(file: string, text: string, rel: string): Result<Located> {
  const lineCounter = new LineCounter();
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { file: rel, line: pos.line, column: pos.col };
  };
  const early = prescan(text, 'the configuration');
  if (early !== null) {
    // Nothing is parsed yet: count the lines by hand.
    lineCounter.addNewLine(0);
    for (let k = text.indexOf('\n'); k >= 0 && k < early.offset; k = text.indexOf('\n', k + 1)) {
      lineCounter.addNewLine(k + 1);
    }
    return fail([
      error('FG601', `invalid YAML: ${early.message}`, { ...at(early.offset), hint: early.hint }),
    ]);
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return error('FG601', `invalid YAML: ${e.message.split('\n')[0]}`, {
          file: rel,
          line: pos.line,
          column: pos.col,
        });
      }),
    );
  }
  const deep = checkTree(doc.contents, 'the configuration');
  if (deep !== null) {
    return fail([
      error('FG601', `invalid YAML: ${deep.message}`, { ...at(deep.offset), hint: deep.hint }),
    ]);
  }
  // Aliases buy nothing in a file this small, and an unresolved or self-containing one breaks
  // reading it: every one is refused where it is written.
  const aliases: Diagnostic[] = [];
  visit(doc, {
    Alias(_, node) {
      if (isAlias(node)) {
        aliases.push(
          error('FG601', `the configuration does not use aliases (*${node.source})`, {
            ...at(node.range?.[0] ?? 0),
            hint: 'write the value out in full',
          }),
        );
      }
    },
  });
  if (aliases.length > 0) return fail(aliases.slice(0, 5));
  const position = (path: readonly PropertyKey[]) => {
    let node: YamlNode | null = doc.contents;
    let best = node?.range?.[0] ?? 0;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
        if (!pair) break;
        best = (pair.key as YamlNode).range?.[0] ?? best;
        node = pair.value as YamlNode | null;
        if (typeof path[path.length - 1] !== 'undefined' && key !== path[path.length - 1]) {
          best = node?.range?.[0] ?? best;
        }
      } else if (isSeq(node) && typeof key === 'number') {
        node = (node.items[key] as YamlNode | undefined) ?? null;
        best = node?.range?.[0] ?? best;
      } else break;
    }
    const p = lineCounter.linePos(best);
    return { line: p.line, column: p.col };
  };
  return ok({ data: (doc.toJS() as unknown) ?? {}, position });
}

function loadTomlConfig(file: string, text: string, rel: string): Result<Located> {
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(text);
  } catch (e) {
    const err = e as { line?: number; column?: number; message: string };
    return fail([
      error('FG601', `invalid TOML: ${err.message.split('\n')[0]}`, {
        file: rel,
        line: err.line ?? 1,
        column: err.column ?? 1,
      }),
    ]);
  }
  const tool = (parsed.tool as Record<string, unknown> | undefined)?.fixturegen ?? {};
  const lines = text.split('\n');
  const header = lines.findIndex((l) => /^\s*\[tool\.fixturegen\]/.test(l));
  const position = (path: readonly PropertyKey[]) => {
    const key = String(path[0] ?? '');
    for (let i = Math.max(header, 0); i < lines.length; i++) {
      const col = (lines[i] ?? '').search(new RegExp(`^\\s*${key}\\s*=`));
      if (key && col >= 0) return { line: i + 1, column: (lines[i] ?? '').indexOf(key) + 1 };
    }
    return { line: header + 1, column: 1 };
  };
  return ok({ data: tool, position });
}

/** Python interpreter: config, then $VIRTUAL_ENV, then ./.venv, then python3 on PATH. */
export function resolvePython(
  root: string,
  configured: string | undefined,
  env: NodeJS.ProcessEnv,
): string {
  if (configured) return isAbsolute(configured) ? configured : resolve(root, configured);
  if (env.VIRTUAL_ENV) return join(env.VIRTUAL_ENV, 'bin', 'python');
  const local = join(root, '.venv', 'bin', 'python');
  if (existsSync(local)) return local;
  return 'python3';
}

export function loadConfig(options: LoadConfigOptions): Result<Config> {
  const file = options.configPath
    ? resolve(options.cwd, options.configPath)
    : findConfigFile(options.cwd);
  if (!file) {
    return fail([
      error('FG602', `no ${CONFIG_FILE} (or [tool.fixturegen] in pyproject.toml) here or above`, {
        hint: 'run `fixturegen init` to create one',
      }),
    ]);
  }
  if (!existsSync(file)) {
    return fail([error('FG602', `config file not found: ${file}`)]);
  }
  const root = dirname(file);
  const rel = relative(options.cwd, file) || file;
  const read = readRegularFile(file, LIMITS.configBytes);
  if (!read.ok) {
    return fail([
      error('FG698', `the configuration file ${read.message}`, {
        file: rel,
        line: 1,
        column: 1,
        hint: read.hint,
      }),
    ]);
  }
  const text = read.text;
  const loaded = file.endsWith('.toml')
    ? loadTomlConfig(file, text, rel)
    : loadYamlConfig(file, text, rel);
  if (!loaded.ok) return loaded;
  const { data, position } = loaded.value;
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const diagnostics: Diagnostic[] = parsed.error.issues.map((issue) => {
      let path = issue.path;
      let message = `${path.length ? path.join('.') : 'config'}: ${issue.message}`;
      let hint: string | undefined;
      if (issue.code === 'unrecognized_keys') {
        const known = Object.keys(
          path.length === 1 && path[0] === 'llm'
            ? configSchema.shape.llm.unwrap().shape
            : path.length === 3 && path[0] === 'llm' && path[1] === 'backends'
              ? backendSchema.shape
              : configSchema.shape,
        );
        const bad = issue.keys[0] ?? '';
        path = [...path, bad];
        message = `unknown key ${JSON.stringify(bad)}${path.length > 1 ? ` in ${String(path[0])}` : ''}`;
        const close = suggest(bad, known);
        hint = close ? meant(close) : `known keys: ${known.join(', ')}`;
      }
      return error('FG603', message, { file: rel, ...position(path), ...(hint ? { hint } : {}) });
    });
    return fail(diagnostics);
  }
  const raw = parsed.data;
  // Async output verifies against an async driver: the in-memory default is aiosqlite's.
  if (raw.async && (data as { database_url?: unknown }).database_url === undefined) {
    raw.database_url = ASYNC_DEFAULT_DATABASE_URL;
  }
  if (raw.async) {
    const problems = checkAsync(raw, options.env.FIXTUREGEN_DATABASE_URL, (key) => ({
      file: rel,
      ...position([key]),
    }));
    if (problems.length > 0) return fail(problems);
  }
  const folders = [checkOutput(root, raw.output), checkScenarios(root, raw.scenarios)].filter(
    (p) => p !== null,
  );
  if (folders.length > 0) {
    return fail(
      folders.map((p) =>
        error('FG603', p.message, { file: rel, ...position([p.key]), hint: p.hint }),
      ),
    );
  }
  const env = options.env;
  rememberConfigSecrets(raw, env);
  return ok({
    ...raw,
    models: typeof raw.models === 'string' ? [raw.models] : raw.models,
    verifyDatabaseUrl: env.FIXTUREGEN_DATABASE_URL || raw.database_url,
    root,
    file,
    python: resolvePython(root, raw.python, env),
  });
}
