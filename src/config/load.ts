import { LineCounter, parseDocument, isAlias, isMap, isSeq, isScalar, isPair, visit } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { parse as parseToml } from 'smol-toml';
import type { Diagnostic, Result } from '../diagnostics/types.js';
import { error, fail, ok } from '../diagnostics/types.js';
import { meant, suggest } from '../diagnostics/suggest.js';
import { checkTree, prescan } from '../scenario/limits.js';
import { ASYNC_DEFAULT_DATABASE_URL } from './async.js';
import { finishConfig, readConfigSource } from './finish.js';
import type { ConfigSource, LoadConfigOptions, Position } from './finish.js';
import { backendSchema, configSchema } from './schema.js';
import type { Config, RawConfig } from './schema.js';

export { CONFIG_FILE, findConfigFile, resolvePython } from './find.js';
export { finishConfig, readConfigSource } from './finish.js';
export type { ConfigSource, LoadConfigOptions } from './finish.js';

interface Located {
  readonly data: unknown;
  readonly position: Position;
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

/** Finds, reads, parses and checks the configuration (see `LoadConfigOptions`). */
export function loadConfig(options: LoadConfigOptions): Result<Config> {
  const source = readConfigSource(options);
  if (!source.ok) return source;
  const parsed = parseConfig(source.value);
  if (!parsed.ok) return parsed;
  return finishConfig(source.value, parsed.value.raw, options.env, parsed.value.position);
}

export interface ParsedConfig {
  /** The file's settings checked by the schema, defaults filled in (plain JSON). */
  readonly raw: RawConfig;
  readonly position: Position;
}

/**
 * The file's text parsed and checked against the schema: what the file alone decides, so that
 * it can be remembered by the file's content (config/fast.ts).
 */
export function parseConfig(source: ConfigSource): Result<ParsedConfig> {
  const { file, text, rel } = source;
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
  return ok({ raw, position });
}
