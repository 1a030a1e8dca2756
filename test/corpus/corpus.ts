/**
 * The malformed-scenario corpus: `malformed/*.yaml` are cases of one file each, every folder under
 * `malformed/` is one case of several files compiled together (duplicate names, `extends`). Each
 * file states what it must produce in `# expect:` lines of its leading comment:
 *
 *     # expect: FG203 7:7 did you mean "name"
 *
 * the code, the 1-based line and column of the offending node, and optionally a fragment of the
 * message or hint. A file without `# expect:` lines in a folder case is a valid helper scenario.
 * What the configuration decides (fixturegen.yaml's `session_fixture`, `async`, `scope`, and the
 * SQLAlchemy version of the models) is given by a `# config:` line of JSON:
 *
 *     # config: {"async": true}
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog } from '../../src/catalog/types.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';
import { startPythonHelper } from '../../src/helper/client.js';
import { PYTHON, REPO } from '../support/python.js';

export const CORPUS_DIR = fileURLToPath(new URL('./malformed', import.meta.url));
/** The CRM catalog plus corpus_extra, as the Python helper introspects them (see catalog.test). */
export const CATALOG_FILE = fileURLToPath(new URL('./catalog.json', import.meta.url));
/** Holds corpus_extra.py: a second User, the type families the CRM lacks. */
export const CORPUS_PYTHONPATH = fileURLToPath(new URL('./python', import.meta.url));
export const CORPUS_MODULES = ['corpus_extra', 'crm.models'];
/** What the corpus scenarios compile with, as the sample project's fixturegen.yaml says. */
export const DEFAULT_MODELS = ['crm.models'];

export interface Expectation {
  readonly code: string;
  readonly line: number;
  readonly column: number;
  /** Must occur in the message or the hint. */
  readonly fragment: string;
}

export interface CorpusFile {
  /** As the compiler sees it: `scenarios/<name>`, relative to a project root. */
  readonly file: string;
  /** Path of the corpus file, relative to the repository. */
  readonly source: string;
  readonly text: string;
  readonly expect: readonly Expectation[];
}

/** The configuration a case compiles with, beyond DEFAULT_MODELS (`# config:` lines). */
export interface CorpusConfig {
  readonly sessionFixture?: string;
  readonly async?: boolean;
  readonly defaultScope?: 'function' | 'module' | 'session';
  readonly sqlalchemyVersion?: string;
}

export interface CorpusCase {
  readonly name: string;
  readonly files: readonly CorpusFile[];
  readonly config: CorpusConfig;
}

/** The compile options and catalog a case compiles with. */
export function compileWith(
  c: CorpusCase,
  catalog: Catalog,
): {
  options: { defaultModels: string[] } & Omit<CorpusConfig, 'sqlalchemyVersion'>;
  catalog: Catalog;
} {
  const { sqlalchemyVersion, ...options } = c.config;
  return {
    options: { defaultModels: DEFAULT_MODELS, ...options },
    catalog: sqlalchemyVersion ? { ...catalog, sqlalchemyVersion } : catalog,
  };
}

const CONFIG = /^#\s*config:\s*(\{.*\})\s*$/m;

const EXPECT = /^#\s*expect:\s*(FG\d{3})\s+(\d+):(\d+)(?:\s+(.*))?$/;

/** The `# expect:` lines of the comment block a file starts with. */
export function parseExpectations(text: string): Expectation[] {
  const out: Expectation[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    if (!/^#\s*expect:/.test(line)) continue;
    const m = EXPECT.exec(line.trimEnd());
    if (!m) throw new Error(`malformed expectation: ${line}`);
    out.push({ code: m[1]!, line: Number(m[2]), column: Number(m[3]), fragment: m[4] ?? '' });
  }
  return out;
}

function readCase(name: string, paths: readonly string[], base: string): CorpusCase {
  const texts = paths.map((p) => readFileSync(p, 'utf8'));
  const config = Object.assign(
    {},
    ...texts.map((t) => JSON.parse(CONFIG.exec(t)?.[1] ?? '{}') as CorpusConfig),
  ) as CorpusConfig;
  return {
    name,
    config,
    files: paths.map((p) => {
      const text = readFileSync(p, 'utf8');
      return {
        file: `scenarios/${relative(base, p).split('\\').join('/')}`,
        source: relative(REPO, p).split('\\').join('/'),
        text,
        expect: parseExpectations(text),
      };
    }),
  };
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

export function loadCorpus(dir = CORPUS_DIR): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) cases.push(readCase(name, yamlFiles(p), p));
    else if (/\.ya?ml$/.test(name)) cases.push(readCase(name, [p], dir));
  }
  return cases;
}

/**
 * Introspects the corpus models with the real Python helper (the repository's venv). Source files
 * are made relative to the repository, so the captured catalog is the same in every clone.
 */
export async function introspectCorpusModels(): Promise<Catalog> {
  const helper = startPythonHelper({
    python: PYTHON,
    root: REPO,
    env: { ...process.env, PYTHONPATH: CORPUS_PYTHONPATH },
  });
  try {
    const catalog = await helper.request('introspect', { models: CORPUS_MODULES });
    return { ...catalog, files: catalog.files.map((f) => relative(REPO, f).split('\\').join('/')) };
  } finally {
    await helper.close();
  }
}

/** The captured catalog (catalog.json), for tests that must not start Python. */
export function capturedCatalog(): Catalog {
  return JSON.parse(readFileSync(CATALOG_FILE, 'utf8')) as Catalog;
}

/** The position is inside the file: a line that exists, a column at most one past its end. */
export function withinFile(d: Diagnostic, text: string): boolean {
  const lines = text.split('\n');
  if (!Number.isInteger(d.line) || !Number.isInteger(d.column)) return false;
  if (d.line! < 1 || d.column! < 1 || d.line! > Math.max(1, lines.length)) return false;
  return d.column! <= (lines[d.line! - 1] ?? '').length + 1;
}
