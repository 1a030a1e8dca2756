/** One scenario file on its way through compilation: loaded, schema-checked, named. */
import type { Diagnostic } from '../diagnostics/types.js';
import type { Plan } from '../plan/types.js';
import { Codes, type Code } from './codes.js';
import { loadScenario } from './load.js';
import { diagAt, spanAt } from './position.js';
import { checkSchema } from './schema.js';
import type { Path, RawScenario, ScenarioSource } from './types.js';

export interface ScenarioInput {
  /** Path relative to the project root, forward slashes. */
  readonly file: string;
  readonly text: string;
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

/** `scenarios/team.yaml` → `team`. */
export function fileStem(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return base.replace(/\.ya?ml$/i, '');
}

export function listOf(v: string | readonly string[] | undefined): readonly string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = sort((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

export function loadEntry(input: ScenarioInput): Entry {
  const base = { file: input.file, plan: null, inCycle: false, state: 'new' as const };
  const loaded = loadScenario(input.file, input.text);
  if (!loaded.ok) {
    return {
      ...base,
      src: null,
      raw: null,
      name: null,
      namePath: null,
      diagnostics: [...loaded.diagnostics],
    };
  }
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
        message: `the file name "${stem}" is not a valid fixture name, and the scenario has no name`,
        file: input.file,
        line: 1,
        column: 1,
        hint: `add name: ${stem
          .toLowerCase()
          .replace(/[^a-z0-9_]/g, '_')
          .replace(/^([0-9])/, '_$1')}, or rename the file`,
      });
    }
  }
  const raw = diagnostics.length === 0 ? (data as RawScenario) : null;
  return { ...base, src, raw, name, namePath, diagnostics };
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
