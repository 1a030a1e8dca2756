/** One scenario file on its way through compilation: loaded, schema-checked, named. */
import type { Diagnostic } from '../diagnostics/types.js';
import type { Plan } from '../plan/types.js';
import { Codes, type Code } from '../diagnostics/scenario-codes.js';
import { LIMITS } from './limits.js';
import { loadScenario } from './load.js';
import { diagAt, spanAt } from './position.js';
import { reservedName } from './reserved.js';
import { fileStem } from './stem.js';
import { checkSchema } from './schema.js';
import type { Path, RawScenario, ScenarioSource } from './types.js';

export interface ScenarioInput {
  /** Path relative to the project root, forward slashes. */
  readonly file: string;
  readonly text: string;
  /** Why the file could not be read (then `text` is empty): the scenario fails with it. */
  readonly problem?: Diagnostic;
}

export interface EntryOptions {
  /** The configured `session_fixture`: no scenario may take its name. */
  readonly sessionFixture?: string;
}

const NAME = /^[a-z_][a-z0-9_]*$/;
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);

export interface Entry {
  readonly file: string;
  readonly src: ScenarioSource | null;
  readonly raw: RawScenario | null;
  readonly name: string | null;
  /** Where the name is written (the `name` key's value, else the top of the file). */
  readonly namePath: Path | null;
  readonly diagnostics: Diagnostic[];
  plan: Plan | null;
  inCycle: boolean;
  state: 'new' | 'visiting' | 'done';
}

export { fileStem };

export function listOf(v: string | readonly string[] | undefined): readonly string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

type Loaded = Pick<Entry, 'file' | 'src' | 'raw' | 'name' | 'namePath' | 'diagnostics'>;

/**
 * What loading gave, by file, content and options: a file is parsed and schema-checked once per
 * content, however often the scenarios are compiled (`check` reads the models from the same
 * parse; watch compiles every scenario after each save). The parse and the checked data are never
 * changed after loading; each entry gets its own diagnostics list and compile state.
 */
const loadedCache = new Map<string, Loaded>();
/** Entries kept: more than a large project's scenarios, with a few edits each. */
const CACHE_ENTRIES = 4096;

export function loadEntry(input: ScenarioInput, options: EntryOptions = {}): Entry {
  if (input.problem !== undefined) return loadEntryUncached(input, options);
  const key = `${options.sessionFixture ?? ''}\0${input.file}\0${input.text}`;
  let loaded = loadedCache.get(key);
  if (loaded === undefined) {
    const entry = loadEntryUncached(input, options);
    loaded = { ...entry, diagnostics: [...entry.diagnostics] };
    if (loadedCache.size >= CACHE_ENTRIES) loadedCache.delete(loadedCache.keys().next().value!);
    loadedCache.set(key, loaded);
  }
  return {
    ...loaded,
    diagnostics: [...loaded.diagnostics],
    plan: null,
    inCycle: false,
    state: 'new',
  };
}

function loadEntryUncached(input: ScenarioInput, options: EntryOptions): Entry {
  const base = { file: input.file, plan: null, inCycle: false, state: 'new' as const };
  const failed = (diagnostics: readonly Diagnostic[]): Entry => ({
    ...base,
    src: null,
    raw: null,
    name: null,
    namePath: null,
    diagnostics: [...diagnostics],
  });
  if (input.problem !== undefined) return failed([input.problem]);
  const loaded = loadScenario(input.file, input.text);
  if (!loaded.ok) return failed(loaded.diagnostics);
  const src = loaded.value;
  const data = src.data as Record<string, unknown>;
  const diagnostics = checkSchema(src);
  const written = data.name;
  let name: string | null = null;
  let namePath: Path | null = null;
  if (typeof written === 'string' && NAME.test(written) && !KEYWORDS.has(written)) {
    name = written;
    namePath = ['name'];
  } else if (written === undefined) {
    const stem = fileStem(input.file);
    if (NAME.test(stem) && !KEYWORDS.has(stem)) {
      name = stem;
      namePath = [];
    } else {
      diagnostics.push({
        code: Codes.badFileStem,
        severity: 'error',
        message: `the file name "${shorten(stem)}" is not a valid fixture name, and the scenario has no name`,
        file: input.file,
        line: 1,
        column: 1,
        hint: `add name: ${shorten(
          stem
            .toLowerCase()
            .replace(/[^a-z0-9_]/g, '_')
            .replace(/^([0-9])/, '_$1'),
        )}, or rename the file`,
      });
    }
  }
  const entry = { ...base, src, raw: null, name, namePath, diagnostics };
  const fromStem = namePath !== null && namePath.length === 0;
  if (name !== null && name.length > LIMITS.nameChars) {
    diagnostics.push(
      nameDiagnostic(
        entry,
        `the scenario name ${fromStem ? '(the file name) ' : ''}is ${name.length} characters long; at most ${LIMITS.nameChars} fit in file names`,
        Codes.badName,
        fromStem ? 'add a shorter name:, or rename the file' : 'choose a shorter name',
      ),
    );
  } else if (name !== null) {
    const reserved = reservedName(name, options.sessionFixture);
    if (reserved !== null) {
      diagnostics.push(
        nameDiagnostic(
          entry,
          `${fromStem ? 'the file name ' : ''}${reserved.reason}`,
          Codes.reservedName,
          fromStem
            ? `add a name: to the scenario, or rename the file (${reserved.hint})`
            : reserved.hint,
        ),
      );
    }
  }
  const raw = diagnostics.length === 0 ? (data as RawScenario) : null;
  return { ...entry, raw };
}

/** A name quoted in a message, cut short when a file name is absurdly long. */
function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

export function nameSite(e: Entry): string {
  if (e.src === null || e.namePath === null) return e.file;
  const s = e.namePath.length === 0 ? { line: 1, column: 1 } : spanAt(e.src, e.namePath);
  return `${e.file}:${s.line}:${s.column}`;
}

export function nameDiagnostic(e: Entry, message: string, code: Code, hint?: string): Diagnostic {
  if (e.src !== null && e.namePath !== null && e.namePath.length > 0) {
    return diagAt(e.src, code, message, e.namePath, { hint });
  }
  return {
    code,
    severity: 'error',
    message,
    file: e.file,
    line: 1,
    column: 1,
    ...(hint ? { hint } : {}),
  };
}
